// The offline basemap: MapLibre GL draws the scenario's vector tiles (one PMTiles file, read by
// HTTP range requests from this server) under the Leaflet layers, following Leaflet's view.
// Leaflet keeps drawing the project's own layers as SVG: proposal lines stay real elements
// that take keyboard focus and speak to screen readers, which a WebGL canvas cannot offer.
import * as L from "/static/vendor/leaflet/leaflet-src.esm.js";

const VENDOR = "/static/vendor";
/** The SDF glyphs shipped with the app (static/glyphs/SOURCE.md): labels need no font server. */
const GLYPHS = "/static/app/glyphs/{fontstack}/{range}.pbf";
const FONT = ["DejaVu Sans"];
const LANGUAGES = new Set(["en", "uk", "ru"]);

const ROAD_COLOURS = {
  motorway: "#d9485f", trunk: "#e8763a", primary: "#f2a93b", secondary: "#f5d36b",
  tertiary: "#ffffff", unclassified: "#ffffff", residential: "#ffffff",
};
const ROAD_CASING = "#a39a8c";
const LANDUSE_COLOURS = {
  residential: "#e6dfd6", industrial: "#e3d6e6", farmland: "#eef0d5", grass: "#d6ecc4",
  wood: "#b9d8a6", park: "#c8e6b4", rock: "#dedad3", ice: "#f2f7fb",
};
const WATER = "#9cc3e6";

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement("script");
    el.src = src;
    el.addEventListener("load", resolve);
    el.addEventListener("error", () => reject(new Error(`cannot load ${src}`)));
    document.head.append(el);
  });
}

let engine;

/**
 * MapLibre's CSP build (no eval, its worker a file from this server rather than a blob) and
 * the PMTiles protocol, loaded the first time a basemap is shown: without one they cost nothing.
 */
function loadEngine() {
  engine ??= Promise.all([loadScript(`${VENDOR}/maplibre-gl/maplibre-gl-csp.js`),
    loadScript(`${VENDOR}/pmtiles/pmtiles.js`)]).then(() => {
    window.maplibregl.setWorkerUrl(`${VENDOR}/maplibre-gl/maplibre-gl-csp-worker.js`);
    const protocol = new window.pmtiles.Protocol();
    window.maplibregl.addProtocol("pmtiles", protocol.tile);
    return protocol;
  });
  return engine;
}

/** A label in `lang` where the place has one, else its local name. */
export function labelField(lang) {
  return LANGUAGES.has(lang) ? ["coalesce", ["get", `name:${lang}`], ["get", "name"]]
    : ["get", "name"];
}

function byClass(colours, fallback) {
  return ["match", ["get", "class"], ...Object.entries(colours).flat(), fallback];
}

/**
 * A road's width in pixels by zoom: `major` tells trunk roads (wider) from the rest, whose
 * width at zoom 5 is `minor`.
 */
function roadWidth(major, minor) {
  return ["interpolate", ["exponential", 1.6], ["zoom"], 5, ["case", major, 1.2, minor],
    10, ["case", major, 3, 1], 14, ["case", major, 8, 4]];
}

