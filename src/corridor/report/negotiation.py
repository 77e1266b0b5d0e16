"""The negotiation report: one self-contained HTML file with a map and every verdict.

It is meant to be mailed to a delegation or printed for a talks round, so it embeds everything
(CSS, the SVG map) and fetches nothing. It is written in the active language
(:mod:`corridor.i18n`), names the date of the situation the verdicts were judged on, and
prints the verdicts' reasons as the rules gave them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

import numpy as np
import shapely

from corridor import i18n, styles, wording
from corridor.i18n import N_, _, ngettext
from corridor.negotiation.search import JudgedRoute, Negotiation, mode_words
from corridor.report.layers import (
    area_features,
    checkpoint_features,
    closure_features,
    holders,
    place_features,
    road_lines,
)
from corridor.report.svgmap import Layer, LegendEntry, Town, render_svg
from corridor.report.templates import markup, render
from corridor.styles import Style
from corridor.uncertainty.evaluate import corridor_id
from corridor.uncertainty.summary import SweepResult
from corridor.world import World

#: Each road class of :data:`corridor.styles.ROADS` as the map's tooltip names it.
_ROAD_TITLES = {"motorway": N_("motorways"), "trunk": N_("trunk roads"),
                "primary": N_("primary roads"), "secondary": N_("secondary roads")}


def map_layers(world: World, neg: Negotiation) -> list[Layer]:
    """Borders, control, hazards, roads, closures, checkpoints, routes, places: bottom to top."""
    states = Layer("states")
    for code, geom in world.countries.items():
        states.add(geom, styles.LAYERS["countries"], title=code)
    control = Layer("control")
    for geom, props in area_features(world):
        if props["fill"] is not None:
            control.add(geom, _area_style(props["fill"]),
                        title=_("held by {holder}").format(holder=props["label"]))
    hazards = Layer("hazards")
    for zone in world.hazards:
        hazards.add(zone.geometry, styles.LAYERS["hazards"],
                    title=_("{zone} ({risk} risk)").format(zone=zone.name,
                                                           risk=wording.risk(zone.risk)))
    hazards.add(world.front_line, styles.LAYERS["front_line"], title=_("front line"))
    roads = Layer("roads")
    for cls, style in styles.ROADS.items():
        lines = road_lines(world.network, cls)
        if lines is not None:
            roads.add(lines, style, title=_(_ROAD_TITLES[cls]) if cls in _ROAD_TITLES else cls)
    routes = Layer("routes")
    for c in _corridors(neg):
        routes.add(shapely.LineString(c.summary.geometry), styles.ROUTES[_judged(c)],
                   title=_("{origin} → {destination} ({mode}): {km} km, {hours} h").format(
                       origin=c.origin, destination=c.destination, mode=mode_words(c.mode),
                       km=i18n.format_decimal(c.summary.km, 0),
                       hours=i18n.format_decimal(c.summary.hours, 1)))
    places = Layer("places")
    for geom, props in place_features(neg):
        if props["name"] in _ends(neg):
            places.add(geom, styles.LAYERS["places"], title=props["name"], label=props["name"])
    return [states, control, hazards, roads, *ground_layers(world), routes, places]


def ground_layers(world: World) -> list[Layer]:
    """Closures and checkpoints: what stops or slows a convoy, drawn over the roads."""
    closures, checkpoints = Layer("closures"), Layer("checkpoints")
    for geom, props in closure_features(world):
        closures.add(geom, _closure_style(geom),
                     title=_("closed: {name}").format(name=props["name"]))
    for geom, props in checkpoint_features(world):
        checkpoints.add(geom, styles.LAYERS["checkpoints"], title=ngettext(
            "checkpoint {name}: {minutes} min per vehicle, {lanes} lane",
            "checkpoint {name}: {minutes} min per vehicle, {lanes} lanes",
            props["lanes"]).format(name=props["name"],
                                   minutes=i18n.format_decimal(props["minutes_per_vehicle"], 1),
                                   lanes=props["lanes"]))
    return [closures, checkpoints]


def _area_style(fill: str) -> Style:
    base = styles.LAYERS["control"]
    return Style(base.stroke, base.stroke_width, fill, base.fill_opacity)


def _closure_style(geom: shapely.Geometry) -> Style:
    """A blocked spot as a marker; closed roads as a line in the marker's colour."""
    spot = styles.LAYERS["closures"]
    return spot if isinstance(geom, shapely.Point) else Style(spot.fill, 3.0, dash="3 2")


