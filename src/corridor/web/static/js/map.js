// The Leaflet map: the project's own layers from GET /api/map, drawn as SVG, over the
// scenario's offline basemap when the server has one (basemap.js).
import * as L from "/static/vendor/leaflet/leaflet-src.esm.js";

import { Basemap } from "./basemap.js";
import { h } from "./dom.js";
import { formatNumber, N_, t, word } from "./i18n.js";

const NEUTRAL_FILL = "#e6e6e6";
/** Roads of the classes the reports leave out: thin, so the major ones stand out. */
const MINOR_ROAD = { stroke: "#8a7a60", stroke_width: 0.5, fill: "none", fill_opacity: 0,
                     dash: null, radius: 0 };
/** How much of the basemap shows through the control areas drawn over it. */
const AREA_OPACITY_OVER_BASEMAP = 0.35;
/** Base layers whose features carry a name to show on hover. */
const NAMED = new Set(["Closures", "Checkpoints"]);
/** What the layer control calls each layer, in the page's language. */
const LAYER_NAMES = {
  Basemap: N_("layer.basemap"), Countries: N_("layer.countries"), Control: N_("layer.control"),
  Hazards: N_("layer.hazards"), "Front line": N_("layer.front_line"), Roads: N_("layer.roads"),
  Closures: N_("layer.closures"), Checkpoints: N_("layer.checkpoints"),
  "Changed hands": N_("layer.changes"), Corridors: N_("layer.corridors"),
  Convoys: N_("layer.convoys"), Incidents: N_("layer.incidents"),
};

/**
 * A style served by /api/map (named as in SVG) as Leaflet options for `feature`: a line is
 * never filled, as SVG would not fill it either.
 */
function leafletStyle(style, feature) {
  const line = feature.geometry.type.endsWith("LineString");
  return {
    color: style.stroke, weight: style.stroke_width, stroke: style.stroke !== "none",
    fillColor: style.fill, fill: style.fill !== "none" && !line,
    fillOpacity: style.fill_opacity, dashArray: style.dash, radius: style.radius,
  };
}

function corridorLabel(p) {
  const what = p.kind === "proposal" ? t("proposal.number", { number: p.number ?? p.proposal_id })
    : p.name;
  return t("map.corridor", { what, origin: p.origin, destination: p.destination,
                             status: word("status", p.status) });
}

/**
 * Tooltip content as a text node in an element: Leaflet parses a string as HTML, and labels,
 * movers and incident descriptions are whatever a user typed.
 */
function asText(text) {
  return h("span", { text });
}

/** An area's path names its label, as its legend entry does. */
function labelArea(feature, shape) {
  shape.on("add", () => { shape.getElement().dataset.label = feature.properties.label; });
}

/** A control in the map's corner with the schematic warning and attribution. */
function noteControl(text) {
  const NoteControl = L.Control.extend({
    onAdd() {
      return h("p", { class: "data-note", role: "note", text });
    },
  });
  return new NoteControl({ position: "bottomleft" });
}

const SVG = "http://www.w3.org/2000/svg";
const HATCH = "#8a1116";

