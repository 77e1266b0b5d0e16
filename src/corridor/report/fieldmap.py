"""What goes into the field files: judged routes with their waypoints, the ground they cross.

Ad-hoc routes (``corridor route``), a negotiation's proposals and suggestions
(``corridor negotiate``) and a stored proposal's route (the corridor sheet) all become a
:class:`~corridor.report.fieldfiles.FieldMap` here, with waypoints where the route meets them:
the origin, each place it was asked to pass, the scenario's checkpoints on it, the destination.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import shapely.geometry

from corridor.errors import ConflictError, CorridorError
from corridor.i18n import _
from corridor.negotiation.adhoc import AdHocRoutes, checkpoints_along, roles
from corridor.negotiation.search import JudgedRoute, Negotiation, locate_along, mode_words
from corridor.report.fieldfiles import (
    RISK_COLOURS,
    FieldArea,
    FieldMap,
    FieldRoute,
    Value,
    Waypoint,
)
from corridor.report.layers import territory_colours
from corridor.report.words import word
from corridor.routing.route import PassedSettlement, Settlements, settlements_along
from corridor.styles import STATUS_COLOURS
from corridor.world import Located, World

if TYPE_CHECKING:
    from corridor.report.sheet import Dossier

#: Every waypoint lies on its route (a place asked for is routed through its node, a checkpoint
#: is taken when it stands on the road); this only bounds the search for where.
_ON_ROUTE_KM = 1.0


def _on_road(world: World, loc: Located, kind: str) -> Waypoint:
    """A place where the route meets it: its network node, under the name it was asked by."""
    net = world.network
    return Waypoint(loc.name, float(net.node_lon[loc.node]), float(net.node_lat[loc.node]), kind)


def _in_route_order(line: Sequence[tuple[float, float]], ends: tuple[Waypoint, Waypoint],
                    between: Sequence[Waypoint]) -> list[Waypoint]:
    """The origin, the places between in the order the line passes them, the destination."""
    if len(line) < 2 or not between:
        return [ends[0], *between, ends[1]]
    coords = np.asarray(line)
    passed = settlements_along(coords[:, 0], coords[:, 1], Settlements(
        [str(k) for k in range(len(between))], [w.lon for w in between],
        [w.lat for w in between]), radius_km=_ON_ROUTE_KM)
    return [ends[0], *(between[int(p.name)] for p in passed), ends[1]]


def _checkpoints(passed: Sequence[PassedSettlement]) -> list[Waypoint]:
    return [Waypoint(c.name, c.lon, c.lat, "checkpoint") for c in passed]


def _verdict_text(party: str, acceptable: bool, reasons: Sequence[str]) -> str:
    """One party's verdict in words of the active language, with its reasons."""
    said = (_("{party} accepts") if acceptable else _("{party} rejects")).format(party=party)
    return said + "".join(f": {r}" for r in reasons)


def route_properties(route: JudgedRoute) -> dict[str, Value]:
    """The summary figures and verdicts of a judged route, flat, for GIS attribute tables.

    The keys are stable column names; the verdicts, for people, are in the active language.
    """
    summary = route.route_dict()
    verdicts = "; ".join(_verdict_text(party, v.acceptable, [r.message for r in v.violated])
                         for party, v in route.verdicts.items())
    return {"mode": route.mode, "km": summary["km"], "hours": summary["hours"],
            "exposure_km": summary["exposure_km"],
            "held_km": summary["held_exposure"]["km"] if summary["held_exposure"] else 0.0,
            "acceptable_to_all": route.acceptable_to_all,
            "territories": " > ".join(t["label"] or "-" for t in summary["territories"]),
            "settlements": ", ".join(summary["settlements"]), "verdicts": verdicts}


def judged_field_route(world: World, name: str, route: JudgedRoute,
                       places: Sequence[Located]) -> FieldRoute:
    """A judged route with waypoints: its places (origin first) and the checkpoints it passes."""
    kinds = roles(len(places))
    stops = [_on_road(world, loc, kind) for loc, kind in zip(places, kinds, strict=True)]
    line = route.summary.geometry
    waypoints = _in_route_order(line, (stops[0], stops[-1]),
                                [*stops[1:-1], *_checkpoints(checkpoints_along(world, line))])
    status = "accepted" if route.acceptable_to_all else "rejected"
    return FieldRoute(name, line, waypoints, status,
                      _("{origin} to {destination}, {mode}").format(
                          origin=route.origin, destination=route.destination,
                          mode=mode_words(route.mode)),
                      route_properties(route))


def ground_areas(world: World) -> list[FieldArea]:
    """Control areas with their holder's colour, then the hazard zones by risk."""
    colours = territory_colours(world)
    areas = [FieldArea(label, "control", label, geom, colours.get(label, "#999999"))
             for label, geom in world.control.areas.items() if not geom.is_empty]
    areas.extend(FieldArea(z.name, "hazard", z.risk, z.geometry, RISK_COLOURS[z.risk])
                 for z in world.hazards if not shapely.is_empty(z.geometry))
    return areas


