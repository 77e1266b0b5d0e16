// "Paste a statement": the facilitator pastes a published announcement, the server drafts its
// corridors (POST /api/proposals/draft), and each draft is shown as a form to correct before it
// is tabled as a proposal. Everything the statement or the server says is shown as text.
import { newKey } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, N_, t } from "./i18n.js";
import { lines, zonedIso } from "./forms.js";

const $ = (id) => document.getElementById(id);

/** The wall-clock part of an ISO time with offset ("2022-03-08T10:00"), for datetime-local. */
function wallClock(iso) {
  return iso ? iso.slice(0, 16) : "";
}

/** A labelled input; the label follows the page's language while the draft is edited. */
function field(key, input) {
  return h("label", {}, h("span", { "data-i18n": key }, t(key)), input);
}

/** What an unresolved name was to be, by its role in the statement. */
const UNRESOLVED = { origin: N_("draft.unresolved_origin"),
                     destination: N_("draft.unresolved_destination"),
                     waypoint: N_("draft.unresolved_waypoint") };

/** What the facilitator must check before tabling: unresolved names and the drafter's notes. */
function warnings(draft) {
  return h("ul", {},
    draft.unresolved.map((u) => h("li", { class: "unresolved" },
      t(UNRESOLVED[u.role] ?? UNRESOLVED.waypoint,
        { written: u.written, problem: u.problem ?? t("draft.no_match") }))),
    draft.notes.map((note) => h("li", {}, note)));
}

/** One draft as an editable form; `table(body, message)` sends it as a proposal. */
function draftForm(draft, number, zone, table) {
  const [window] = draft.windows;
  const inputs = {
    proposer: h("input", { name: "proposer_id", required: true, value: draft.proposer ?? "" }),
    origin: h("input", { name: "origin", required: true, value: draft.origin }),
    waypoints: h("textarea", { name: "waypoints", rows: 3 }),
    destination: h("input", { name: "destination", required: true, value: draft.destination }),
    start: h("input", { name: "start", type: "datetime-local", required: true,
                        value: wallClock(window?.start) }),
    end: h("input", { name: "end", type: "datetime-local", value: wallClock(window?.end) }),
    zone: h("input", { name: "zone", required: true, value: window?.timezone ?? zone }),
  };
  inputs.waypoints.value = draft.waypoints.join("\n");
  const message = h("p", { class: "message", role: "alert" });
  const form = h("form", { class: "draft-form", "aria-label": t("draft.label", { number }) },
    h("blockquote", {}, draft.source.text),
    h("p", {}, [t("draft.confidence", { value: formatNumber(draft.confidence, 2) }),
      draft.announcer ? t("draft.announcer", { name: draft.announcer }) : null,
      draft.means.length ? draft.means.join(", ") : null].filter(Boolean).join("; ")),
    warnings(draft),
    field(N_("draft.proposer"), inputs.proposer),
    field(N_("draft.origin"), inputs.origin),
    field(N_("draft.waypoints"), inputs.waypoints),
    field(N_("draft.destination"), inputs.destination),
    field(N_("draft.start"), inputs.start),
    field(N_("draft.end"), inputs.end),
    field(N_("form.zone"), inputs.zone),
    h("button", { type: "submit", "data-i18n": "draft.submit" }, t("draft.submit")),
    message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let body;
    try {
      body = proposalBody(new FormData(form));
    } catch (error) {
      message.className = "message error";
      message.textContent = error.message;  // an unknown time zone
      return;
    }
    if (await table(body, message)) form.querySelector("button").disabled = true;
  });
  return form;
}

/** The proposal a corrected draft stands for, as POST /api/proposals takes it. */
function proposalBody(data) {
  const zone = data.get("zone").trim();
  const origin = data.get("origin").trim();
  const destination = data.get("destination").trim();
  const end = data.get("end");
  return {
    proposer_id: data.get("proposer_id").trim(),
    origin,
    destination,
    waypoints: [origin, ...lines(data.get("waypoints")), destination],
    windows: [{ start: zonedIso(data.get("start"), zone),
                end: end ? zonedIso(end, zone) : null, tz: zone }],
  };
}

/**
 * Show the box to users the policy lets draft, and wire it: `post(path, body, key)` resolves to
 * the server's JSON answer or throws its refusal; `send(path, body, success, key, message)`
 * tables a proposal and reports. `zone` is the scenario's, for drafts that state none.
 */
export function setUpStatement(me, { post, send }, zone) {
  const allowed = me.may.some((row) => row.action === "proposal.draft");
  $("statement").hidden = !allowed;
  if (!allowed) return;
  const form = $("statement-form");
  const message = form.querySelector(".message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = new FormData(form);
      const answer = await post("/api/proposals/draft",
        { text: data.get("text"), lang: data.get("lang") }, newKey());
      const count = answer.proposals.length;
      message.className = "message ok";
      message.textContent = t("statement.drafted", { count });
      const table = (body, status) => send("/api/proposals", body,
        t("statement.tabled", { origin: body.origin, destination: body.destination }), newKey(),
        status);
      $("statement-drafts").replaceChildren(...answer.proposals.map((draft, i) => h("li", {},
        draftForm(draft, i + 1, zone, table))));
    } catch (error) {
      message.className = "message error";
      message.textContent = error.message;
      $("statement-drafts").replaceChildren();
    } finally {
      button.disabled = false;
    }
  });
}
