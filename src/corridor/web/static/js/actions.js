// What a user may do, by role: only a party's liaison answers a movement notification for it.
// The server enforces the same rules; these controls only spare users a refused request.
import { h } from "./dom.js";

/** The roles each form is shown to, as the API's routers admit them. */
export const FORM_ROLES = {
  "position-form": ["liaison"],
  "incident-form": ["facilitator", "operator", "liaison"],
  "movement-form": ["facilitator", "operator"],
  "status-form": ["facilitator"],
  "agreement-form": ["facilitator"],
  "sign-form": ["liaison"],
  "corridor-form": ["facilitator"],
};

/** The user's role may use the form with this id. */
export function mayUse(me, formId) {
  return FORM_ROLES[formId].includes(me.role);
}

/** Parties of the corridor's agreement that have not answered the notification yet. */
export function awaitingParties(notification, agreementParties) {
  const answered = new Set(notification.acknowledgements.map((a) => a.party_id));
  return agreementParties.filter((party) => !answered.has(party));
}

/** The user may answer for `party`: a liaison bound to it. */
export function mayAnswer(me, party) {
  return me.role === "liaison" && me.party_id === party;
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
                    "aria-label": `Answer notification ${notification.id} for ${party}` },
    h("button", { type: "button", class: "action acknowledge", dataset: { party },
                  onclick: send("acknowledge") },
      `Acknowledge for ${party}`),
    h("label", {}, "Reason for denial ", reason),
    h("button", { type: "button", class: "action deny", dataset: { party },
                  onclick: send("deny") },
      `Deny for ${party}`));
}
