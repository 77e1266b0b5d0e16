// A proposal's dossier (GET /api/map/proposals/{id}) in the details panel.
import { answerControls, awaitingParties, mayAnswer } from "./actions.js";
import { fill, formatTime, formatWindow, h } from "./dom.js";

function section(title, ...content) {
  return h("section", { class: "detail" }, h("h3", {}, title), ...content);
}

function list(items, empty = "None.") {
  return items.length ? h("ul", {}, items) : h("p", { class: "empty" }, empty);
}

function routeSection(route) {
  const length = route.km === null ? "Not routed." : `${route.km.toFixed(0)} km`
    + (route.hours === null ? ""
      : `, at least ${route.hours.toFixed(1)} h at the convoy speed cap of ${route.convoy_speed_kmh} km/h`);
  const held = route.held_exposure;
  return section("Route",
    h("p", { class: "route-length" }, length),
    // Km through the other side's ground: checkpoints, filtration, detention.
    held ? h("p", { class: "route-held" }, held.km < 0.05
      ? "None through the other side's ground."
      : `${held.km.toFixed(0)} km through the other side's ground `
        + `(${Object.keys(held.by_territory).join(", ")}, ${held.risk} risk).`) : null,
    h("ol", { class: "stops" }, route.stops.map((s) => h("li", {},
      s.km === null ? s.name : `${s.name} (${s.km.toFixed(0)} km)`))),
    // How the waypoints as written met the roads: a reader must know the line is not theirs.
    route.notes.length ? h("ul", { class: "route-notes", "aria-label": "Waypoint notes" },
      route.notes.map((note) => h("li", {}, note))) : null);
}

// The odds drawn for each proposal so far (GET /api/proposals/{id}/odds), kept across the
// redraws a live update causes.
const oddsOf = new Map();

function percent(share) {
  return `${Math.round(100 * share)} %`;
}

/** How often each party accepts over the drawn situations, next to its verdict. */
function oddsLine(odds, party) {
  return h("span", { class: "odds", dataset: { party } },
    ` accepts in ${percent(odds.acceptance[party])} of ${odds.samples} drawn situations`);
}

function oddsSummary(odds) {
  const q = odds.exposure_km;
  return h("p", { class: "odds-summary" },
    `Drawn from ${odds.uncertain_settlements} uncertain control reports: every party accepts in `
    + `${percent(odds.accepted_by_all)}; crosses the front line in ${percent(odds.crosses_front_line)}`
    + (q ? `; exposed ${q.p10.toFixed(0)}–${q.p90.toFixed(0)} km (p10–p90).` : "; never routed."));
}

function oddsButton(proposalId, loadOdds, redraw) {
  const button = h("button", { type: "button", class: "odds-button" },
    "How sure? Judge it in situations drawn from the reports' confidence");
  button.onclick = async () => {
    button.disabled = true;
    button.textContent = "Drawing situations…";
    try {
      oddsOf.set(proposalId, await loadOdds(proposalId));
      redraw();
    } catch (error) {
      button.disabled = false;
      button.textContent = `Could not draw situations: ${error.detail ?? error}`;
    }
  };
  return button;
}

function verdictSection(dossier, loadOdds, redraw) {
  const odds = oddsOf.get(dossier.proposal.id);
  const verdicts = Object.entries(dossier.proposal.verdicts);
  return section("Verdicts by the parties' rules",
    h("dl", { class: "verdicts" }, verdicts.map(([party, v]) => [
      h("dt", { dataset: { party } }, `${party}: `,
        h("span", { class: v.acceptable ? "badge good" : "badge bad" },
          v.acceptable ? "acceptable" : "rejected"),
        odds ? oddsLine(odds, party) : null),
      h("dd", { class: "verdict-reasons", dataset: { party } },
        list(v.reasons.map((r) => h("li", {}, r.message)), "No rule applies.")),
    ])),
    odds ? oddsSummary(odds)
      : verdicts.length ? oddsButton(dossier.proposal.id, loadOdds, redraw) : null);
}

function positionsSection(dossier) {
  return section("Positions", list(dossier.positions.map((p) => h("li", {},
    h("strong", {}, `${p.party_id}: ${p.stance}`),
    p.reasons.length ? ` (${p.reasons.join("; ")})` : "",
    p.conditions.length ? `; conditions: ${p.conditions.join("; ")}` : ""))));
}