function svgElement(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

/** Fill `path` with diagonal stripes, defining the pattern in its SVG the first time. */
function hatch(path) {
  const svg = path.ownerSVGElement;
  if (!svg.querySelector("#hatch")) {
    const pattern = svgElement("pattern", { id: "hatch", width: 8, height: 8,
      patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    pattern.append(svgElement("line", { x1: 0, y1: 0, x2: 0, y2: 8, stroke: HATCH,
      "stroke-width": 3 }));
    const defs = svgElement("defs", {});
    defs.append(pattern);
    svg.prepend(defs);
  }
  path.setAttribute("fill", "url(#hatch)");
}

export class CorridorMap {
  /**
   * `onSelect(proposalId)` is called when a proposal's line is clicked, `onPick({lat, lng})`
   * when any place on the map is; `headers` are what reading the basemap takes.
   */
  constructor(element, onSelect, onPick, headers = {}) {
    this.onSelect = onSelect;
    this.headers = headers;
    this.basemap = null;
    this.map = L.map(element, { zoomSnap: 0.25, attributionControl: false, preferCanvas: false });
    this.map.on("click", (event) => onPick(event.latlng));
    this.map.setView([20, 0], 2);  // until the scenario's bounds or the corridors frame it
    // Top left, under the zoom buttons: the north-east, where most corridors start, stays clear.
    this.layers = L.control.layers(null, null, { collapsed: false, position: "topleft" })
      .addTo(this.map);
    this.live = {};
    this.base = [];
    this.changes = null;
    this.note = null;
    // The printed map is another size than the screen's: Leaflet must measure it again.
    for (const event of ["beforeprint", "afterprint"]) {
      window.addEventListener(event, () => this.map.invalidateSize({ animate: false }));
    }
    document.addEventListener("corridor:language", () => this.renameOverlays());
  }

  /** List `layer` in the layer control as `name` (a key of LAYER_NAMES), in the language. */
  addOverlay(layer, name) {
    layer.overlayName = name;
    this.layers.addOverlay(layer, t(LAYER_NAMES[name]));
  }

  /** Name the listed layers again, in a new language and the order they were listed in. */
  renameOverlays() {
    const listed = [this.basemap, ...this.base, ...Object.values(this.live), this.changes]
      .filter(Boolean);
    for (const layer of listed) this.layers.removeLayer(layer);
    for (const layer of listed) this.addOverlay(layer, layer.overlayName);
  }

  /**
   * The scenario's base layers, in the styles the server's reports draw them with; drawn once,
   * they do not change while the server runs. Areas are opaque, so each is drawn in exactly its
   * legend colour; closures and checkpoints name themselves on hover.
   */
  drawBase(data) {
    // Drawn again when the date slider moves to another situation: the old ground goes first.
    for (const layer of this.base) {
      this.layers.removeLayer(layer);
      layer.remove();
    }
    this.base = [];
    const { styles } = data;
    const territory = data.territory_colours;
    this.addBasemap(data.basemap);
    // Over a basemap, the filled areas let its roads and names show through.
    const see = (drawn) => (this.basemap
      ? { ...drawn, fillOpacity: drawn.fillOpacity * AREA_OPACITY_OVER_BASEMAP } : drawn);
    const base = [
      ["Countries", data.countries, (f) => see(leafletStyle(styles.countries, f))],
      ["Control", data.control, (f) => see({
        stroke: false, fillColor: territory[f.properties.label] ?? NEUTRAL_FILL,
        fillOpacity: territory[f.properties.label] ? 1 : 0, className: "area" })],
      ["Hazards", data.hazards, (f) => leafletStyle(styles.hazards, f)],
      ["Front line", data.front_line, (f) => leafletStyle(styles.front_line, f)],
      ["Roads", data.roads, (f) => leafletStyle(styles[`road_${f.properties.class}`]
        ?? MINOR_ROAD, f)],
      ["Closures", data.closures, (f) => leafletStyle(styles.closures, f)],
      ["Checkpoints", data.checkpoints, (f) => leafletStyle(styles.checkpoints, f)],
    ];
    for (const [name, collection, style] of base) {
      if (!collection.features.length) continue;
      const named = NAMED.has(name);
      // A named layer's paths carry its name as their class ("closures", "checkpoints").
      const drawn = named ? (f) => ({ ...style(f), className: name.toLowerCase() }) : style;
      const layer = L.geoJSON(collection, {
        style: drawn, interactive: named,
        pointToLayer: (f, latlng) => L.circleMarker(latlng, drawn(f)),
        onEachFeature: name === "Control" ? labelArea
          : named ? (f, shape) => shape.bindTooltip(asText(f.properties.name)) : undefined,
      });
      // The basemap draws the roads by class already: the network's own stay one click away.
      if (!(this.basemap && name === "Roads")) layer.addTo(this.map);
      this.addOverlay(layer, name);
      this.base.push(layer);
    }
    for (const layer of [...Object.values(this.live), this.changes]) layer?.bringToFront();
    if (this.note) return;
    if (data.data_note) {
      this.note = noteControl(data.data_note).addTo(this.map);
    }
    if (data.bbox) {
      const [w, s, e, n] = data.bbox;
      this.map.fitBounds([[s, w], [n, e]]);
    }
  }

  /**
   * The scenario's basemap at `url` (null: the server has none), under every other layer and
   * switched on and off with them; added once, it stays while the date slider redraws the rest.
   */
  addBasemap(url) {
    if (!url || this.basemap) return;
    this.basemap = new Basemap(url, this.headers, document.documentElement.lang);
    this.basemap.addTo(this.map);
    this.addOverlay(this.basemap, "Basemap");
    document.addEventListener("corridor:language",
      (event) => this.basemap.setLanguage(event.detail.lang));
  }

  /**
   * Ground that changed hands between two dates, hatched over the areas (`null` clears it).
   * Each area names its holders and size on hover.
   */
  drawChanges(collection) {
    if (this.changes) {
      this.layers.removeLayer(this.changes);
      this.changes.remove();
      this.changes = null;
    }
    if (!collection) return;
    this.changes = L.geoJSON(collection, {
      style: () => ({ color: HATCH, weight: 1.5, fillOpacity: 1, className: "changed-hands" }),
      onEachFeature: (f, shape) => {
        const p = f.properties;
        shape.bindTooltip(asText(t("changes.area", { from: p.from ?? t("list.nobody"),
          to: p.to ?? t("list.nobody"), km2: formatNumber(p.km2, 1) })),
          { sticky: true });
        shape.on("add", () => hatch(shape.getElement()));
      },
    }).addTo(this.map);
    this.addOverlay(this.changes, "Changed hands");
  }

  /** Corridors, convoys and incidents: replaced on every refresh. */
  drawLive(data) {
    const colours = data.status_colours;
    const live = {
      Corridors: L.geoJSON(data.corridors, {
        style: (f) => ({
          color: colours[f.properties.status] ?? "#111", weight: 4, opacity: 0.9,
          dashArray: f.properties.status === "rejected" ? "8 5" : null,
          className: `corridor status-${f.properties.status}`,
        }),
        onEachFeature: (f, layer) => {
          layer.bindTooltip(asText(corridorLabel(f.properties)), { sticky: true });
          if (f.properties.kind === "proposal") {
            layer.on("click", () => this.onSelect(f.properties.proposal_id));
            layer.on("add", () => this.reachable(layer, f.properties));
          }
        },
      }),
      Convoys: L.geoJSON(data.convoys, {
        pointToLayer: (f, latlng) => L.circleMarker(latlng, {
          radius: 7, color: "#0b3d91", fillColor: "#4f8ef7", fillOpacity: 0.9, className: "convoy",
        }).bindTooltip(asText(t("map.convoy", { id: f.properties.convoy_id,
          status: word("convoy", f.properties.status), count: f.properties.people ?? "?",
          movers: f.properties.movers }))),
      }),
      Incidents: L.geoJSON(data.incidents, {
        pointToLayer: (f, latlng) => L.circleMarker(latlng, {
          radius: 6, color: "#111", fillColor: "#f5b700", fillOpacity: 1, className: "incident",
        }).bindTooltip(asText(t("map.incident", { id: f.properties.incident_id,
          type: f.properties.type })
          + (f.properties.description ? `, ${f.properties.description}` : ""))),
      }),
    };
    // Redrawing replaces the lines: a keyboard user on one must stay on it.
    const focused = this.map.getContainer().contains(document.activeElement)
      ? document.activeElement.dataset.proposal : undefined;
    for (const [name, layer] of Object.entries(live)) {
      if (this.live[name]) {
        this.layers.removeLayer(this.live[name]);
        this.live[name].remove();
      }
      layer.addTo(this.map);
      this.addOverlay(layer, name);
      this.live[name] = layer;
    }
    if (focused !== undefined) {
      this.map.getContainer().querySelector(`path[data-proposal="${focused}"]`)
        ?.focus({ preventScroll: true });
    }
    if (!data.bbox && data.corridors.features.length && !this.framed) {
      this.map.fitBounds(live.Corridors.getBounds().pad(0.2));
      this.framed = true;
    }
  }

  /**
   * Make a proposal's line a control of its own: reachable with Tab, named for screen readers,
   * opened with Enter or Space, its label shown while it has focus, as on hover.
   */
  reachable(layer, properties) {
    const path = layer.getElement();
    path.setAttribute("tabindex", "0");
    path.setAttribute("role", "button");
    path.setAttribute("aria-label", t("map.open", { corridor: corridorLabel(properties) }));
    path.dataset.proposal = String(properties.proposal_id);
    path.addEventListener("focus", () => layer.openTooltip(layer.getCenter()));
    path.addEventListener("blur", () => layer.closeTooltip());
    path.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      this.onSelect(properties.proposal_id);
    });
  }

  /** Bring a proposal's line to the front and into view. */
  focusProposal(proposalId) {
    this.live.Corridors?.eachLayer((layer) => {
      const selected = layer.feature.properties.proposal_id === proposalId;
      layer.setStyle({ weight: selected ? 7 : 4 });
      if (selected) {
        layer.bringToFront();
        this.map.fitBounds(layer.getBounds().pad(0.6), { maxZoom: 8 });
      }
    });
  }
}
