"""Inputs and outputs of the corridor window plan.

The scenario file and the router's route are mapped onto these frozen dataclasses by the caller;
validation happens here, once, so the solver can trust every number it reads. Malformed input
(a negative count, a window without a time zone) raises :class:`~corridor.errors.PlanningError`
naming the field; a situation that is merely hopeless (a closed road, a fleet too far away) is
*not* an error and ends up explained in :class:`CorridorPlan`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from corridor.errors import PlanningError
from corridor.i18n import _

#: Resources whose scarcity can limit a plan. On a tie the earlier one is named binding: a
#: longer window always helps whenever a rate (seats, lanes, road) is what runs out, so the
#: window is named only when no rate limits as much.
RESOURCES: tuple[str, ...] = ("buses", "checkpoint", "road", "reception", "window")


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise PlanningError(message, field=field_name)


def _finite_nonneg(value: float, field_name: str) -> None:
    _require(math.isfinite(value) and value >= 0, field_name,
             _("must be a finite number >= 0, got {value!r}").format(value=value))


def _count(value: int, field_name: str) -> None:
    _require(isinstance(value, int) and not isinstance(value, bool) and value >= 0, field_name,
             _("must be a whole number >= 0, got {value!r}").format(value=value))


@dataclass(frozen=True)
class HazardStretch:
    """A stretch of the route inside a hazard zone, in minutes from the origin at convoy speed.

    Knowing *where* the hazard lies (not just how long it is) decides the latest safe departure:
    a vehicle may set off only if it will have left the last hazard stretch before the window
    closes, and an empty bus driving back meets the stretches in reverse order.
    """

    start_min: float
    end_min: float

    def validate(self, field_name: str, travel_min: float) -> None:
        """Reject stretches that run backwards or beyond the route."""
        _finite_nonneg(self.start_min, f"{field_name}.start_min")
        _require(self.start_min <= self.end_min <= travel_min, f"{field_name}.end_min",
                 _("must lie in [start_min, {travel_min}] (the route's travel time), got "
                   "{value!r}").format(travel_min=travel_min, value=self.end_min))


@dataclass(frozen=True)
class RouteProfile:
    """The agreed route: its length, convoy travel time, bottleneck and hazard stretches.

    Parameters
    ----------
    id
        Corridor identifier carried into the plan.
    length_km
        Route length, used to rescale times for a fleet with its own convoy speed.
    travel_min
        Origin to destination at convoy speed, in minutes.
    capacity_vph
        Vehicles per hour the narrowest stretch of road lets through (outbound). ``0`` means the
        road is closed: nobody can be moved, which the plan explains rather than rejects.
    hazards
        Stretches inside hazard zones, in minutes from the origin.
    """

    id: str
    length_km: float
    travel_min: float
    capacity_vph: float
    hazards: tuple[HazardStretch, ...] = ()

    def validate(self) -> None:
        """Check every field; raise :class:`PlanningError` naming the first bad one."""
        _require(bool(self.id), "corridor.id", _("must not be empty"))
        _finite_nonneg(self.length_km, "corridor.length_km")
        _require(math.isfinite(self.travel_min) and self.travel_min > 0, "corridor.travel_min",
                 _("must be a finite number > 0, got {value!r}").format(
                     value=self.travel_min))
        _finite_nonneg(self.capacity_vph, "corridor.capacity_vph")
        for i, stretch in enumerate(self.hazards):
            stretch.validate(f"corridor.hazards[{i}]", self.travel_min)


@dataclass(frozen=True)
class BoardingPoint:
    """People waiting for a bus at one place in the origin; served in the order given."""

    id: str
    people: int

    def validate(self, field_name: str) -> None:
        """Reject negative or fractional head counts."""
        _require(bool(self.id), f"{field_name}.id", _("must not be empty"))
        _count(self.people, f"{field_name}.people")


@dataclass(frozen=True)
class BusShuttle:
    """Identical buses cycling origin → destination → origin.

    Parameters
    ----------
    count, seats
        Number of buses and people per bus.
    approach_min
        Driving minutes from where the buses wait to the origin (``0``: already there). Buses
        set off when the first window opens, since the approach crosses the same lines.
    load_min, unload_min
        Minutes to board at the origin and to leave the bus at the destination.
    speed_kmh
        Convoy speed; ``None`` keeps the corridor's ``travel_min``. Otherwise every time along
        the route (travel, hazards, checkpoints) is rescaled to this speed.
    fleets
        ``(fleet id, buses)`` in order, adding up to ``count``: each bus is named after its
        fleet (``sumy-buses-07``). Empty: the buses are ``bus-001``, ``bus-002``, ...

    Boarding takes ``load_min`` at the origin inside a window, right before each loaded
    departure, on the first day as on every later one.
    """

    count: int
    seats: int
    approach_min: float = 0.0
    load_min: float = 0.0
    unload_min: float = 0.0
    speed_kmh: float | None = None
    fleets: tuple[tuple[str, int], ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """One id per bus, in bus order."""
        if not self.fleets:
            return tuple(f"bus-{i + 1:03d}" for i in range(self.count))
        return tuple(f"{fleet}-{k + 1:0{max(2, len(str(n)))}d}"
                     for fleet, n in self.fleets for k in range(n))

    def validate(self) -> None:
        """Check every field; raise :class:`PlanningError` naming the first bad one."""
        _count(self.count, "buses.count")
        _count(self.seats, "buses.seats")
        for name in ("approach_min", "load_min", "unload_min"):
            _finite_nonneg(getattr(self, name), f"buses.{name}")
        if self.speed_kmh is not None:
            _require(math.isfinite(self.speed_kmh) and self.speed_kmh > 0, "buses.speed_kmh",
                     _("must be a finite number > 0, got {value!r}").format(
                         value=self.speed_kmh))
        if self.fleets:
            _require(sum(n for _, n in self.fleets) == self.count, "buses.fleets",
                     _("must add up to count ({count}), got {value!r}").format(
                         count=self.count, value=list(self.fleets)))


@dataclass(frozen=True)
class PrivateCars:
    """Households leaving in their own cars, at most ``departures_per_hour`` cars an hour.

    Their occupants are counted on top of the people at the assembly points, who are the ones
    without a car (a scenario origin's ``people`` is both together). The plan moves whole cars.
    """

    count: int
    occupancy: float
    departures_per_hour: float

    def validate(self) -> None:
        """Check every field; raise :class:`PlanningError` naming the first bad one."""
        _count(self.count, "cars.count")
        _finite_nonneg(self.occupancy, "cars.occupancy")
        _finite_nonneg(self.departures_per_hour, "cars.departures_per_hour")

    @property
    def people(self) -> float:
        """Everyone who would leave if every car left."""
        return self.count * self.occupancy


@dataclass(frozen=True)
class RouteCheckpoint:
    """A control point on the route, ``position_min`` minutes from the origin.

    ``lanes`` parallel lanes each clear one vehicle in ``min_per_vehicle`` minutes.
    """

    id: str
    position_min: float
    min_per_vehicle: float
    lanes: int

    def validate(self, field_name: str, travel_min: float) -> None:
        """Check every field; raise :class:`PlanningError` naming the first bad one."""
        _require(bool(self.id), f"{field_name}.id", _("must not be empty"))
        _require(0 <= self.position_min <= travel_min, f"{field_name}.position_min",
                 _("must lie in [0, {travel_min}], got {value!r}").format(
                     travel_min=travel_min, value=self.position_min))
        _require(math.isfinite(self.min_per_vehicle) and self.min_per_vehicle > 0,
                 f"{field_name}.min_per_vehicle",
                 _("must be a finite number > 0, got {value!r}").format(
                     value=self.min_per_vehicle))
        _count(self.lanes, f"{field_name}.lanes")

    @property
    def capacity_vph(self) -> float:
        """Vehicles per hour through all lanes."""
        return self.lanes * 60.0 / self.min_per_vehicle


@dataclass(frozen=True)
class TimeWindow:
    """A ceasefire window; both ends must be timezone-aware (``zoneinfo``)."""

    start: datetime
    end: datetime

    def validate(self, field_name: str) -> None:
        """Reject naive datetimes and windows that end before they start."""
        for name in ("start", "end"):
            moment: datetime = getattr(self, name)
            _require(moment.tzinfo is not None and moment.utcoffset() is not None,
                     f"{field_name}.{name}", _("must carry a time zone (zoneinfo)"))
        _require(self.end > self.start, f"{field_name}.end",
                 _("must be after start ({start}), got {end}").format(
                     start=self.start.isoformat(), end=self.end.isoformat()))

    def shifted(self, days: int) -> TimeWindow:
        """The same wall-clock window ``days`` later (aware arithmetic keeps local time)."""
        return TimeWindow(self.start + timedelta(days=days), self.end + timedelta(days=days))


@dataclass(frozen=True)
class CorridorSpec:
    """Everything one corridor plan needs.

    Parameters
    ----------
    corridor, assembly_points, windows
        The route, who waits where, and when movement is allowed.
    buses, cars, checkpoints
        Vehicles and controls; ``None`` or empty when there are none.
    reception_capacity
        People the destination can take in over the whole plan; ``None``: unlimited.
    resolution_min
        Length of one step of the time-expanded model; travel and service times round *up* to
        whole steps, so a coarser resolution is conservative, never optimistic.
    max_days
        How many days the window pattern may be repeated to clear everyone before the plan
        says "not within ``max_days`` days".
    """

    corridor: RouteProfile
    assembly_points: tuple[BoardingPoint, ...]
    windows: tuple[TimeWindow, ...]
    buses: BusShuttle | None = None
    cars: PrivateCars | None = None
    checkpoints: tuple[RouteCheckpoint, ...] = ()
    reception_capacity: int | None = None
    resolution_min: int = 5
    max_days: int = 14

    def validate(self) -> None:
        """Check the whole spec; raise :class:`PlanningError` naming the first bad field."""
        self.corridor.validate()
        for i, point in enumerate(self.assembly_points):
            point.validate(f"assembly_points[{i}]")
        _require(len(self.windows) > 0, "windows", _("at least one window is needed"))
        for i, window in enumerate(self.windows):
            window.validate(f"windows[{i}]")
        ordered = sorted(self.windows, key=lambda w: w.start)
        for i, (a, b) in enumerate(itertools.pairwise(ordered)):
            _require(b.start >= a.end, f"windows[{i + 1}]",
                     _("overlaps the window ending {end}").format(end=a.end.isoformat()))
        if self.buses is not None:
            self.buses.validate()
        if self.cars is not None:
            self.cars.validate()
        for i, checkpoint in enumerate(self.checkpoints):
            checkpoint.validate(f"checkpoints[{i}]", self.corridor.travel_min)
        if self.reception_capacity is not None:
            _count(self.reception_capacity, "reception_capacity")
        _require(isinstance(self.resolution_min, int) and 1 <= self.resolution_min <= 60,
                 "resolution_min", _("must be a whole number of minutes in [1, 60], got "
                                     "{value!r}").format(value=self.resolution_min))
        _require(isinstance(self.max_days, int) and self.max_days >= 1, "max_days",
                 _("must be a whole number >= 1, got {value!r}").format(value=self.max_days))

    @property
    def people_waiting(self) -> int:
        """People at all assembly points (car occupants not included)."""
        return sum(p.people for p in self.assembly_points)


@dataclass(frozen=True)
class Trip:
    """One loaded bus trip, origin to destination."""

    depart: datetime
    arrive: datetime
    people: int


@dataclass(frozen=True)
class BusSchedule:
    """The loaded trips of one bus, in order."""

    id: str
    trips: tuple[Trip, ...]


@dataclass(frozen=True)
class WindowResult:
    """People who set off during one window."""

    start: datetime
    end: datetime
    people_moved: int


@dataclass(frozen=True)
class Unmoved:
    """Who stays behind and why.

    ``assembly_points`` maps each point to the people still waiting there (points are served
    in the order given); ``private_cars`` counts cars that never get to leave.
    """

    people: int
    assembly_points: dict[str, int]
    private_cars: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Timeline:
    """Per-step series for plotting: step start times and what happens in each step."""

    times: tuple[datetime, ...]
    buses_on_road: tuple[int, ...]
    cars_on_road: tuple[float, ...]
    people_moved: tuple[float, ...]


@dataclass(frozen=True)
class CorridorPlan:
    """The solved plan of one corridor over its windows.

    ``binding`` names the resource whose relaxation (by :data:`RELAXATION_FACTOR` in
    :mod:`corridor.planning.corridor`) raises the number moved the most, ``"none"`` when
    everyone is moved; ``relaxation_gain`` holds the extra people each relaxation would move,
    so the verdict can be checked. ``days_to_clear`` is ``None`` when the window pattern,
    repeated for ``max_days`` days, still leaves people behind.
    """

    id: str
    people_moved: int
    windows: tuple[WindowResult, ...]
    days: tuple[tuple[date, int], ...]
    binding: str
    relaxation_gain: dict[str, int]
    days_to_clear: int | None
    buses: tuple[BusSchedule, ...]
    unmoved: Unmoved
    timeline: Timeline
    resolution_min: int

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape; datetimes are ISO 8601 with their UTC offsets."""
        return {
            "id": self.id,
            "people_moved": self.people_moved,
            "windows": [{"start": w.start.isoformat(), "end": w.end.isoformat(),
                         "people_moved": w.people_moved} for w in self.windows],
            "days": [{"date": d.isoformat(), "people_moved": n} for d, n in self.days],
            "binding": self.binding,
            "relaxation_gain": dict(self.relaxation_gain),
            "days_to_clear": self.days_to_clear,
            "buses": [{"id": b.id, "trips": [{"depart": t.depart.isoformat(),
                                               "arrive": t.arrive.isoformat(),
                                               "people": t.people} for t in b.trips]}
                      for b in self.buses],
            "unmoved": {"people": self.unmoved.people,
                        "assembly_points": dict(self.unmoved.assembly_points),
                        "private_cars": self.unmoved.private_cars,
                        "reasons": list(self.unmoved.reasons)},
            "resolution_min": self.resolution_min,
        }