function agreementsSection(dossier) {
  return section("Agreements and signatures", list(dossier.agreements.map((a) => {
    const signed = new Map(a.signatures.map((s) => [s.party_id, s]));
    return h("li", {},
      h("strong", {}, `Agreement ${a.id}`),
      a.complete ? " (signed by all)" : " (awaiting signatures)",
      a.document.conditions.length ? h("p", {}, `Conditions: ${a.document.conditions.join("; ")}`) : null,
      h("ul", { class: "signatures" }, a.document.parties.map((party) => {
        const s = signed.get(party);
        return h("li", {}, s
          ? [`${party}: signed ${formatTime(s.signed_at)}, key fingerprint `, h("code", {}, s.fingerprint)]
          : `${party}: not signed`);
      })));
  }), "No agreement yet."));
}

function movementsSection(dossier, me, act) {
  const parties = new Map(dossier.corridors.map((c) => [
    c.id, dossier.agreements.find((a) => a.id === c.agreement_id)?.document.parties ?? []]));
  return section("Corridors and movements",
    list(dossier.corridors.map((c) => h("li", {}, `Corridor ${c.id} "${c.name}": ${c.status}`)),
      "No corridor made from it yet."),
    list(dossier.notifications.map((n) => {
      const awaiting = awaitingParties(n, parties.get(n.corridor_id) ?? []);
      const mine = awaiting.find((party) => mayAnswer(me, party));
      return h("li", { class: "notification", dataset: { notification: n.id } },
        `Movement ${n.id}: ${n.movers}, ${n.people} people, from ${formatTime(n.start_at)}`,
        h("ul", {}, n.acknowledgements.map((a) => h("li", {},
          `${a.party_id}: ${a.decision}${a.reason ? ` (${a.reason})` : ""}`))),
        awaiting.length ? h("p", {}, `Awaiting: ${awaiting.join(", ")}`) : null,
        mine ? answerControls(n, me, act) : null);
    }), "No movements notified."));
}

/** What changed on the ground since the route was judged: its alerts, still active first. */
function alertsSection(dossier) {
  const alerts = [...dossier.alerts].sort((a, b) =>
    (a.cleared_situation_id !== null) - (b.cleared_situation_id !== null) || b.id - a.id);
  return section("Alerts", list(alerts.map((a) => h("li", {
    class: `alert ${a.cleared_situation_id === null ? "active" : "cleared"}`,
    dataset: { alert: a.id } },
  a.message, a.cleared_situation_id === null ? ""
    : ` (cleared by situation ${a.cleared_situation_id})`)), "No alerts."));
}

/**
 * Show `dossier`; `openSheet(id, format)` opens the printable sheet, `loadOdds(id)` fetches how
 * sure the verdicts are.
 */
export function renderDossier(dossier, { me, act, openSheet, loadOdds }) {
  const redraw = () => renderDossier(dossier, { me, act, openSheet, loadOdds });
  const p = dossier.proposal;
  const heading = document.getElementById("details-heading");
  heading.textContent = `Proposal ${p.number ?? p.id}: ${p.origin} → ${p.destination}`;
  fill(document.getElementById("details-body"),
    h("p", {}, `Proposed by ${p.proposer_id}. Status: `,
      h("span", { class: `badge status-${dossier.status}`, id: "details-status" }, dossier.status)),
    h("div", { class: "sheet-links" },
      h("button", { type: "button", onclick: () => openSheet(p.id, "html") }, "Printable sheet"),
      h("button", { type: "button", onclick: () => openSheet(p.id, "pdf") }, "Sheet as PDF"),
      p.route ? h("button", { type: "button", onclick: () => openSheet(p.id, "gpx") },
        "Route as GPX") : null,
      p.route ? h("button", { type: "button", onclick: () => openSheet(p.id, "kml") },
        "Route as KML") : null),
    alertsSection(dossier),
    routeSection(dossier.route),
    section("Windows", h("ul", {}, p.windows.map((w) => h("li", {}, formatWindow(w))))),
    verdictSection(dossier, loadOdds, redraw),
    positionsSection(dossier),
    agreementsSection(dossier),
    movementsSection(dossier, me, act));
}
