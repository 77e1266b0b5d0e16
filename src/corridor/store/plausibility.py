"""Whether a movement, an incident or a convoy position is believable, given what was agreed.

A movement notification is a promise to the other parties: one outside every agreed window, off
the agreed road, or with more people than its vehicles carry would be acknowledged on false
premises, so it is refused with every reason at once. Incidents and convoy positions feed the
map and may suspend a corridor: one dated in the future, or placed far from its corridor (often
latitude and longitude swapped), is a typing error rather than news, and is refused too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from corridor.errors import StoreError
from corridor.i18n import _, format_decimal, format_number, ngettext
from corridor.store.schemas import NotificationIn, VehicleIn
from corridor.world import place_distances_km

#: Places per vehicle of common kinds, standing room included; other kinds must give ``seats``.
SEATS_BY_KIND: Mapping[str, int] = {"bus": 60, "coach": 60, "minibus": 20, "van": 9, "car": 5,
                                    "ambulance": 4, "truck": 3}
#: How far a movement's own route may stray from the agreed route.
ROUTE_TOLERANCE_KM = 5.0
#: How far from its corridor's route an incident or a convoy position may be reported.
NEAR_ROUTE_KM = 50.0
#: Clock difference tolerated between a field device and the server.
CLOCK_SKEW = dt.timedelta(minutes=15)

Problem = tuple[str, str]  # field, what is wrong


def refuse(problems: Sequence[Problem]) -> None:
    """Raise one error listing every problem.

    The error's field is the first problem's; the others are named in the message.
    """
    if problems:
        (field, first), *others = problems
        raise StoreError("; ".join([first, *(f"{where}: {what}" for where, what in others)]),
                         field=field)


def movement_problems(body: NotificationIn, windows: Sequence[Mapping[str, Any]],
                      route: Mapping[str, Any] | None,
                      waypoints: Sequence[str] | None) -> list[Problem]:
    """Every way the movement departs from its corridor's windows and route, and its vehicles."""
    problems = _window_problems(body.start_at, body.end_at, windows)
    problems += _capacity_problems(body.people, body.vehicles)
    if body.route is not None and route is not None:
        problems += _route_problems(body.route.model_dump()["coordinates"], route)
    if body.waypoints is not None and waypoints:
        problems += [(f"waypoints.{k}", _("{name!r} is not on the agreed route "
                                          "({waypoints})").format(
                                              name=name, waypoints=", ".join(waypoints)))
                     for k, name in enumerate(body.waypoints) if name not in waypoints]
    return problems


def _window_problems(start: dt.datetime, end: dt.datetime,
                     windows: Sequence[Mapping[str, Any]]) -> list[Problem]:
    spans = [(dt.datetime.fromisoformat(w["start"]),
              dt.datetime.fromisoformat(w["end"]) if w.get("end") else None, w["tz"])
             for w in windows]
    if not spans or any(s <= start and (e is None or end <= e) for s, e, _zone in spans):
        return []
    zone = spans[0][2]
    agreed = ", ".join(_span(s, e, tz) for s, e, tz in spans)
    return [("start_at", _("the movement {span} lies outside every agreed window of the "
                           "corridor ({agreed})").format(span=_span(start, end, zone),
                                                         agreed=agreed))]


def _span(start: dt.datetime, end: dt.datetime | None, tz: str) -> str:
    zone = ZoneInfo(tz)
    s = start.astimezone(zone)
    if end is None:
        return _("from {start} {zone}").format(start=f"{s:%Y-%m-%d %H:%M}", zone=tz)
    e = end.astimezone(zone)
    until = f"{e:%H:%M}" if e.date() == s.date() else f"{e:%Y-%m-%d %H:%M}"
    return f"{s:%Y-%m-%d %H:%M}-{until} {tz}"