function style(url, lang) {
  const major = ["in", ["get", "class"], ["literal", ["motorway", "trunk", "primary"]]];
  const schematic = ["==", ["get", "schematic"], true];
  return {
    version: 8,
    // Absolute, with the placeholders MapLibre fills in (URL() would escape their braces).
    glyphs: `${location.origin}${GLYPHS}`,
    sources: { basemap: { type: "vector", url: `pmtiles://${url}` } },
    layers: [
      { id: "landuse", type: "fill", source: "basemap", "source-layer": "landuse",
        paint: { "fill-color": byClass(LANDUSE_COLOURS, "#e8e4dc"), "fill-opacity": 0.8 } },
      { id: "water", type: "fill", source: "basemap", "source-layer": "water",
        paint: { "fill-color": WATER } },
      { id: "waterways", type: "line", source: "basemap", "source-layer": "waterways",
        paint: { "line-color": WATER,
          "line-width": ["interpolate", ["linear"], ["zoom"], 8, 0.5, 14, 3] } },
      { id: "countries", type: "line", source: "basemap", "source-layer": "countries",
        paint: { "line-color": "#6b5b7b", "line-width": 1.4, "line-dasharray": [4, 2] } },
      { id: "road-casing", type: "line", source: "basemap", "source-layer": "roads",
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": ROAD_CASING, "line-gap-width": roadWidth(major, 0.6),
          "line-width": 0.6 } },
      { id: "roads", type: "line", source: "basemap", "source-layer": "roads",
        filter: ["!", schematic],
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": byClass(ROAD_COLOURS, "#ffffff"), "line-width": roadWidth(major, 0.6) } },
      // A schematic skeleton is not a surveyed road: dashed, as its note on the map says.
      { id: "roads-schematic", type: "line", source: "basemap", "source-layer": "roads",
        filter: schematic,
        paint: { "line-color": byClass(ROAD_COLOURS, "#ffffff"), "line-width": roadWidth(major, 0.6),
          "line-dasharray": [3, 1.5] } },
      { id: "road-refs", type: "symbol", source: "basemap", "source-layer": "roads",
        minzoom: 9, filter: ["has", "ref"],
        layout: { "symbol-placement": "line", "text-field": ["get", "ref"], "text-font": FONT,
          "text-size": 10 },
        paint: { "text-color": "#5a4a3a", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } },
      { id: "places", type: "symbol", source: "basemap", "source-layer": "places",
        layout: { "text-field": labelField(lang), "text-font": FONT,
          "text-size": ["interpolate", ["linear"], ["get", "population"], 0, 11, 100000, 13,
            1000000, 16],
          "symbol-sort-key": ["-", 0, ["get", "population"]],
          "text-max-width": 8 },
        paint: { "text-color": "#1f1f1f", "text-halo-color": "#ffffff", "text-halo-width": 1.6 } },
    ],
  };
}

/**
 * The basemap as a Leaflet layer, so the layer control can switch it off: a MapLibre map in a
 * box under Leaflet's panes, moved to Leaflet's centre and zoom (MapLibre's 512-pixel zoom
 * levels are one below Leaflet's 256-pixel ones) whenever Leaflet's view changes.
 */
export const Basemap = L.Layer.extend({
  /** `url` is the PMTiles file, `headers` what reading it takes (the bearer token). */
  initialize(url, headers, lang) {
    this.url = new URL(url, location.origin).href;
    this.headers = headers;
    this.lang = lang;
    this.box = L.DomUtil.create("div", "basemap");
    this.box.setAttribute("aria-hidden", "true");
    this.ready = this.start();
  },

  async start() {
    const protocol = await loadEngine();
    if (!protocol.get(this.url)) {
      protocol.add(new window.pmtiles.PMTiles(
        new window.pmtiles.FetchSource(this.url, new Headers(this.headers))));
    }
    this.gl = new window.maplibregl.Map({
      container: this.box, style: style(this.url, this.lang), interactive: false,
      attributionControl: false, center: [0, 20], zoom: 1, fadeDuration: 0,
      // Kept after drawing, so the printed page (and a screenshot) shows it.
      canvasContextAttributes: { preserveDrawingBuffer: true },
    });
    // For whoever checks what the map shows (the tests read its rendered features).
    this.box.maplibre = this.gl;
    this.gl.on("idle", () => {
      this.box.dataset.idle = String(Number(this.box.dataset.idle ?? 0) + 1);
    });
    this.resize();
    await new Promise((resolve) => this.gl.once("idle", resolve));
    return this.gl;
  },

  onAdd(map) {
    map.getContainer().prepend(this.box);
    this.box.hidden = false;
    map.on("move zoom viewreset", this.sync, this);
    map.on("resize", this.resize, this);
    map.on("zoomanim", this.animate, this);
    this.sync();
    this.resize();
  },

  onRemove(map) {
    this.box.hidden = true;
    map.off("move zoom viewreset", this.sync, this);
    map.off("resize", this.resize, this);
    map.off("zoomanim", this.animate, this);
  },

  sync() {
    if (!this.gl || !this._map) return;
    const centre = this._map.getCenter();
    this.gl.jumpTo({ center: [centre.lng, centre.lat], zoom: this._map.getZoom() - 1 });
  },

  /** Leaflet animates a zoom with CSS: go straight to where it is heading. */
  animate(event) {
    this.gl?.jumpTo({ center: [event.center.lng, event.center.lat], zoom: event.zoom - 1 });
  },

  resize() {
    this.gl?.resize();
    this.sync();
  },

  /** Show place names in `lang` (`en`, `uk`, `ru`), falling back to the local name. */
  setLanguage(lang) {
    this.lang = lang;
    this.gl?.setLayoutProperty("places", "text-field", labelField(lang));
  },
});
