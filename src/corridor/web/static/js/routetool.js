// "Route between two places": ask GET /api/route for a route between two clicks (or typed
// places) and draw it with its summary and every party's verdict. Nothing is stored.
import * as L from "/static/vendor/leaflet/leaflet-src.esm.js";

import { ApiError } from "./api.js";
import { fill, h } from "./dom.js";
import { formatNumber, t, word } from "./i18n.js";

const $ = (id) => document.getElementById(id);
/** How the drawn route looks: the verdict decides the colour, as on the reports' maps. */
const ACCEPTED = "#1a7f37";
const REJECTED = "#c0262d";

/** A clicked point as the API's `LON,LAT`, to about a metre. */
function lonLat(latlng) {
  return `${latlng.lng.toFixed(5)},${latlng.lat.toFixed(5)}`;
}

function summary(route) {
  const towns = route.settlements.length ? route.settlements.join(", ") : t("route.none_named");
  const ground = route.territories.map((t) => t.label || "-").join(" → ");
  const held = route.held_exposure;
  const others = Object.keys(held.by_territory);
  return [
    h("p", { class: "route-figures",
             text: t("route.figures", { km: formatNumber(route.km, 1),
                                        hours: formatNumber(route.hours, 2),
                                        exposed: formatNumber(route.exposure_km, 1),
                                        mode: word("mode", route.mode) }) }),
    // Km through the other side's ground: checkpoints, filtration, detention.
    h("p", { class: "route-held",
             text: others.length ? t("route.held", { km: formatNumber(held.km, 1),
                                                     territories: others.join(", "),
                                                     risk: word("risk", held.risk) })
               : t("route.held_none") }),
    h("p", { text: t("route.through", { ground, towns }) }),
    h("ul", { class: "route-verdicts", "aria-label": t("route.verdicts") },
      Object.entries(route.verdicts).map(([party, v]) => h("li", {
        class: v.acceptable ? "good" : "bad", dataset: { party } },
      `${party} ${v.acceptable ? t("verdict.accepts") : t("verdict.rejects")}`,
      v.acceptable ? null : `: ${v.reasons.map((r) => r.message).join("; ")}`))),
  ];
}

export class RouteTool {
  /** `map` is the dashboard's CorridorMap, `api` the signed-in client. */
  constructor(map, api) {
    this.map = map.map;
    this.api = api;
    this.layer = L.layerGroup().addTo(this.map);
    this.picking = false;
    this.form = $("route-form");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.route();
    });
    $("route-pick").addEventListener("click", () => this.setPicking(!this.picking));
    $("route-clear").addEventListener("click", () => this.clear());
    // The summary of the route shown is retold in a new language; the line stays.
    this.shown = null;
    document.addEventListener("corridor:language", () => {
      if (this.shown) fill($("route-result"), summary(this.shown));
    });
  }

  setPicking(on) {
    this.picking = on;
    $("route-pick").setAttribute("aria-pressed", String(on));
    this.map.getContainer().classList.toggle("picking", on);
    if (on) {
      $("route-from").value = "";
      $("route-to").value = "";
      this.status(t("route.click_start"));
    }
  }

  /** A map click while picking: the first fills From, the second To and asks for the route. */
  pick(latlng) {
    const target = $("route-from").value ? $("route-to") : $("route-from");
    target.value = lonLat(latlng);
    if (target.id === "route-from") {
      this.status(t("route.click_end"));
      return;
    }
    this.setPicking(false);
    this.route();
  }

  status(text, kind = "") {
    const el = $("route-status");
    el.textContent = text;
    el.className = `message ${kind}`;
  }

  clear() {
    this.setPicking(false);
    this.layer.clearLayers();
    fill($("route-result"));
    this.shown = null;
    this.status("");
  }

  async route() {
    const params = new URLSearchParams({
      from: $("route-from").value.trim(), to: $("route-to").value.trim(),
      mode: $("route-mode").value,
    });
    this.status(t("route.routing"));
    try {
      const answer = await this.api.get(`/api/route?${params}`);
      this.draw(answer);
      this.status(answer.places.map((p) => p.note && `${p.name}: ${p.note}`)
        .filter(Boolean).join(" ") || t("route.routed"), "ok");
    } catch (error) {
      this.layer.clearLayers();
      fill($("route-result"));
      this.shown = null;
      this.status(error instanceof ApiError ? error.detail : String(error), "error");
    }
  }

  draw(answer) {
    const { route } = answer;
    this.layer.clearLayers();
    const line = L.geoJSON(route.line, { style: {
      color: route.acceptable_to_all ? ACCEPTED : REJECTED, weight: 5, opacity: 0.9,
      className: "adhoc-route",
    } }).addTo(this.layer);
    for (const place of answer.places) {
      const [lon, lat] = place.snapped_to;
      L.circleMarker([lat, lon], { radius: 5, color: "#111", fillColor: "#fff", fillOpacity: 1,
        className: `adhoc-place ${place.role}` })
        .bindTooltip(h("span", { text: `${word("place", place.role)}: ${place.name}` }))
        .addTo(this.layer);
    }
    // The line as Leaflet holds it, for whoever checks what the map shows.
    const drawn = line.getLayers()[0];
    drawn.getElement().dataset.line = JSON.stringify(drawn.toGeoJSON(6).geometry.coordinates);
    this.shown = route;
    fill($("route-result"), summary(route));
    this.map.fitBounds(line.getBounds().pad(0.2));
  }
}
