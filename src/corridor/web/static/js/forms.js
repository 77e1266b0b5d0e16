// The forms that change things: a party's position, an agreement, a signature, a corridor and
// its status, an incident, a movement. They are part of the page, not redrawn on refresh, so a
// live update never wipes what a user is typing; only their choices (corridors, agreements,
// routes, next statuses) follow the state.
import { maySuspend, mayUse } from "./actions.js";
import { newKey } from "./api.js";
import { h } from "./dom.js";
import { N_, t, word } from "./i18n.js";
import { signWithKeyFile } from "./signing.js";

const $ = (id) => document.getElementById(id);

/** Non-empty lines of a textarea's value. */
export function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** Minutes `zone` is ahead of UTC at the instant `utcMs`. */
function offsetMinutes(zone, utcMs) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(new Date(utcMs)).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute,
    parts.second);
  return Math.round((wall - utcMs) / 60_000);
}

/**
 * A wall-clock time from a datetime-local input ("2022-03-08T09:00") in an IANA zone, as
 * ISO 8601 with the zone's offset at that time. An unknown zone throws a RangeError.
 */
export function zonedIso(local, zone) {
  const [date, time] = local.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offset at the wall time read as UTC is wrong only near a clock change; a second
  // look at the instant it gives settles it.
  const offset = offsetMinutes(zone, wall - offsetMinutes(zone, wall) * 60_000);
  const pad = (n) => String(n).padStart(2, "0");
  const abs = Math.abs(offset);
  return `${date}T${pad(hour)}:${pad(minute)}:00${offset < 0 ? "-" : "+"}`
    + `${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Replace a select's options, keeping the chosen one while it is still offered. */
function setOptions(select, options) {
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, text]) => h("option", { value }, text)));
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

/** A select of corridor ids; `data-none` on it adds a first choice for no corridor. */
function corridorOptions(select, corridors) {
  const none = "none" in select.dataset ? [["", t("form.no_corridor")]] : [];
  setOptions(select, [...none, ...corridors.map((c) => [String(c.id),
    `${c.id}. ${c.name} (${word("status", c.status)})`])]);
}

/** Optional corridor id of a form field: "" means none. */
function corridorId(value) {
  return value ? Number(value) : null;
}

function positionBody(data) {
  const stance = data.get("stance");
  return {
    party_id: data.get("party_id"),
    stance,
    reasons: lines(data.get("reasons")),
    conditions: lines(data.get("conditions")),
    counter: stance === "counter" ? { waypoints: lines(data.get("waypoints")) } : null,
  };
}

function incidentBody(data) {
  return {
    corridor_id: corridorId(data.get("corridor_id")),
    type: data.get("type").trim(),
    lon: Number(data.get("lon")),
    lat: Number(data.get("lat")),
    occurred_at: zonedIso(data.get("occurred_at"), data.get("zone").trim()),
    description: data.get("description").trim(),
    suspend: data.has("suspend"),
  };
}

function movementBody(data, proposals) {
  const zone = data.get("zone").trim();
  const kind = data.get("vehicle").trim();
  // No route given: the server takes the corridor's own.
  const proposal = proposals.find((p) => String(p.id) === data.get("route"));
  return {
    corridor_id: Number(data.get("corridor_id")),
    movers: data.get("movers").trim(),
    people: Number(data.get("people")),
    vehicles: kind ? [{ kind, count: Number(data.get("vehicles") || 1) }] : [],
    ...(proposal && (proposal.route ? { route: proposal.route }
      : { waypoints: proposal.waypoints })),
    start_at: zonedIso(data.get("start_at"), zone),
    end_at: zonedIso(data.get("end_at"), zone),
    emergency: data.has("emergency"),
  };
}

function agreementBody(data, proposal) {
  return {
    proposal_id: proposal.id,
    corridor: { origin: proposal.origin, destination: proposal.destination,
                route: proposal.route, waypoints: proposal.waypoints },
    windows: proposal.windows,
    conditions: lines(data.get("conditions")),
    parties: data.getAll("parties"),
  };
}

/** Agreements the user's party is a party to and has not signed yet. */
function awaitingMySignature(me, agreements) {
  return agreements.filter((a) => a.document.parties.includes(me.party_id)
    && !a.signatures.some((s) => s.party_id === me.party_id));
}

/** Agreements signed by every party that no corridor has been set up from. */
function readyForCorridor(agreements, corridors) {
  const used = new Set(corridors.map((c) => c.agreement_id));
  return agreements.filter((a) => a.complete && !used.has(a.id));
}

function agreementLabel(agreement) {
  const { origin, destination } = agreement.document.corridor;
  return t("agreement.title", { id: agreement.id, origin, destination });
}

/**
 * Show each form to the roles that may use it and send what is submitted.
 * `send(path, body, success, key, messageElement)` posts and reports; it resolves to true on
 * success. `openProposal()` is the proposal in the details panel, or null; `bytes(path)` is the
 * body of a GET as an ArrayBuffer. `setting` is the scenario's (zone, origins, destinations):
 * the forms' time zone and examples come from it.
 */
export function setUpForms(me, { send, openProposal, bytes }, setting) {
  const state = { proposals: [], corridors: [], agreements: [], parties: [], transitions: {} };
  const forms = [...document.querySelectorAll("form.action-form")];
  for (const form of forms) form.hidden = !mayUse(me, form.id);
  // Suspending is the facilitator's decision; others report without it.
  $("incident-form").querySelector("[name=suspend]").closest("label").hidden = !maySuspend(me);
  $("position-form").hidden = true;  // until a proposal is open
  $("agreement-form").hidden = true;
  $("actions").hidden = forms.every((form) => form.hidden);

  $("zones").replaceChildren(...Intl.supportedValuesOf("timeZone")
    .map((z) => h("option", { value: z })));
  // Default values survive form.reset(), so a sent form is cleared for the next report.
  for (const input of document.querySelectorAll("input.zone")) {
    input.defaultValue = setting.timezone;
  }
  const [origin] = setting.origins;
  const [destination] = setting.destinations;
  if (origin && destination) $("corridor-name").placeholder = `${origin} - ${destination}`;
  $("position-party").defaultValue = me.party_id ?? "";

  const requests = {
    "position-form": (data) => {
      const proposal = openProposal();
      return [`/api/proposals/${proposal}/positions`, positionBody(data),
        t("position.recorded", { party: data.get("party_id"), proposal })];
    },
    "incident-form": (data) => ["/api/incidents", incidentBody(data), t("incident.reported")],
    "movement-form": (data) => ["/api/notifications", movementBody(data, state.proposals),
      t("movement.announced")],
    "status-form": (data) => [`/api/corridors/${data.get("corridor_id")}/status`,
      { status: data.get("status"), reason: data.get("reason").trim() },
      t("change.changed", { id: data.get("corridor_id"),
                            status: word("status", data.get("status")) })],
    "agreement-form": (data) => {
      const proposal = state.proposals.find((p) => p.id === openProposal());
      return ["/api/agreements", agreementBody(data, proposal),
        t("agreement.drafted", { proposal: proposal.number ?? proposal.id })];
    },
    "sign-form": async (data) => {
      const id = data.get("agreement_id");
      const signature = await signWithKeyFile(data.get("key"),
        await bytes(`/api/agreements/${id}/canonical?party=${encodeURIComponent(me.party_id)}`));
      return [`/api/agreements/${id}/signatures`, { party_id: me.party_id, signature },
        t("sign.signed", { id, party: me.party_id })];
    },
    "corridor-form": (data) => {
      const agreement = state.agreements.find((a) => String(a.id) === data.get("agreement_id"));
      const { origin, destination, route, waypoints } = agreement.document.corridor;
      const name = data.get("name").trim() || `${origin} - ${destination}`;
      return ["/api/corridors", { name, origin, destination, route, waypoints,
                                  agreement_id: agreement.id },
        t("corridor.set_up", { name, agreement: agreement.id })];
    },
  };

  for (const form of forms) {
    const message = form.querySelector(".message");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;  // one request per submission, under one Idempotency-Key
      try {
        let request;
        try {
          request = await requests[form.id](new FormData(form));
        } catch (error) {
          // An unknown time zone, an unreadable key: nothing can be sent.
          message.className = "message error";
          message.textContent = error.message;
          return;
        }
        if (await send(...request, newKey(), message)) {
          form.reset();
          form.dispatchEvent(new Event("change"));  // what depends on the fields follows
        }
      } finally {
        button.disabled = false;
      }
    });
  }

  // The counter route is asked for, and sent, only with a counter-proposal.
  $("position-form").addEventListener("change", () => {
    const counter = $("position-form").elements.stance.value === "counter";
    $("position-waypoints").disabled = !counter;
    $("position-waypoints").required = counter;
  });

  /** Offer `agreements` in the form's select; with none, say so and keep it from submitting. */
  const offerAgreements = (formId, agreements, none) => {
    const form = $(formId);
    setOptions(form.elements.agreement_id, agreements.length
      ? agreements.map((a) => [String(a.id), agreementLabel(a)]) : [["", `(${t(none)})`]]);
    form.querySelector("button[type=submit]").disabled = agreements.length === 0;
  };

  const nextStatuses = () => {
    const corridor = state.corridors.find((c) => String(c.id) === $("status-corridor").value);
    const next = corridor ? state.transitions[corridor.status] : [];
    setOptions($("status-next"), next.map((s) => [s, word("status", s)]));
    $("status-form").querySelector("button[type=submit]").disabled = next.length === 0;
  };
  $("status-form").addEventListener("change", nextStatuses);

  return {
    /** Follow the state: the corridors, routes, agreements and next statuses offered. */
    update({ proposals, corridors, agreements, parties }, transitions) {
      const ids = (list) => list.map((p) => p.id).join();
      const partiesChanged = ids(parties) !== ids(state.parties);
      Object.assign(state, { proposals, corridors, agreements, parties, transitions });
      for (const select of document.querySelectorAll("select.corridor-choice")) {
        corridorOptions(select, corridors);
      }
      offerAgreements("sign-form", awaitingMySignature(me, agreements), N_("sign.none_awaits"));
      offerAgreements("corridor-form", readyForCorridor(agreements, corridors),
        agreements.some((a) => a.complete) ? N_("corridor.each_has_one")
          : N_("corridor.none_signed"));
      if (partiesChanged) {
        // Rebuilt only when the parties change, so a live update keeps the boxes ticked.
        // Belligerents sign; the facilitator drafts and witnesses.
        $("agreement-parties").replaceChildren(...parties
          .filter((p) => p.kind === "belligerent")
          .map((p) => h("label", {}, h("input", { type: "checkbox", name: "parties",
                                                  value: p.id, checked: true }),
            ` ${p.name} (${p.id})`)));
      }
      setOptions($("movement-route"), [["", t("movement.own_route")],
        ...proposals.map((p) => [String(p.id), t("proposal.title", {
          number: p.number ?? p.id, origin: p.origin, destination: p.destination })])]);
      nextStatuses();
    },

    /**
     * A proposal is open in the details panel: a liaison may take a position on it, a
     * facilitator draft an agreement on it.
     */
    showProposal(proposal) {
      for (const id of ["position-form", "agreement-form"]) $(id).hidden = !mayUse(me, id);
      const number = proposal.number ?? proposal.id;
      $("position-heading").textContent = t("position.heading_on", { party: me.party_id, number });
      $("agreement-heading").textContent = t("agreement.heading_on", { number });
    },

    /** A place clicked on the map becomes the incident's place. */
    pickPlace({ lat, lng }) {
      if ($("incident-form").hidden) return;
      $("incident-lon").value = lng.toFixed(5);
      $("incident-lat").value = lat.toFixed(5);
    },
  };
}
