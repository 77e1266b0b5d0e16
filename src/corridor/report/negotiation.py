"""The negotiation report: one self-contained HTML file with a map and every verdict.

It is meant to be mailed to a delegation or printed for a talks round, so it embeds everything
(CSS, the SVG map) and fetches nothing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import shapely

from corridor.negotiation.search import JudgedRoute, Negotiation
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.topology import reverse_twins
from corridor.report.svgmap import Layer, Style, render_svg
from corridor.world import World

#: Fill colours of territory labels; others get a neutral grey.
TERRITORY_COLOURS = {"UA": "#d6e6f5", "RU-held": "#f3c6c0", "contested": "#f8e0a6"}
_STATE_FILL = "#e6e6e6"
_ROAD_STYLES = {"motorway": Style("#7a6a50", 1.6), "trunk": Style("#8a7a60", 1.4),
                "primary": Style("#9a8a70", 1.0), "secondary": Style("#b0a490", 0.7)}
_ACCEPTED = Style("#1a7f37", 3.5)
_REJECTED = Style("#c0262d", 2.5, dash="7 4")
_SUGGESTED = Style("#1f5fbf", 2.5, dash="2 3")


def map_layers(world: World, neg: Negotiation) -> list[Layer]:
    """Borders, control, hazards, roads, routes and places, bottom to top."""
    states = Layer("states")
    for code, geom in world.countries.items():
        states.add(geom, Style("#999", 0.6, _STATE_FILL), title=code)
    control = Layer("control")
    for label, geom in world.control.areas.items():
        if label in TERRITORY_COLOURS:
            control.add(geom, Style("none", 0, TERRITORY_COLOURS[label], 0.9),
                        title=f"held by {label}")
    hazards = Layer("hazards")
    for zone in world.hazards:
        hazards.add(zone.geometry, Style("#b3001b", 0.4, "#d7263d", 0.18),
                    title=f"{zone.name} ({zone.risk} risk)")
    hazards.add(world.front_line, Style("#7a0010", 1.2), title="front line")
    roads = Layer("roads")
    for cls, style in _ROAD_STYLES.items():
        lines = road_lines(world.network, cls)
        if lines is not None:
            roads.add(lines, style, title=f"{cls} roads")
    routes = Layer("routes")
    for c in _corridors(neg):
        style = (_SUGGESTED if c.mode != "as proposed"
                 else _ACCEPTED if c.acceptable_to_all else _REJECTED)
        routes.add(shapely.LineString(c.summary.geometry), style,
                   title=f"{c.origin} → {c.destination} ({c.mode}): {c.summary.km:.0f} km, "
                         f"{c.summary.hours:.1f} h")
    places = Layer("places")
    named = {r.waypoints[0].name: r.waypoints[0] for r in neg.proposals if r.waypoints}
    named |= {r.waypoints[-1].name: r.waypoints[-1] for r in neg.proposals if r.waypoints}
    for name, loc in named.items():
        places.add(shapely.Point(loc.lonlat), Style("#111", 1, "#fff", radius=4), title=name,
                   label=name)
    return [states, control, hazards, roads, routes, places]


def road_lines(network: RoadNetwork, road_class: str) -> shapely.MultiLineString | None:
    """The roads of one class as one multi-line, each road once (not once per direction).

    ``None`` when the network has none.
    """
    twins = reverse_twins(network)
    once = (twins < 0) | (np.arange(network.n_edges) < twins)
    edges = np.flatnonzero((network.road_class == ROAD_CLASSES.index(road_class)) & once)
    if not len(edges):
        return None
    return shapely.MultiLineString([network.edge_coords(int(e)) for e in edges])


def _corridors(neg: Negotiation) -> Iterable[JudgedRoute]:
    for origin_list in neg.suggestions.values():
        yield from origin_list[:3]
    for r in neg.proposals:
        if r.corridor is not None:
            yield r.corridor


def _bbox(world: World, neg: Negotiation) -> tuple[float, float, float, float]:
    lines = [shapely.LineString(c.summary.geometry) for c in _corridors(neg)]
    min_lon, min_lat, max_lon, max_lat = (shapely.GeometryCollection(lines).bounds if lines
                                          else world.network.bbox)
    pad_x, pad_y = (max_lon - min_lon) * 0.08 + 0.2, (max_lat - min_lat) * 0.08 + 0.2
    return (min_lon - pad_x, min_lat - pad_y, max_lon + pad_x, max_lat + pad_y)


def _verdict_cells(c: JudgedRoute, parties: list[str]) -> str:
    cells = []
    for pid in parties:
        v = c.verdicts[pid]
        mark = "acceptable" if v.acceptable else "rejected"
        reasons = "".join(f"<li><code>{html.escape(r.code)}</code> {html.escape(r.message)}</li>"
                          for r in (v.violated or v.reasons))
        cells.append(f'<td class="{mark}"><strong>{mark}</strong><ul>{reasons}</ul></td>')
    return "".join(cells)


def render_html(world: World, neg: Negotiation) -> str:
    """The whole report as one HTML document."""
    sc = world.scenario
    parties = [p.id for p in sc.parties]
    svg = render_svg(map_layers(world, neg), _bbox(world, neg), title=sc.name,
                     note=world.data_note)
    head = "".join(f"<th scope='col'>{html.escape(p)}</th>" for p in parties)
    rows = []
    for r in neg.proposals:
        p = r.proposal
        if r.corridor is None:
            rows.append(f"<tr><th scope='row'>{html.escape(p.id)}</th><td colspan="
                        f"'{2 + len(parties)}'>{html.escape(r.error or '')}</td></tr>")
            continue
        c = r.corridor
        via = " &ndash; ".join(html.escape(s.name) for s in c.summary.settlements)
        notes = "".join(f"<li>{html.escape(w.name)}: {html.escape(w.note)}</li>"
                        for w in r.waypoints if w.note)
        rows.append(
            f"<tr><th scope='row'>{html.escape(p.id)}<br><small>by {html.escape(p.proposer)}"
            f"</small></th><td>{html.escape(p.origin)} → {html.escape(p.destination)}"
            f"<br><small>{via}</small>{f'<ul class=notes>{notes}</ul>' if notes else ''}</td>"
            f"<td>{c.summary.km:.0f} km<br>{c.summary.hours:.1f} h<br>"
            f"{c.summary.exposure_km['total']:.0f} km exposed</td>{_verdict_cells(c, parties)}"
            "</tr>")
    suggestions = []
    for origin, corridors in neg.suggestions.items():
        items = "".join(
            f"<li>{'★ ' if c.pareto else ''}{html.escape(c.destination)} ({html.escape(c.mode)})"
            f": {c.summary.km:.0f} km, {c.summary.hours:.1f} h, "
            f"{c.summary.exposure_km['total']:.0f} km exposed — via "
            f"{html.escape(', '.join(s.name for s in c.summary.settlements[1:-1][:8]))}</li>"
            for c in corridors[:6])
        suggestions.append(f"<h3>{html.escape(origin)}</h3><ol>{items}</ol>")
    conflicts = []
    for origin, conflict in neg.conflicts.items():
        items = "".join(f"<li><strong>{html.escape(party)}</strong> <code>{html.escape(code)}"
                        f"</code>: {html.escape(msg)}</li>"
                        for party, code, msg in conflict.messages)
        conflicts.append(f"<h3>{html.escape(origin)}</h3><ul>{items}</ul>"
                         f"<p>{html.escape(conflict.explanation)}</p>")
    banner = (f'<p class="schematic" role="note">{html.escape(world.data_note)}</p>'
              if world.schematic else f"<p><small>{html.escape(world.data_note)}</small></p>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(sc.name)} — negotiation report</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#111;max-width:1200px}}
table{{border-collapse:collapse;width:100%}} th,td{{border:1px solid #ccc;padding:.4rem;
vertical-align:top;text-align:left}} td.acceptable{{background:#e6f4ea}}
td.rejected{{background:#fde8e8}} ul{{margin:.2rem 0;padding-left:1.1rem}}
.schematic{{background:#fff3cd;border:2px solid #c79100;padding:.5rem;font-weight:600}}
.legend span{{display:inline-block;margin-right:1rem}} small{{color:#555}}
@media print{{body{{margin:0}} .map{{page-break-after:always}}}}
</style></head><body>
<h1>{html.escape(sc.name)}</h1>
{banner}
<p>{html.escape(sc.description)}</p>
<figure class="map">{svg}
<figcaption class="legend"><span style="color:#1a7f37">━ proposal acceptable to all</span>
<span style="color:#c0262d">╍ proposal rejected by a party</span>
<span style="color:#1f5fbf">┅ suggested corridor</span>
<span style="color:#d7263d">■ hazard zone</span></figcaption></figure>
<h2>Proposals</h2>
<table><thead><tr><th scope="col">proposal</th><th scope="col">route</th>
<th scope="col">length</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2>Corridors every party accepts</h2>{"".join(suggestions) or "<p>None.</p>"}
<h2>Conflicts</h2>{"".join(conflicts) or "<p>None.</p>"}
</body></html>
"""
