// A proposal's dossier (GET /api/map/proposals/{id}) in the details panel.
import { answerControls, awaitingParties, mayAnswer } from "./actions.js";
import { fill, formatTime, formatWindow, h } from "./dom.js";
import { formatNumber, t, word } from "./i18n.js";

function section(title, ...content) {
  return h("section", { class: "detail" }, h("h3", {}, title), ...content);
}

function list(items, empty = t("details.none")) {
  return items.length ? h("ul", {}, items) : h("p", { class: "empty" }, empty);
}

function routeSection(route) {
  const km = route.km === null ? null : formatNumber(route.km, 0);
  const length = km === null ? t("route.not_routed")
    : route.hours === null ? t("route.km", { km })
      : t("route.km_hours", { km, hours: formatNumber(route.hours, 1),
                              speed: formatNumber(route.convoy_speed_kmh) });
  const held = route.held_exposure;
  return section(t("details.route"),
    h("p", { class: "route-length" }, length),
    // Km through the other side's ground: checkpoints, filtration, detention.
    held ? h("p", { class: "route-held" }, held.km < 0.05 ? t("route.held_none")
      : t("route.held", { km: formatNumber(held.km, 0),
                          territories: Object.keys(held.by_territory).join(", "),
                          risk: word("risk", held.risk) })) : null,
    h("ol", { class: "stops" }, route.stops.map((s) => h("li", {},
      s.km === null ? s.name : t("route.stop", { place: s.name, km: formatNumber(s.km, 0) })))),
    // How the waypoints as written met the roads: a reader must know the line is not theirs.
    route.notes.length ? h("ul", { class: "route-notes", "aria-label": t("route.notes") },
      route.notes.map((note) => h("li", {}, note))) : null);
}

// The odds drawn for each proposal so far (GET /api/proposals/{id}/odds), kept across the
// redraws a live update causes.
const oddsOf = new Map();

function percent(share) {
  return `${formatNumber(Math.round(100 * share))} %`;
}

/** How often each party accepts over the drawn situations, next to its verdict. */
function oddsLine(odds, party) {
  return h("span", { class: "odds", dataset: { party } },
    ` ${t("odds.accepts", { share: percent(odds.acceptance[party]), count: odds.samples })}`);
}

function oddsSummary(odds) {
  const q = odds.exposure_km;
  return h("p", { class: "odds-summary" },
    t("odds.summary", { count: odds.uncertain_settlements, all: percent(odds.accepted_by_all),
                        front: percent(odds.crosses_front_line) })
    + (q ? t("odds.exposed", { low: formatNumber(q.p10, 0), high: formatNumber(q.p90, 0) })
      : t("odds.never_routed")));
}

function oddsButton(proposalId, loadOdds, redraw) {
  const button = h("button", { type: "button", class: "odds-button" },
    t("odds.button"));
  button.onclick = async () => {
    button.disabled = true;
    button.textContent = t("odds.drawing");
    try {
      oddsOf.set(proposalId, await loadOdds(proposalId));
      redraw();
    } catch (error) {
      button.disabled = false;
      button.textContent = t("odds.failed", { error: error.detail ?? error });
    }
  };
  return button;
}

function verdictSection(dossier, loadOdds, redraw) {
  const odds = oddsOf.get(dossier.proposal.id);
  const verdicts = Object.entries(dossier.proposal.verdicts);
  return section(t("details.verdicts"),
    h("dl", { class: "verdicts" }, verdicts.map(([party, v]) => [
      h("dt", { dataset: { party } }, `${party}: `,
        h("span", { class: v.acceptable ? "badge good" : "badge bad" },
          v.acceptable ? t("verdict.acceptable") : t("verdict.rejected")),
        odds ? oddsLine(odds, party) : null),
      h("dd", { class: "verdict-reasons", dataset: { party } },
        list(v.reasons.map((r) => h("li", {}, r.message)), t("verdict.no_rule"))),
    ])),
    odds ? oddsSummary(odds)
      : verdicts.length ? oddsButton(dossier.proposal.id, loadOdds, redraw) : null);
}

function positionsSection(dossier) {
  return section(t("details.positions"), list(dossier.positions.map((p) => h("li", {},
    h("strong", {}, `${p.party_id}: ${word("stance", p.stance)}`),
    p.reasons.length ? ` (${p.reasons.join("; ")})` : "",
    p.conditions.length ? `; ${t("position.with_conditions", { conditions: p.conditions.join("; ") })}`
      : ""))));
}

