// What a user may do, as the server's policy says in /api/me (`me.may`): the server enforces
// the same table, so these controls only spare users a refused request.
import { h } from "./dom.js";
import { t } from "./i18n.js";

/** The policy action each form takes. */
export const FORM_ACTIONS = {
  "position-form": "position.create",
  "incident-form": "incident.create",
  "movement-form": "notification.create",
  "status-form": "corridor.change_status",
  "agreement-form": "agreement.create",
  "sign-form": "signature.create",
  "corridor-form": "corridor.create",
};

/** The policy's row for `action` if the user may take it (for `party`, when given). */
function permitted(me, action, party) {
  return me.may.find((row) => row.action === action
    && (party === undefined || row.party === null || row.party === party));
}

/** The user may use the form with this id. */
export function mayUse(me, formId) {
  return Boolean(permitted(me, FORM_ACTIONS[formId]));
}

/** The user may suspend a corridor (by status, or with an incident). */
export function maySuspend(me) {
  return Boolean(permitted(me, "corridor.suspend"));
}

/** Parties of the corridor's agreement that have not answered the notification yet. */
export function awaitingParties(notification, agreementParties) {
  const answered = new Set(notification.acknowledgements.map((a) => a.party_id));
  return agreementParties.filter((party) => !answered.has(party));
}

/** The user may answer a movement notification for `party`. */
export function mayAnswer(me, party) {
  return Boolean(permitted(me, "acknowledgement.create", party));
}

/**
 * Acknowledge and deny controls for one notification, acting for the user's party.
 * `act(notificationId, partyId, decision, reason)` sends the answer.
 */
export function answerControls(notification, me, act) {
  const party = me.party_id;
  // The same notification can be on screen twice (list and details): label by nesting, not id.
  const reason = h("input", { type: "text", class: "reason" });
  const send = (decision) => (event) => act(
    notification.id, event.currentTarget.dataset.party, decision, reason.value.trim());
  return h("div", { class: "actions", role: "group",
                    "aria-label": t("answer.group", { id: notification.id, party }) },
    h("button", { type: "button", class: "action acknowledge", dataset: { party },
                  onclick: send("acknowledge") },
      t("answer.acknowledge", { party })),
    h("label", {}, `${t("answer.reason")} `, reason),
    h("button", { type: "button", class: "action deny", dataset: { party },
                  onclick: send("deny") },
      t("answer.deny", { party })));
}