def adhoc_field_map(world: World, result: AdHocRoutes) -> FieldMap:
    """``corridor route``'s route and alternatives, with the ground around them."""
    names = [loc.name for loc in result.places]
    heading = " - ".join(names)
    routes = [judged_field_route(world, heading if k == 0 else f"{heading} ({r.mode})", r,
                                 result.places)
              for k, r in enumerate(result.routes)]
    return FieldMap(routes, ground_areas(world))


def negotiation_field_map(world: World, neg: Negotiation) -> FieldMap:
    """Every judged proposal and every suggested corridor, with the ground around them."""
    routes = [judged_field_route(world, r.proposal.id, r.corridor, r.waypoints)
              for r in neg.proposals if r.corridor is not None]
    for origin, corridors in neg.suggestions.items():
        for i, c in enumerate(corridors):
            ends = locate_along(world, [c.origin, c.destination],
                                [f"origin {c.origin}", f"destination {c.destination}"])
            routes.append(judged_field_route(world, f"{origin}-{i + 1}", c, ends))
    return FieldMap(routes, ground_areas(world))


def dossier_field_map(dossier: Dossier, world: World | None) -> FieldMap:
    """A stored proposal's route as its sheet hands it over, in the colour of its status.

    With the scenario the places it names and the checkpoints on it are waypoints, and the
    ground is drawn; without it only the route's two ends are named.
    """
    p = dossier.proposal
    if p.route is None:
        raise ConflictError(_("proposal {id} has no route to hand over; it names places only")
                            .format(id=p.id), field="route")
    line = [(float(lon), float(lat)) for lon, lat in p.route.coordinates]
    ends = (Waypoint(p.origin, *line[0], "origin"), Waypoint(p.destination, *line[-1],
                                                             "destination"))
    between = [] if world is None else [*_vias(world, p.origin, p.waypoints or [],
                                               p.destination),
                                        *_checkpoints(checkpoints_along(world, line))]
    summary = p.route_summary or {}
    verdicts = "; ".join(
        _verdict_text(party, v.acceptable, [] if v.acceptable else [r.message for r in v.reasons])
        for party, v in p.verdicts.items())
    route = FieldRoute(f"{p.origin} - {p.destination}", line,
                       _in_route_order(line, ends, between), dossier.status,
                       _("proposal {id}, {status}").format(id=p.id, status=word(dossier.status)),
                       {"proposal": p.id, "km": summary.get("km"), "hours": summary.get("hours"),
                        "exposure_km": summary.get("exposure_km"), "verdicts": verdicts})
    return FieldMap([route], [] if world is None else ground_areas(world))


def _vias(world: World, origin: str, waypoints: Sequence[str], destination: str,
          ) -> list[Waypoint]:
    """The places a stored proposal passes between its ends (stored with or without them)."""
    names = list(waypoints)
    names = names[1:] if names[:1] == [origin] else names
    names = names[:-1] if names[-1:] == [destination] else names
    try:
        located = locate_along(world, [origin, *names, destination],
                               [f"waypoints[{k}]" for k in range(len(names) + 2)])
    except CorridorError:
        return []  # the scenario no longer knows a name: the line still says where to drive
    return [_on_road(world, loc, "via") for loc in located[1:-1]]


#: Fill of a feature of a GeoJSON layer by its ``kind``, when the kind says what it is.
_KIND_COLOURS = {"area_changed": STATUS_COLOURS["agreed"], "hazard_added": RISK_COLOURS["high"],
                 "hazard_removed": STATUS_COLOURS["closed"]}


def geojson_field_map(collection: dict[str, Any]) -> FieldMap:
    """A FeatureCollection as field files carry it: polygons as areas, points as places.

    For commands whose map is a set of features rather than judged routes (``situation
    diff``): each feature keeps its ``kind``; an area is named by its ``name`` or by the
    change it shows (``from → to``).
    """
    areas: list[FieldArea] = []
    places: list[Waypoint] = []
    for f in collection["features"]:
        geometry, props = shapely.geometry.shape(f["geometry"]), f["properties"]
        kind = str(props.get("kind", ""))
        if isinstance(geometry, shapely.Point):
            places.append(Waypoint(str(props.get("name", "")), geometry.x, geometry.y, kind))
        elif isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
            name = props.get("name") or f"{props.get('from') or '-'} → {props.get('to') or '-'}"
            detail = props.get("risk") or props.get("to") or ""
            areas.append(FieldArea(str(name), kind, str(detail), geometry,
                                   _KIND_COLOURS.get(kind, "#999999")))
    return FieldMap([], areas, places)
