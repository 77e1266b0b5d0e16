"""Everything a run needs, checked before it runs: what ``corridor validate`` does.

Loading the scenario file checks its shape; a run also needs its files to open and its names
and points to land on the roads. A misspelt place, a missing gazetteer file, a point outside the
extract or with latitude and longitude swapped would otherwise pass validation and fail later,
or quietly route from a road far away. So validation builds the world the run would build (every
file opened, every layer read, every closure, checkpoint and hazard zone sited), moves it to
every date of the timeline, and pins every place name the run would pin, in the run's own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from corridor.negotiation.search import locate_along
from corridor.planning.agreed import fleet_notes
from corridor.scenario.schema import LayerSource, MustAvoid, MustPass, Scenario
from corridor.world import Located, World, build_world


@dataclass(frozen=True)
class PlaceCheck:
    """One place name of the scenario, where it landed and how far from the road."""

    field: str
    name: str
    lon: float
    lat: float
    snap_km: float


@dataclass
class Preflight:
    """What validation opened and pinned, for the summary."""

    files: list[str]
    places: list[PlaceCheck] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def preflight(sc: Scenario) -> Preflight:
    """Build, move and locate as a run would; the first problem raises as it would in the run.

    Raises :class:`~corridor.errors.CorridorError` subclasses naming the file or field at
    fault, the distance for a point off the roads and a hint when swapping it would help.
    """
    world = build_world(sc)
    report = Preflight(files=[str(p) for p in _files(sc)], notes=[*world.notes, *fleet_notes(sc)])
    for located, where in _names(world):
        report.places.append(PlaceCheck(where, located.name, *located.lonlat,
                                         round(located.snap_km, 3)))
    for day in sc.dates:
        world.move_to(day)
        report.dates.append(day.isoformat())
    return report


def _names(world: World) -> list[tuple[Located, str]]:
    """Every place name a run pins: proposals in route order, origins, destinations, rules."""
    sc = world.scenario
    out: list[tuple[Located, str]] = []
    for i, prop in enumerate(sc.proposals):
        fields = [f"proposals[{i}].origin",
                  *(f"proposals[{i}].waypoints[{k}]" for k in range(len(prop.waypoints))),
                  f"proposals[{i}].destination"]
        names = [prop.origin, *prop.waypoints, prop.destination]
        out.extend(zip(locate_along(world, names, fields), fields, strict=True))
    singles = [(o.name, f"places.origins[{i}].name") for i, o in enumerate(sc.places.origins)]
    singles += [(d.name, f"places.destinations[{i}].name")
                for i, d in enumerate(sc.places.destinations)]
    for i, party in enumerate(sc.parties):
        for j, rule in enumerate(party.rules):
            if isinstance(rule, MustPass | MustAvoid):
                singles += [(name, f"parties[{i}].rules[{j}].places[{k}]")
                            for k, name in enumerate(rule.places)]
    out.extend((world.locate(name, field=where), where) for name, where in singles)
    return out


def _files(sc: Scenario) -> list[Path]:
    """Every file the scenario names, on every date, each once."""
    paths = [sc.network.source, *sc.gazetteer.geonames, *sc.gazetteer.supplements]
    paths += [sc.control.borders] if sc.control.borders else []
    for dated in [sc, *(sc.at(day) for day in sc.dates)]:
        areas = dated.control
        paths += [areas.settlements.source] if areas.settlements else []
        layers = [*areas.polygons, *dated.hazards.zones, *dated.closures]
        paths += [entry.source for entry in layers if isinstance(entry, LayerSource)]
    return list(dict.fromkeys(sc.path(p) for p in paths))