def _judged(c: JudgedRoute) -> str:
    if c.mode != "as proposed":
        return "suggested"
    return "accepted" if c.acceptable_to_all else "rejected"


def _ends(neg: Negotiation) -> set[str]:
    """The places proposals start and end at: the ones labelled on the map."""
    return {loc.name for r in neg.proposals if r.waypoints
            for loc in (r.waypoints[0], r.waypoints[-1])}


def legend(world: World, neg: Negotiation) -> list[LegendEntry]:
    """What the report's map shows, in the colours it shows it in; only what is on it."""
    entries = holder_legend(world) + ground_legend(world)
    shown = {_judged(c) for c in _corridors(neg)}
    texts = {"accepted": N_("proposal acceptable to all"),
             "rejected": N_("proposal rejected by a party"), "suggested": N_("suggested corridor")}
    entries += [LegendEntry(_(texts[k]), styles.ROUTES[k], "line") for k in texts if k in shown]
    return entries


def holder_legend(world: World) -> list[LegendEntry]:
    """One entry per holder of a control area, in its colour."""
    return [LegendEntry(h.name if h.labels == (h.name,) else f"{h.name}: {', '.join(h.labels)}",
                        _area_style(h.colour), "area") for h in holders(world)]


def ground_legend(world: World) -> list[LegendEntry]:
    """Hazards, closures and checkpoints, for the scenario's maps that show them."""
    entries = [LegendEntry(_("hazard zone"), styles.LAYERS["hazards"], "area")] \
        if world.hazards else []
    closures = closure_features(world)
    if any(isinstance(g, shapely.Point) for g, _ in closures):
        entries.append(LegendEntry(_("closure"), styles.LAYERS["closures"], "point"))
    if any(not isinstance(g, shapely.Point) for g, _ in closures):
        entries.append(LegendEntry(_("closed road"), _closure_style(shapely.LineString()),
                                   "line"))
    if world.scenario.checkpoints:
        entries.append(LegendEntry(_("checkpoint"), styles.LAYERS["checkpoints"], "point"))
    return entries


def towns(world: World, bbox: tuple[float, float, float, float],
          skip: Collection[str] = ()) -> list[Town]:
    """The gazetteer's peopled places inside ``bbox``, named in the active language.

    ``skip`` names places labelled otherwise (the proposals' ends), as the data spells them.
    """
    places = world.gazetteer.places_array()
    min_lon, min_lat, max_lon, max_lat = bbox
    inside = np.flatnonzero((places.lon >= min_lon) & (places.lon <= max_lon)
                            & (places.lat >= min_lat) & (places.lat <= max_lat)
                            & (places.population > 0))
    return [Town(world.gazetteer.name_at(int(i)), float(places.lon[i]), float(places.lat[i]),
                 int(places.population[i])) for i in inside if str(places.names[i]) not in skip]


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


def render_html(world: World, neg: Negotiation, sweep: SweepResult | None = None) -> str:
    """The whole report as one HTML document.

    With a ``sweep`` of the same negotiation, every verdict carries how often it held in the
    drawn situations, and every item its exposure spread and front-line crossings.
    """
    sc = world.scenario
    bbox = _bbox(world, neg)
    svg = render_svg(map_layers(world, neg), bbox, title=sc.name, note=world.data_note,
                     legend=legend(world, neg), towns=towns(world, bbox, skip=_ends(neg)))
    odds = {} if sweep is None else {
        **{("proposal", r.item.id): r.to_dict() for r in sweep.proposals},
        **{("corridor", r.item.id): r.to_dict() for r in sweep.corridors}}
    return render("negotiation.html", lang=i18n.current_language(), scenario=sc,
                  schematic=world.schematic, data_note=world.data_note, svg=markup(svg),
                  parties=[p.id for p in sc.parties], proposals=neg.proposals,
                  suggestions=neg.suggestions, conflicts=neg.conflicts, days=_judged_days(neg),
                  search_days=neg.search_days, odds=odds, samples=sweep.samples if sweep else 0,
                  corridor_id=corridor_id)


def _judged_days(neg: Negotiation) -> list[dt.date]:
    """The dates of the situations the proposals and searches were judged on, oldest first.

    Empty for an undated scenario, whose single situation has no date to name.
    """
    days = [r.day for r in neg.proposals] + list(neg.search_days.values())
    return sorted({day for day in days if day is not None})
