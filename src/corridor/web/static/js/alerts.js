// Alerts raised when a new situation makes a proposal, agreement or corridor other than judged:
// a banner while any is unacknowledged, the list with each party's acknowledgements, and the
// buttons the user's role allows (from /api/me `may`).
import { fill, formatTime, h } from "./dom.js";
import { formatNumber, t, word } from "./i18n.js";

const ACKNOWLEDGE = "alert.acknowledge";

/** The parties the user may acknowledge alerts for: a liaison's own, nobody's for others. */
function ackParties(me) {
  return me.may.filter((row) => row.action === ACKNOWLEDGE && row.party).map((row) => row.party);
}

function where(alert) {
  const parts = [];
  if (alert.km_from_origin !== null) {
    parts.push(t("alert.km", { km: formatNumber(alert.km_from_origin) }));
  }
  if (alert.near) parts.push(t("alert.near", { place: alert.near }));
  return parts.join(", ");
}

function alertItem(alert, parties, acknowledge) {
  const acked = new Set(alert.acknowledgements.map((a) => a.party_id));
  const cleared = alert.cleared_situation_id !== null;
  return h("li", { class: `alert ${cleared ? "cleared" : "active"}`,
                   dataset: { alert: alert.id } },
    h("span", { class: `badge ${cleared ? "" : "bad"}` }, cleared ? t("alert.cleared") : word("alert", alert.kind)),
    h("strong", {}, alert.message),
    h("span", { class: "sub" },
      [t("alert.since", { situation: alert.situation_id, time: formatTime(alert.created_at) }),
        cleared ? t("alert.cleared_by", { situation: alert.cleared_situation_id }) : null,
        where(alert) || null].filter(Boolean).join("; ")),
    h("span", { class: "sub acknowledged" }, alert.acknowledgements.length
      ? t("alert.acknowledged_by", { parties: [...acked].join(", ") })
      : t("alert.not_acknowledged")),
    parties.filter((party) => !acked.has(party)).map((party) => h("button", {
      type: "button", class: "acknowledge-alert", dataset: { party },
      onclick: () => acknowledge(alert.id, party),
    }, t("answer.acknowledge", { party }))));
}

/** Alerts the user still has to see: active ones their party (or, without one, anyone) left. */
function pending(alerts, parties) {
  return alerts.filter((a) => a.cleared_situation_id === null
    && (parties.length === 0
      || parties.some((party) => !a.acknowledgements.some((ack) => ack.party_id === party))));
}

/**
 * Draw the list (newest first) and the banner. `acknowledge(alertId, party)` sends the
 * acknowledgement; `onAlerts(alerts)` lets the dossier show those of its corridor.
 */
export function renderAlerts(alerts, me, acknowledge) {
  const parties = ackParties(me);
  const newest = [...alerts].reverse();
  fill(document.getElementById("alerts"), newest.length
    ? newest.map((alert) => alertItem(alert, parties, acknowledge))
    : h("li", { class: "empty" }, t("alerts.none")));
  const banner = document.getElementById("alerts-banner");
  const open = pending(newest, parties);
  banner.hidden = open.length === 0;
  if (open.length) {
    fill(banner,
      h("strong", {}, `${t("alerts.attention", { count: open.length })} `),
      h("span", {}, open[0].message),
      h("a", { href: "#alerts-heading" }, t("alerts.see")));
  }
}
