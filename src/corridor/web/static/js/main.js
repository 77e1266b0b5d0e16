// The dashboard: log in with a token, draw the map and panels, keep them live from the event stream.
import { renderAlerts } from "./alerts.js";
import { Api, ApiError, newKey } from "./api.js";
import { renderDossier } from "./details.js";
import { fill, h, useZone } from "./dom.js";
import { setUpForms } from "./forms.js";
import { LANGUAGES, N_, language, preferredLanguage, setLanguage, t, word } from "./i18n.js";
import { CorridorMap } from "./map.js";
import { renderPanels } from "./panels.js";
import { RouteTool } from "./routetool.js";
import { setUpStatement } from "./statement.js";
import { followEvents } from "./stream.js";
import { setUpTimeline } from "./timeline.js";

const TOKEN_KEY = "corridor.token";
const $ = (id) => document.getElementById(id);

let api = null;
let me = null;
let map = null;
let stream = null;
let forms = null;
let openProposal = null;
let refreshTimer = null;
let timeline = null;
/** The map's data as last fetched for the legends, which are redrawn in a new language. */
let legendData = null;
/** What the connection light says, by the stream's state. */
const LIVE = { live: N_("live.live"), reconnecting: N_("live.reconnecting") };

function showMessage(text, kind = "error", message = $("message")) {
  message.textContent = text;
  message.className = `message ${kind}`;
}

async function loadState() {
  const [proposals, agreements, corridors, notifications, incidents, talks, parties, alerts] =
    await Promise.all(["/api/proposals", "/api/agreements", "/api/corridors",
      "/api/notifications", "/api/incidents", "/api/talks", "/api/parties", "/api/alerts"]
      .map((path) => api.listAll(path)));
  const positions = new Map(await Promise.all(proposals.map(async (p) => [
    p.id, await api.listAll(`/api/proposals/${p.id}/positions`)])));
  return { proposals, agreements, corridors, notifications, incidents, talks, parties, positions,
           alerts };
}

async function refresh() {
  const [state, mapData] = await Promise.all([loadState(), api.get("/api/map")]);
  renderPanels(state, { me, onOpen: openDossier, act: answer });
  renderAlerts(state.alerts, me, acknowledgeAlert);
  await timeline.refresh();
  forms.update(state, mapData.status_transitions);
  map.drawLive(mapData);
  if (openProposal !== null) await showDossier(openProposal);
  document.body.dataset.refreshed = String(Date.now());
}

/** Coalesce a burst of events into one refresh. */
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh().catch(reportError), 300);
}

function reportError(error, message = $("message")) {
  showMessage(error instanceof ApiError ? error.detail : String(error), "error", message);
}

async function showDossier(proposalId) {
  const dossier = await api.get(`/api/map/proposals/${proposalId}`);
  renderDossier(dossier, {
    me, act: answer, openSheet, loadOdds: (id) => api.get(`/api/proposals/${id}/odds`),
  });
  forms.showProposal(dossier.proposal);
}

async function openDossier(proposalId) {
  openProposal = proposalId;
  try {
    await showDossier(proposalId);
    map.focusProposal(proposalId);
    // Keyboard and screen-reader users land on what they opened.
    $("details-heading").focus();
  } catch (error) {
    reportError(error);
  }
}

/**
 * Send one change under the submission's Idempotency-Key and say how it went in `message`: the
 * server's refusal is shown as it is. The panels follow from the change's event.
 */
async function send(path, body, success, key, message = $("message")) {
  try {
    await api.post(path, body, key);
    showMessage(success, "ok", message);
    return true;
  } catch (error) {
    reportError(error, message);
    return false;
  }
}

/** Answer a movement notification. */
function answer(notificationId, partyId, decision, reason) {
  return send(`/api/notifications/${notificationId}/acknowledgements`,
    { party_id: partyId, decision, reason },
    t("answer.recorded", { id: notificationId, decision: word("decision", decision),
                           party: partyId }), newKey());
}

/** Acknowledge an alert for a party. */
function acknowledgeAlert(alertId, partyId) {
  return send(`/api/alerts/${alertId}/acknowledgements`, { party_id: partyId },
    t("alert.acknowledged", { id: alertId, party: partyId }), newKey());
}

