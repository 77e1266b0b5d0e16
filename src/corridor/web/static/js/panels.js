// The lists beside the map: proposals, corridors, agreements, notifications, incidents and talks.
import { answerControls, awaitingParties, mayAnswer } from "./actions.js";
import { fill, formatTime, h } from "./dom.js";

/** The parties that must answer a notification: those of its corridor's agreement. */
export function partiesOf(notification, corridorsById, agreementsById) {
  const corridor = corridorsById.get(notification.corridor_id);
  const agreement = corridor && agreementsById.get(corridor.agreement_id);
  return agreement ? agreement.document.parties : [];
}

function proposalItem(proposal, positions, onOpen) {
  const stances = positions.map((p) => `${p.party_id}: ${p.stance}`).join(", ");
  const rules = Object.entries(proposal.verdicts)
    .map(([party, v]) => `${party} ${v.acceptable ? "acceptable" : "rejected"}`).join(", ");
  // A button is reachable with Tab and opens with Enter or Space, like any other control.
  return h("li", {},
    h("button", { type: "button", class: "open-proposal", dataset: { proposal: proposal.id },
                  onclick: () => onOpen(proposal.id) },
      h("strong", {}, `${proposal.number ?? proposal.id}. ${proposal.origin} → ${proposal.destination}`),
      h("span", { class: "sub" }, `by ${proposal.proposer_id}; rules: ${rules || "none"}`),
      h("span", { class: "sub" }, `positions: ${stances || "none yet"}`)));
}

/**
 * A corridor, opening the proposal it was agreed from (route, verdicts, signatures, movements)
 * when there is one; a corridor set up without a proposal has no dossier to open.
 */
function corridorItem(corridor, agreementsById, onOpen) {
  const title = `Corridor ${corridor.id} "${corridor.name}": `
    + `${corridor.origin} → ${corridor.destination} `;
  const badge = h("span", { class: `badge status-${corridor.status}` }, corridor.status);
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
    h("strong", {}, `Agreement ${agreement.id}: ${corridor.origin} → ${corridor.destination}`),
    h("span", { class: agreement.complete ? "badge good" : "badge bad" },
      agreement.complete ? "signed by all" : "awaiting signatures"),
    h("ul", { class: "signatures" }, agreement.document.parties.map((party) => {
      const s = signed.get(party);
      return h("li", {}, s ? `${party}: signed, key ${s.fingerprint}` : `${party}: not signed`);
    })));
}

function notificationItem(notification, parties, me, act) {
  const awaiting = awaitingParties(notification, parties);
  const answers = notification.acknowledgements
    .map((a) => `${a.party_id} ${a.decision}${a.reason ? ` (${a.reason})` : ""}`).join("; ");
  const mine = awaiting.find((party) => mayAnswer(me, party));
  return h("li", { class: "notification", dataset: { notification: notification.id } },
    h("strong", {}, `Movement ${notification.id} on corridor ${notification.corridor_id}`
      + (notification.emergency ? " (emergency)" : "")),
    h("span", { class: "sub" }, `${notification.movers}, ${notification.people} people, `
      + `${formatTime(notification.start_at)} to ${formatTime(notification.end_at)}`),
    h("span", { class: "sub" }, `answers: ${answers || "none"}; awaiting: `
      + `${awaiting.join(", ") || "nobody"}`),
    mine ? answerControls(notification, me, act) : null);
}

function incidentItem(incident) {
  return h("li", {},
    h("strong", {}, `${incident.type} at ${formatTime(incident.occurred_at)}`),
    h("span", { class: "sub" }, [
      incident.corridor_id ? `corridor ${incident.corridor_id}` : "no corridor",
      incident.suspended_corridor ? "corridor suspended" : null,
      incident.description || null,
      `reported by ${incident.reporter}`,
    ].filter(Boolean).join("; ")));
}

function talksItem(round, partyNames) {
  const delegations = new Map();
  for (const member of round.members) {
    if (!delegations.has(member.party_id)) delegations.set(member.party_id, []);
    delegations.get(member.party_id).push(member);
  }
  return h("li", {},
    h("strong", {}, `Round ${round.number}, ${round.date}`),
    h("span", { class: "sub" }, round.venue),
    [...delegations].map(([party, members]) => h("details", {},
      h("summary", {}, `${partyNames.get(party) ?? party} delegation (${members.length})`),
      h("ul", {}, members.map((m) => h("li", {},
        `${m.name}, ${m.title}${m.head ? " (head)" : ""}`))))));
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
    : empty("No proposals."));
  fill(document.getElementById("corridors"), state.corridors.length
    ? state.corridors.map((c) => corridorItem(c, agreementsById, onOpen))
    : empty("No corridors."));
  fill(document.getElementById("agreements"), state.agreements.length
    ? state.agreements.map(agreementItem) : empty("No agreements."));
  fill(document.getElementById("notifications"), open.length
    ? open.map((n) => notificationItem(n, partiesOf(n, corridorsById, agreementsById), me, act))
    : empty("Nothing awaits an answer."));
  fill(document.getElementById("incidents"), state.incidents.length
    ? [...state.incidents].reverse().map(incidentItem) : empty("No incidents."));
  fill(document.getElementById("talks"), state.talks.length
    ? state.talks.map((r) => talksItem(r, partyNames)) : empty("No talks recorded."));
}
