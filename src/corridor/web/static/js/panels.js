// The lists beside the map: proposals, corridors, agreements, notifications, incidents and talks.
import { answerControls, awaitingParties, mayAnswer } from "./actions.js";
import { fill, formatTime, h } from "./dom.js";
import { formatDate, t, word } from "./i18n.js";

/** The parties that must answer a notification: those of its corridor's agreement. */
export function partiesOf(notification, corridorsById, agreementsById) {
  const corridor = corridorsById.get(notification.corridor_id);
  const agreement = corridor && agreementsById.get(corridor.agreement_id);
  return agreement ? agreement.document.parties : [];
}

function proposalItem(proposal, positions, onOpen) {
  const stances = positions.map((p) => `${p.party_id}: ${word("stance", p.stance)}`).join(", ");
  const rules = Object.entries(proposal.verdicts).map(([party, v]) =>
    `${party} ${v.acceptable ? t("verdict.acceptable") : t("verdict.rejected")}`).join(", ");
  // A button is reachable with Tab and opens with Enter or Space, like any other control.
  return h("li", {},
    h("button", { type: "button", class: "open-proposal", dataset: { proposal: proposal.id },
                  onclick: () => onOpen(proposal.id) },
      h("strong", {}, `${proposal.number ?? proposal.id}. ${proposal.origin} → ${proposal.destination}`),
      h("span", { class: "sub" }, t("proposal.by_rules", { party: proposal.proposer_id,
                                                          rules: rules || t("list.none") })),
      h("span", { class: "sub" }, t("proposal.positions",
        { positions: stances || t("list.none_yet") }))));
}

/**
 * A corridor, opening the proposal it was agreed from (route, verdicts, signatures, movements)
 * when there is one; a corridor set up without a proposal has no dossier to open.
 */
function corridorItem(corridor, agreementsById, onOpen) {
  const title = `${t("corridor.title", { id: corridor.id, name: corridor.name,
                                        origin: corridor.origin,
                                        destination: corridor.destination })} `;
  const badge = h("span", { class: `badge status-${corridor.status}` },
    word("status", corridor.status));
  const proposalId = agreementsById.get(corridor.agreement_id)?.proposal_id;
  return h("li", { class: "corridor", dataset: { corridor: corridor.id } },
    proposalId == null ? [h("strong", {}, title), badge]
      : h("button", { type: "button", class: "open-corridor",
                      onclick: () => onOpen(proposalId) }, h("strong", {}, title), badge));
}

function agreementItem(agreement) {
  const signed = new Map(agreement.signatures.map((s) => [s.party_id, s]));
  const { corridor } = agreement.document;
  return h("li", {},
    h("strong", {}, t("agreement.title", { id: agreement.id, origin: corridor.origin,
                                           destination: corridor.destination })),
    h("span", { class: agreement.complete ? "badge good" : "badge bad" },
      agreement.complete ? t("agreement.signed_by_all") : t("agreement.awaiting")),
    h("ul", { class: "signatures" }, agreement.document.parties.map((party) => {
      const s = signed.get(party);
      return h("li", {}, s ? t("signature.signed_key", { party, key: s.fingerprint })
        : t("signature.missing", { party }));
    })));
}

function notificationItem(notification, parties, me, act) {
  const awaiting = awaitingParties(notification, parties);
  const answers = notification.acknowledgements
    .map((a) => `${a.party_id} ${word("decision", a.decision)}${a.reason ? ` (${a.reason})` : ""}`)
    .join("; ");
  const mine = awaiting.find((party) => mayAnswer(me, party));
  return h("li", { class: "notification", dataset: { notification: notification.id } },
    h("strong", {}, t("movement.on_corridor", { id: notification.id,
                                               corridor: notification.corridor_id })
      + (notification.emergency ? ` (${t("movement.emergency_mark")})` : "")),
    h("span", { class: "sub" }, t("movement.who_when", {
      movers: notification.movers, count: notification.people,
      start: formatTime(notification.start_at), end: formatTime(notification.end_at) })),
    h("span", { class: "sub" }, t("movement.answers", {
      answers: answers || t("list.none"), parties: awaiting.join(", ") || t("list.nobody") })),
    mine ? answerControls(notification, me, act) : null);
}

function incidentItem(incident) {
  return h("li", {},
    h("strong", {}, t("incident.at", { type: incident.type,
                                      time: formatTime(incident.occurred_at) })),
    h("span", { class: "sub" }, [
      incident.corridor_id ? t("incident.on_corridor", { id: incident.corridor_id })
        : t("incident.no_corridor"),
      incident.suspended_corridor ? t("incident.suspended") : null,
      incident.description || null,
      t("incident.reporter", { name: incident.reporter }),
    ].filter(Boolean).join("; ")));
}

function talksItem(round, partyNames) {
  const delegations = new Map();
  for (const member of round.members) {
    if (!delegations.has(member.party_id)) delegations.set(member.party_id, []);
    delegations.get(member.party_id).push(member);
  }
  return h("li", {},
    h("strong", {}, t("talks.round", { number: round.number,
                                      date: formatDate(new Date(round.date), { dateStyle: "long",
                                                                               timeZone: "UTC" }) })),
    h("span", { class: "sub" }, round.venue),
    [...delegations].map(([party, members]) => h("details", {},
      h("summary", {}, t("talks.delegation", { party: partyNames.get(party) ?? party,
                                              count: members.length })),
      h("ul", {}, members.map((m) => h("li", {},
        `${m.name}, ${m.title}${m.head ? ` (${t("talks.head")})` : ""}`))))));
}

/** Fill every panel from the current state. */
export function renderPanels(state, { me, onOpen, act }) {
  const corridorsById = new Map(state.corridors.map((c) => [c.id, c]));
  const agreementsById = new Map(state.agreements.map((a) => [a.id, a]));
  const partyNames = new Map(state.parties.map((p) => [p.id, p.name]));
  const empty = (text) => h("li", { class: "empty" }, text);
  const open = state.notifications.filter((n) => awaitingParties(
    n, partiesOf(n, corridorsById, agreementsById)).length);
  fill(document.getElementById("proposals"), state.proposals.length
    ? state.proposals.map((p) => proposalItem(p, state.positions.get(p.id) ?? [], onOpen))
    : empty(t("proposals.none")));
  fill(document.getElementById("corridors"), state.corridors.length
    ? state.corridors.map((c) => corridorItem(c, agreementsById, onOpen))
    : empty(t("corridors.none")));
  fill(document.getElementById("agreements"), state.agreements.length
    ? state.agreements.map(agreementItem) : empty(t("agreements.none")));
  fill(document.getElementById("notifications"), open.length
    ? open.map((n) => notificationItem(n, partiesOf(n, corridorsById, agreementsById), me, act))
    : empty(t("notifications.none")));
  fill(document.getElementById("incidents"), state.incidents.length
    ? [...state.incidents].reverse().map(incidentItem) : empty(t("incidents.none")));
  fill(document.getElementById("talks"), state.talks.length
    ? state.talks.map((r) => talksItem(r, partyNames)) : empty(t("talks.none")));
}