/** Sheets need the bearer header too, so they are fetched and opened from memory. */
async function openSheet(proposalId, format) {
  try {
    const suffix = format === "html" ? "" : `.${format}`;
    const blob = await api.blob(`/sheets/proposals/${proposalId}${suffix}`);
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, target: "_blank", rel: "noopener" });
    // The PDF and the route files (GPX, KML) are saved; the HTML sheet opens in a tab.
    if (format !== "html") link.download = `corridor-sheet-${proposalId}${suffix}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    reportError(error);
  }
}

function swatch(colour, shape) {
  return h("span", { class: `swatch ${shape}`, style: `background:${colour}`,
                     "aria-hidden": "true" });
}

/** What the colours mean: corridors by status, and areas by who holds them. */
function drawLegends(mapData) {
  fill($("legend"), Object.entries(mapData.status_colours).map(([status, colour]) => h("li", {},
    swatch(colour, "line"), word("status", status))));
  // Hazard zones tint what they cover (contested ground may be one whole): the legend says so.
  const hazard = mapData.styles.hazards;
  const tint = `color-mix(in srgb, ${hazard.fill} ${hazard.fill_opacity * 100}%, transparent)`;
  fill($("areas"), mapData.legend.map((holder) => h("li", { dataset: { holder: holder.name } },
    swatch(holder.colour, "area"), holder.name)),
  mapData.hazards.features.length ? h("li", { class: "hazard" },
    h("span", { class: "swatch area", style: `background:${tint};border-color:${hazard.stroke}`,
                "aria-hidden": "true" }), t("map.hazard_zone")) : null);
}

/** Who is logged in and the zone of the times shown, in the page's language. */
function drawSession() {
  const who = { name: me.name, role: word("role", me.role), party: me.party_id };
  $("who").textContent = me.party_id ? t("session.who_for", who) : t("session.who", who);
  $("zone").textContent = t("session.zone", { zone: useZone() });
}

/** Set the live light to `key` (one of LIVE's): kept as the key, so a new language rewrites it. */
function showLive(key) {
  $("live").dataset.i18n = key;
  $("live").textContent = t(key);
}

async function start(token) {
  api = new Api(token);
  me = await api.get("/api/me");
  sessionStorage.setItem(TOKEN_KEY, token);
  // The user's own setting, kept by the server, follows them from browser to browser.
  if (me.language in LANGUAGES && me.language !== language()) await changeLanguage(me.language);
  $("login").hidden = true;
  $("dashboard").hidden = false;
  $("session").hidden = false;
  document.body.dataset.role = me.role;
  const mapData = await api.get("/api/map");
  legendData = mapData;
  const zone = useZone(mapData.setting.timezone);
  drawSession();
  forms = setUpForms(me, {
    send, openProposal: () => openProposal,
    bytes: async (path) => (await api.blob(path)).arrayBuffer(),
  }, { ...mapData.setting, timezone: zone });
  setUpStatement(me, { post: (path, body, key) => api.post(path, body, key), send }, zone);
  // A click picks a route's end while the route tool asks for one, else an incident's place.
  map = new CorridorMap($("map"), openDossier,
    (place) => (routeTool.picking ? routeTool.pick(place) : forms.pickPlace(place)),
    api.headers());
  const routeTool = new RouteTool(map, api);
  map.drawBase(mapData);
  drawLegends(mapData);
  timeline = setUpTimeline(api, map, mapData, reportError);
  await refresh();
  stream = followEvents(api, {
    onEvent: scheduleRefresh,
    onState: (state) => showLive(LIVE[state]),
  });
}

function logout() {
  stream?.stop();
  sessionStorage.removeItem(TOKEN_KEY);
  window.location.reload();
}

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    await start($("token").value.trim());
  } catch (error) {
    $("login-error").textContent = error instanceof ApiError
      ? t("login.refused", { detail: error.detail }) : String(error);
  }
}

/** Show the page in `lang`, the picker saying so. */
async function changeLanguage(lang) {
  await setLanguage(lang);
  $("language").value = lang;
}

/**
 * The user picked a language: the page follows at once, and a logged-in user's setting is
 * kept by the server, which then answers them in it wherever they log in.
 */
async function pickLanguage() {
  const lang = $("language").value;
  try {
    await changeLanguage(lang);
    if (api && me.language !== lang) me = await api.patch("/api/me", { language: lang });
  } catch (error) {
    reportError(error, api ? $("message") : $("login-error"));
  }
}

/** Redraw what the page wrote itself, in the new language; what the user typed stays. */
async function retell() {
  if (!legendData) return;
  drawSession();
  legendData = await api.get("/api/map");
  drawLegends(legendData);
  await refresh();
}

$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", logout);
$("language").addEventListener("change", pickLanguage);
document.addEventListener("corridor:language", () => retell().catch(reportError));
const saved = sessionStorage.getItem(TOKEN_KEY);
changeLanguage(preferredLanguage())
  .then(() => (saved ? start(saved) : null))
  .catch(() => sessionStorage.removeItem(TOKEN_KEY));