function agreementsSection(dossier) {
  return section(t("agreements.heading"), list(dossier.agreements.map((a) => {
    const signed = new Map(a.signatures.map((s) => [s.party_id, s]));
    return h("li", {},
      h("strong", {}, t("agreement.number", { id: a.id })),
      ` (${a.complete ? t("agreement.signed_by_all") : t("agreement.awaiting")})`,
      a.document.conditions.length
        ? h("p", {}, t("agreement.conditions_are", { conditions: a.document.conditions.join("; ") }))
        : null,
      h("ul", { class: "signatures" }, a.document.parties.map((party) => {
        const s = signed.get(party);
        return h("li", {}, s
          ? [`${t("signature.signed_at", { party, time: formatTime(s.signed_at) })} `,
            h("code", {}, s.fingerprint)]
          : t("signature.missing", { party }));
      })));
  }), t("agreement.none_yet")));
}

function movementsSection(dossier, me, act) {
  const parties = new Map(dossier.corridors.map((c) => [
    c.id, dossier.agreements.find((a) => a.id === c.agreement_id)?.document.parties ?? []]));
  return section(t("details.movements"),
    list(dossier.corridors.map((c) => h("li", {},
      t("corridor.named", { id: c.id, name: c.name, status: word("status", c.status) }))),
    t("details.no_corridor")),
    list(dossier.notifications.map((n) => {
      const awaiting = awaitingParties(n, parties.get(n.corridor_id) ?? []);
      const mine = awaiting.find((party) => mayAnswer(me, party));
      return h("li", { class: "notification", dataset: { notification: n.id } },
        t("movement.summary", { id: n.id, movers: n.movers, count: n.people,
                                time: formatTime(n.start_at) }),
        h("ul", {}, n.acknowledgements.map((a) => h("li", {},
          `${a.party_id}: ${word("decision", a.decision)}${a.reason ? ` (${a.reason})` : ""}`))),
        awaiting.length ? h("p", {}, t("movement.awaiting", { parties: awaiting.join(", ") }))
          : null,
        mine ? answerControls(n, me, act) : null);
    }), t("details.no_movements")));
}

/** What changed on the ground since the route was judged: its alerts, still active first. */
function alertsSection(dossier) {
  const alerts = [...dossier.alerts].sort((a, b) =>
    (a.cleared_situation_id !== null) - (b.cleared_situation_id !== null) || b.id - a.id);
  return section(t("alerts.heading"), list(alerts.map((a) => h("li", {
    class: `alert ${a.cleared_situation_id === null ? "active" : "cleared"}`,
    dataset: { alert: a.id } },
  a.message, a.cleared_situation_id === null ? ""
    : ` (${t("alert.cleared_by", { situation: a.cleared_situation_id })})`)), t("alerts.none")));
}

/**
 * Show `dossier`; `openSheet(id, format)` opens the printable sheet, `loadOdds(id)` fetches how
 * sure the verdicts are.
 */
export function renderDossier(dossier, { me, act, openSheet, loadOdds }) {
  const redraw = () => renderDossier(dossier, { me, act, openSheet, loadOdds });
  const p = dossier.proposal;
  const heading = document.getElementById("details-heading");
  heading.textContent = t("proposal.title", { number: p.number ?? p.id, origin: p.origin,
                                              destination: p.destination });
  fill(document.getElementById("details-body"),
    h("p", {}, `${t("proposal.by_status", { party: p.proposer_id })} `,
      h("span", { class: `badge status-${dossier.status}`, id: "details-status" },
        word("status", dossier.status))),
    h("div", { class: "sheet-links" },
      h("button", { type: "button", onclick: () => openSheet(p.id, "html") }, t("sheet.html")),
      h("button", { type: "button", onclick: () => openSheet(p.id, "pdf") }, t("sheet.pdf")),
      p.route ? h("button", { type: "button", onclick: () => openSheet(p.id, "gpx") },
        t("sheet.gpx")) : null,
      p.route ? h("button", { type: "button", onclick: () => openSheet(p.id, "kml") },
        t("sheet.kml")) : null),
    alertsSection(dossier),
    routeSection(dossier.route),
    section(t("details.windows"), h("ul", {}, p.windows.map((w) => h("li", {}, formatWindow(w))))),
    verdictSection(dossier, loadOdds, redraw),
    positionsSection(dossier),
    agreementsSection(dossier),
    movementsSection(dossier, me, act));
}