def _capacity_problems(people: int, vehicles: Sequence[VehicleIn]) -> list[Problem]:
    """People beyond what the vehicles carry; a movement without vehicles goes on foot."""
    problems: list[Problem] = []
    places = 0
    for i, v in enumerate(vehicles):
        seats = v.seats or SEATS_BY_KIND.get(v.kind.strip().lower())
        if seats is None:
            problems.append((f"vehicles.{i}.seats", _(
                "give the places of a {kind!r}; known kinds: {kinds}").format(
                    kind=v.kind, kinds=", ".join(SEATS_BY_KIND))))
            continue
        places += seats * v.count
    if vehicles and not problems and people > places:
        fleet = ", ".join(f"{v.count} {v.kind}" for v in vehicles)
        problems.append(("people", ngettext(
            "{people} person does not fit in {fleet} ({places} places)",
            "{people} people do not fit in {fleet} ({places} places)", people).format(
                people=format_number(people), fleet=fleet, places=format_number(places))))
    return problems


def _route_problems(coordinates: Sequence[Sequence[float]],
                    agreed: Mapping[str, Any]) -> list[Problem]:
    far = [(k, km) for k, (lon, lat) in enumerate(coordinates)
           if (km := km_from_route(lon, lat, agreed)) > ROUTE_TOLERANCE_KM]
    if not far:
        return []
    k, km = max(far, key=lambda item: item[1])
    return [("route", _("{count} of its {total} points stray from the agreed route (point "
                        "{point} by {km} km; {allowed} km allowed)").format(
                            count=len(far), total=len(coordinates), point=k,
                            km=format_decimal(km), allowed=f"{ROUTE_TOLERANCE_KM:g}"))]


def km_from_route(lon: float, lat: float, route: Mapping[str, Any]) -> float:
    """Distance of a point from a GeoJSON LineString, in km."""
    line = [(float(c[0]), float(c[1])) for c in route["coordinates"]]
    return place_distances_km(line, {"point": (lon, lat)})["point"]


def position_problems(lon: float, lat: float, route: Mapping[str, Any] | None,
                      what: str) -> list[Problem]:
    """A reported position far from ``route``, which ``what`` names ("the route of ...")."""
    if route is None:
        return []
    km = km_from_route(lon, lat, route)
    if km <= NEAR_ROUTE_KM:
        return []
    far = _("({lon}, {lat}) lies {km} km from {route}; expected within {near} km").format(
        lon=lon, lat=lat, km=format_decimal(km, 0), route=what, near=f"{NEAR_ROUTE_KM:g}")
    return [("lon", _swapped(far) if km_from_route(lat, lon, route) <= NEAR_ROUTE_KM else far)]


def _swapped(problem: str) -> str:
    """``problem`` with the likely cause: the two coordinates given the wrong way round."""
    return _("{problem}; latitude and longitude look swapped").format(problem=problem)


def area_problems(lon: float, lat: float,
                  bbox: tuple[float, float, float, float] | None) -> list[Problem]:
    """A reported position far outside the scenario's area (the bounds of its road network)."""
    if bbox is None:
        return []
    x0, y0, x1, y1 = bbox
    if x0 <= lon <= x1 and y0 <= lat <= y1:
        return []
    ring = {"coordinates": [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]}
    km = km_from_route(lon, lat, ring)
    if km <= NEAR_ROUTE_KM:
        return []
    outside = _("({lon}, {lat}) lies {km} km outside the scenario's area {area}").format(
        lon=lon, lat=lat, km=format_decimal(km, 0), area=f"({x0:g}, {y0:g})-({x1:g}, {y1:g})")
    return [("lon", _swapped(outside) if x0 <= lat <= x1 and y0 <= lon <= y1 else outside)]


def future_problems(field: str, at: dt.datetime, now: dt.datetime) -> list[Problem]:
    """A report of something that has not happened yet."""
    if at <= now + CLOCK_SKEW:
        return []
    return [(field, _("{moment} is in the future (it is now {now})").format(
        moment=at.isoformat(), now=now.astimezone(at.tzinfo).isoformat(timespec="minutes")))]
