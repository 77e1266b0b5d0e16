"""The window plan of one corridor: an exact MILP on a time-expanded network.

Time is cut into steps of ``resolution_min`` from the opening of the first window. Per step the
model decides how many buses leave the origin loaded (integer), how many drive back empty
(integer), how many people board, and how many private cars leave (a flow, since cars are many
and leave at a rate). Stocks of idle buses at both ends carry the cycle origin → destination →
origin, with loading and unloading as dwell times. Departures exist only where they are safe:
inside a window, and early enough that the vehicle has left the last hazard stretch before that
window closes. Road and checkpoint throughput bound the vehicles passing per step and per
rolling hour; reception bounds the people delivered.

The objective is people moved, with two tie-breakers far smaller than one person: earlier
departures first (so the plan moves people in the first window it can) and no needless bus
movements. Durations round *up* to whole steps, so the plan never promises more than the road
allows.

Which resource binds is decided by re-solving with each one relaxed by
:data:`RELAXATION_FACTOR` and keeping the one that moves the most extra people; a MILP has no
duals to read, and a "what if we had half as many again" answer is what negotiators ask for.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from corridor.planning._milp import FloatArray, IntArray, SparseModel
from corridor.planning.model import (
    RESOURCES,
    BusSchedule,
    BusShuttle,
    CorridorPlan,
    CorridorSpec,
    Timeline,
    TimeWindow,
    Trip,
    Unmoved,
    WindowResult,
)
from corridor.progress import Progress, silent

#: How much each resource grows when testing whether it binds (``1.5``: half as much again).
RELAXATION_FACTOR = 1.5

#: Slack for reading whole numbers back from floating-point solver output.
_ROUND = 1e-6


@dataclass(frozen=True)
class _Grid:
    """The time axis: ``n`` steps of ``step_min`` minutes from ``t0`` (UTC)."""

    t0: datetime
    step_min: int
    n: int

    def at(self, k: int) -> datetime:
        return self.t0 + timedelta(minutes=k * self.step_min)

    def steps_until(self, moment: datetime) -> float:
        return (moment - self.t0).total_seconds() / 60.0 / self.step_min

    def ceil_steps(self, minutes: float) -> int:
        return math.ceil(minutes / self.step_min - _ROUND)


@dataclass(frozen=True)
class _Leg:
    """Timing of one vehicle kind along the route, in minutes at its own speed."""

    travel_min: float
    exit_out_min: float  # leaving the last hazard stretch, driving to the destination
    exit_back_min: float  # leaving the last hazard stretch, driving back to the origin
    checkpoint_min: tuple[float, ...]


def _leg(spec: CorridorSpec, scale: float) -> _Leg:
    route = spec.corridor
    hazards = route.hazards
    exit_out = max((h.end_min for h in hazards), default=0.0)
    exit_back = route.travel_min - min((h.start_min for h in hazards), default=route.travel_min)
    return _Leg(route.travel_min * scale, exit_out * scale, exit_back * scale,
                tuple(c.position_min * scale for c in spec.checkpoints))


def _bus_scale(spec: CorridorSpec) -> float:
    """Factor from the corridor's convoy times to the bus fleet's own speed."""
    fleet = spec.buses
    if fleet is None or fleet.speed_kmh is None or spec.corridor.length_km == 0:
        return 1.0
    return spec.corridor.length_km / fleet.speed_kmh * 60.0 / spec.corridor.travel_min


def _grid(spec: CorridorSpec, windows: tuple[TimeWindow, ...]) -> _Grid:
    t0 = min(w.start for w in windows).astimezone(UTC)
    last = max(w.end for w in windows).astimezone(UTC)
    tail_min = max(spec.corridor.travel_min, _leg(spec, _bus_scale(spec)).travel_min)
    if spec.buses is not None:
        tail_min += spec.buses.unload_min
    span_min = (last - t0).total_seconds() / 60.0 + tail_min
    return _Grid(t0, spec.resolution_min, math.ceil(span_min / spec.resolution_min) + 2)


def _safe_steps(grid: _Grid, windows: tuple[TimeWindow, ...],
                exit_min: float) -> npt.NDArray[np.int64]:
    """Window index of every step from which a departure is safe, ``-1`` elsewhere.

    A departure at step ``k`` is safe in window ``w`` if it falls inside ``w`` and the vehicle
    is out of every hazard stretch ``exit_min`` minutes later, before ``w`` closes.
    """
    owner = np.full(grid.n, -1, dtype=np.int64)
    for i, window in enumerate(windows):
        first = math.ceil(grid.steps_until(window.start) - _ROUND)
        last_by_end = math.ceil(grid.steps_until(window.end) - _ROUND) - 1
        last_by_exit = math.floor(grid.steps_until(window.end) - exit_min / grid.step_min + _ROUND)
        last = min(last_by_end, last_by_exit, grid.n - 1)
        if last >= first:
            owner[first:last + 1] = i
    return owner


def _boarded_in_window(grid: _Grid, windows: tuple[TimeWindow, ...],
                       owner: npt.NDArray[np.int64], load_steps: int) -> npt.NDArray[np.bool_]:
    """Safe departure steps whose boarding, ``load_steps`` before, starts inside the window."""
    first = np.array([math.ceil(grid.steps_until(w.start) - _ROUND) for w in windows],
                     dtype=np.int64)
    steps = np.arange(grid.n)
    return (owner >= 0) & (steps - load_steps >= first[np.maximum(owner, 0)])


def _whole_cars(cars: FloatArray) -> FloatArray:
    """Whole cars per step: the running total of departures rounded down at every step.

    The solver releases cars as a flow; rounding the running total keeps every step's count
    whole and no step ahead of the flow the constraints allowed (by less than one car).
    """
    total = np.floor(np.cumsum(cars) + _ROUND)
    return np.diff(total, prepend=0.0)


def _window_of_step(grid: _Grid, windows: tuple[TimeWindow, ...]) -> npt.NDArray[np.int64]:
    """Window index of every step inside a window (safe or not), ``-1`` between windows."""
    return _safe_steps(grid, windows, 0.0)


@dataclass(frozen=True)
class _Solution:
    """Per-step decisions of one solve, on its grid."""

    grid: _Grid
    windows: tuple[TimeWindow, ...]
    bus_leg: _Leg
    car_leg: _Leg
    bus_out: IntArray
    bus_back: IntArray
    bus_people: FloatArray
    cars: FloatArray
    car_occupancy: float

    @property
    def people(self) -> FloatArray:
        """People setting off per step."""
        return self.bus_people + self.cars * self.car_occupancy

    @property
    def moved(self) -> int:
        return math.floor(float(self.people.sum()) + _ROUND)


@dataclass(frozen=True)
class _Columns:
    """Column indices of the per-step decisions; ``-1`` where a decision does not exist."""

    bus_out: IntArray
    bus_back: IntArray
    bus_people: IntArray
    cars: IntArray


def _sparse_columns(model: SparseModel, allowed: npt.NDArray[np.bool_], *, cost: FloatArray,
                    upper: float, integer: bool) -> IntArray:
    """One column per allowed step, ``-1`` elsewhere."""
    out = np.full(len(allowed), -1, dtype=np.int64)
    out[allowed] = model.add_columns(int(allowed.sum()), cost=cost[allowed], upper=upper,
                                     integer=integer)
    return out


def _add_bus_cycle(model: SparseModel, cols: _Columns, fleet: BusShuttle, grid: _Grid,
                   leg: _Leg) -> None:
    """Idle-bus stocks at origin and destination, linked by loaded and empty trips.

    A bus leaves the origin's stock when boarding starts, ``load_min`` before its loaded
    departure, and rejoins it when it is back from the destination.
    """
    travel = grid.ceil_steps(leg.travel_min)
    load = grid.ceil_steps(fleet.load_min)
    to_dest = travel + grid.ceil_steps(fleet.unload_min)
    ready = grid.ceil_steps(fleet.approach_min)
    origin = model.add_columns(grid.n)
    dest = model.add_columns(grid.n)
    for k in range(grid.n):
        # origin[k] = origin[k-1] + arrivals - departures; dest likewise.
        o_idx: list[int] = [int(origin[k])]
        o_val: list[float] = [1.0]
        d_idx: list[int] = [int(dest[k])]
        d_val: list[float] = [1.0]
        if k > 0:
            o_idx.append(int(origin[k - 1]))
            o_val.append(-1.0)
            d_idx.append(int(dest[k - 1]))
            d_val.append(-1.0)
        if k + load < grid.n and cols.bus_out[k + load] >= 0:
            o_idx.append(int(cols.bus_out[k + load]))
            o_val.append(1.0)
        if cols.bus_back[k] >= 0:
            d_idx.append(int(cols.bus_back[k]))
            d_val.append(1.0)
        if k >= travel and cols.bus_back[k - travel] >= 0:
            o_idx.append(int(cols.bus_back[k - travel]))
            o_val.append(-1.0)
        if k >= to_dest and cols.bus_out[k - to_dest] >= 0:
            d_idx.append(int(cols.bus_out[k - to_dest]))
            d_val.append(-1.0)
        fresh = float(fleet.count) if k == ready else 0.0
        model.add_row(o_idx, o_val, fresh, fresh)
        model.add_row(d_idx, d_val, 0.0, 0.0)


def _add_throughput(model: SparseModel, cols: _Columns, grid: _Grid, capacity_vph: float,
                    bus_offset: int, car_offset: int) -> None:
    """Vehicles passing one point: per step, and per rolling hour.

    Per step at least one vehicle may pass (a bus cannot be split across steps), but never more
    than the hourly rate allows over every rolling hour, so a coarse step cannot inflate the
    throughput.
    """
    hour = max(1, round(60 / grid.step_min))
    per_hour = capacity_vph * hour * grid.step_min / 60.0
    per_step = min(max(capacity_vph * grid.step_min / 60.0, 1.0), per_hour)
    passing: list[list[int]] = [[] for _ in range(grid.n + max(bus_offset, car_offset))]
    for var, offset in ((cols.bus_out, bus_offset), (cols.cars, car_offset)):
        for k in np.flatnonzero(var >= 0):
            passing[int(k) + offset].append(int(var[k]))
    for s, here in enumerate(passing):
        if here:
            model.add_row(here, [1.0] * len(here), upper=per_step)
        if hour > 1:
            rolling = [c for block in passing[max(0, s - hour + 1):s + 1] for c in block]
            if rolling and len(rolling) > len(here):
                model.add_row(rolling, [1.0] * len(rolling), upper=per_hour)


def _solve(spec: CorridorSpec, windows: tuple[TimeWindow, ...]) -> _Solution:
    """Build and solve the time-expanded MILP over ``windows``."""
    grid = _grid(spec, windows)
    bus_leg = _leg(spec, _bus_scale(spec))
    car_leg = _leg(spec, 1.0)
    fleet = spec.buses
    cars = spec.cars
    model = SparseModel()
    # Earlier departures weigh slightly more; the whole bonus stays under half a person.
    demand = spec.people_waiting + (cars.people if cars else 0.0)
    weight = 1.0 - 0.5 * np.arange(grid.n) / grid.n / max(demand, 1.0)
    none = np.zeros(grid.n, dtype=bool)
    bus_ok = none if fleet is None else _boarded_in_window(
        grid, windows, _safe_steps(grid, windows, bus_leg.exit_out_min),
        grid.ceil_steps(fleet.load_min))
    back_ok = none if fleet is None else _safe_steps(grid, windows, bus_leg.exit_back_min) >= 0
    car_ok = none if cars is None else _safe_steps(grid, windows, car_leg.exit_out_min) >= 0
    moves = max(1, int(bus_ok.sum() + back_ok.sum()) * (fleet.count if fleet else 0))
    penalty = np.full(grid.n, -0.25 / moves)
    cols = _Columns(
        bus_out=_sparse_columns(model, bus_ok, cost=penalty, upper=np.inf, integer=True),
        bus_back=_sparse_columns(model, back_ok, cost=penalty, upper=np.inf, integer=True),
        bus_people=_sparse_columns(model, bus_ok, cost=weight, upper=np.inf, integer=False),
        cars=_sparse_columns(model, car_ok, cost=weight * (cars.occupancy if cars else 0.0),
                             upper=cars.departures_per_hour * grid.step_min / 60.0
                             if cars else 0.0, integer=False),
    )
    if fleet is not None:
        _add_bus_cycle(model, cols, fleet, grid, bus_leg)
        for k in np.flatnonzero(bus_ok):
            model.add_row([cols.bus_people[k], cols.bus_out[k]], [1.0, -float(fleet.seats)],
                          upper=0.0)
    _add_demand_rows(model, cols, spec)
    _add_throughput(model, cols, grid, spec.corridor.capacity_vph, 0, 0)
    for checkpoint, bus_at, car_at in zip(spec.checkpoints, bus_leg.checkpoint_min,
                                          car_leg.checkpoint_min, strict=True):
        _add_throughput(model, cols, grid, checkpoint.capacity_vph,
                        round(bus_at / grid.step_min), round(car_at / grid.step_min))
    values = model.maximise()
    return _Solution(grid, windows, bus_leg, car_leg,
                     bus_out=np.rint(_pick(values, cols.bus_out)).astype(np.int64),
                     bus_back=np.rint(_pick(values, cols.bus_back)).astype(np.int64),
                     bus_people=_pick(values, cols.bus_people),
                     cars=_whole_cars(_pick(values, cols.cars)),
                     car_occupancy=cars.occupancy if cars else 0.0)


def _add_demand_rows(model: SparseModel, cols: _Columns, spec: CorridorSpec) -> None:
    """Nobody boards twice, no car leaves twice, and reception is not overrun."""
    boarding = cols.bus_people[cols.bus_people >= 0]
    leaving = cols.cars[cols.cars >= 0]
    if len(boarding):
        model.add_row(boarding, np.ones(len(boarding)), upper=float(spec.people_waiting))
    if len(leaving) and spec.cars is not None:
        model.add_row(leaving, np.ones(len(leaving)), upper=float(spec.cars.count))
    if spec.reception_capacity is not None and (len(boarding) or len(leaving)):
        occupancy = spec.cars.occupancy if spec.cars else 0.0
        model.add_row(np.concatenate([boarding, leaving]),
                      np.concatenate([np.ones(len(boarding)), np.full(len(leaving), occupancy)]),
                      upper=float(spec.reception_capacity))


def _pick(values: FloatArray, index: IntArray) -> FloatArray:
    """Column values per step, zero where the column does not exist."""
    out = np.zeros(len(index), dtype=np.float64)
    present = index >= 0
    out[present] = np.maximum(values[index[present]], 0.0)
    return out


# -- diagnosis -------------------------------------------------------------------------------

def _relaxed(spec: CorridorSpec, resource: str) -> CorridorSpec | None:
    """``spec`` with one resource grown by :data:`RELAXATION_FACTOR`; ``None`` if it has none."""
    f = RELAXATION_FACTOR
    if resource == "buses":
        fleet = spec.buses
        if fleet is None or fleet.count == 0 or fleet.seats == 0:
            return None
        return replace(spec, buses=replace(fleet, count=max(fleet.count + 1,
                                                            math.ceil(fleet.count * f))))
    if resource == "checkpoint":
        if not spec.checkpoints:
            return None
        return replace(spec, checkpoints=tuple(
            replace(c, min_per_vehicle=c.min_per_vehicle / f) for c in spec.checkpoints))
    if resource == "road":
        return replace(spec, corridor=replace(spec.corridor,
                                              capacity_vph=spec.corridor.capacity_vph * f))
    if resource == "window":
        return replace(spec, windows=_longer_windows(spec.windows, f))
    if spec.reception_capacity is None:
        return None
    return replace(spec, reception_capacity=math.ceil(spec.reception_capacity * f))


def _longer_windows(windows: tuple[TimeWindow, ...], factor: float) -> tuple[TimeWindow, ...]:
    """Each window's end pushed out by ``factor - 1`` of its length, stopping at the next."""
    ordered = sorted(windows, key=lambda w: w.start)
    out: list[TimeWindow] = []
    for i, w in enumerate(ordered):
        end = w.end + (w.end - w.start) * (factor - 1.0)
        if i + 1 < len(ordered):
            end = min(end, ordered[i + 1].start)
        out.append(TimeWindow(w.start, end.astimezone(w.end.tzinfo)))
    return tuple(out)


def _obstacles(spec: CorridorSpec, base: _Solution) -> list[tuple[str, str]]:
    """Plain-language reasons, each tagged with the resource it concerns."""
    found: list[tuple[str, str]] = []
    route = spec.corridor
    if route.capacity_vph == 0:
        found.append(("road", f"corridor {route.id} is closed: its capacity is 0 vehicles/hour"))
    found += [("checkpoint", f"checkpoint {c.id} has no open lane")
              for c in spec.checkpoints if c.lanes == 0]
    fleet = spec.buses
    if spec.people_waiting and (fleet is None or fleet.count == 0 or fleet.seats == 0):
        found.append(("buses", f"no bus seats for the {spec.people_waiting:,} people at the "
                               "assembly points"))
    elif spec.people_waiting and fleet is not None:
        found += _late_fleet(fleet, base)
    safe = _safe_steps(base.grid, base.windows, base.car_leg.exit_out_min)
    for i, window in enumerate(spec.windows):
        if not np.any(safe == i):
            found.append(("window", f"window {i} ({window.start.isoformat()} to "
                                    f"{window.end.isoformat()}) is shorter than the "
                                    f"{base.car_leg.exit_out_min:g} minutes a convoy needs to "
                                    "leave the hazard zone"))
    demand = spec.people_waiting + (spec.cars.people if spec.cars else 0.0)
    if spec.reception_capacity is not None and spec.reception_capacity < demand:
        found.append(("reception", f"the destination can receive {spec.reception_capacity:,} "
                                   f"people but {demand:,.0f} are waiting"))
    return found


def _late_fleet(fleet: BusShuttle, base: _Solution) -> list[tuple[str, str]]:
    """Windows whose last safe departure comes before the buses can be loaded at the origin."""
    grid = base.grid
    ready = grid.ceil_steps(fleet.approach_min + fleet.load_min)
    owner = _safe_steps(grid, base.windows, base.bus_leg.exit_out_min)
    out: list[tuple[str, str]] = []
    for i, window in enumerate(base.windows):
        steps = np.flatnonzero(owner == i)
        if len(steps) and steps[-1] < ready:
            last = grid.at(int(steps[-1])).astimezone(window.start.tzinfo)
            at = grid.at(ready).astimezone(window.start.tzinfo)
            out.append(("buses", f"the fleet reaches the origin loaded at {at.isoformat()}, after "
                                 f"the last safe departure of window {i} at {last.isoformat()}"))
    return out


def _binding(gains: dict[str, int], obstacles: list[tuple[str, str]], unmoved: int) -> str:
    """The resource whose relaxation helps most; an obstacle's resource when none helps."""
    if unmoved == 0:
        return "none"
    best = max(RESOURCES, key=lambda r: gains.get(r, 0))
    if gains.get(best, 0) > 0:
        return best
    return obstacles[0][0] if obstacles else "window"


# -- days to clear ---------------------------------------------------------------------------

def _pattern_days(windows: tuple[TimeWindow, ...]) -> int:
    """Whole days the window pattern spans; repetitions are shifted by this many days."""
    first = min(w.start for w in windows)
    last = max(w.end for w in windows)
    return max(1, math.ceil((last - first) / timedelta(days=1)))


def _repeated(windows: tuple[TimeWindow, ...], times: int) -> tuple[TimeWindow, ...]:
    period = _pattern_days(windows)
    return tuple(w.shifted(period * r) for r in range(times) for w in windows)


def _last_day(solution: _Solution, demand: float) -> int | None:
    """Calendar days from the first window to the last departure, if everyone leaves."""
    if float(solution.people.sum()) + _ROUND < demand:
        return None
    first = min(solution.windows, key=lambda w: w.start)
    moving = np.flatnonzero(solution.people > _ROUND)
    if len(moving) == 0:
        return 1
    zone = first.start.tzinfo
    last = solution.grid.at(int(moving[-1])).astimezone(zone).date()
    return (last - first.start.date()).days + 1


def _days_to_clear(spec: CorridorSpec, base: _Solution, hopeless: bool,
                   report: Progress) -> int | None:
    """Repeat the window pattern until everyone has left; ``None`` beyond ``max_days``.

    Clearing within ``r`` repetitions is monotone in ``r``, so the fewest repetitions are found
    by search. The first probe extrapolates the throughput the second repetition adds, which is
    usually exact or one off, so only a few of the (growing) models are solved.
    """
    demand = spec.people_waiting + (spec.cars.people if spec.cars else 0.0)
    if hopeless or base.moved + _ROUND >= demand:
        return _last_day(base, demand)
    period = _pattern_days(spec.windows)
    most = spec.max_days // period
    solved: dict[int, _Solution] = {1: base}

    def days_with(reps: int) -> int | None:
        if reps not in solved:
            report(f"repeating the windows for {reps * period} days", 0.8)
            solved[reps] = _solve(spec, _repeated(spec.windows, reps))
        return _last_day(solved[reps], demand)

    if most < 2 or days_with(2) is not None:
        return days_with(2) if most >= 2 else None
    gain = solved[2].moved - base.moved
    guess = most if gain <= 0 else min(most, 2 + math.ceil((demand - solved[2].moved) / gain))
    low, high = 2, guess
    while days_with(high) is None:  # gallop upwards past the guess
        if high == most:
            return None
        low, high = high, min(most, high + 2 * (high - low))
    probe = high - 1  # the guess is most often exact: test just below it first
    while high - low > 1:
        if days_with(probe) is None:
            low = probe
        else:
            high = probe
        probe = (low + high) // 2
    return days_with(high)


# -- assembling the plan ---------------------------------------------------------------------

def _bus_schedules(solution: _Solution, fleet: BusShuttle) -> tuple[BusSchedule, ...]:
    """Split the aggregate bus flows into one timetable per bus.

    Buses are identical, so any assignment that respects the stocks is valid; the earliest-ready
    bus (lowest number among equals) takes each departure, which keeps the timetable readable.
    """
    grid = solution.grid
    travel = grid.ceil_steps(solution.bus_leg.travel_min)
    load = grid.ceil_steps(fleet.load_min)
    dest_ready = travel + grid.ceil_steps(fleet.unload_min)
    ready = [grid.ceil_steps(fleet.approach_min)] * fleet.count
    at_origin = [True] * fleet.count
    trips: list[list[Trip]] = [[] for _ in range(fleet.count)]
    owner = _window_of_step(grid, solution.windows)
    for k in np.flatnonzero((solution.bus_out > 0) | (solution.bus_back > 0)):
        for _ in range(int(solution.bus_back[k])):
            bus = _next_bus(ready, at_origin, int(k), want_origin=False)
            ready[bus], at_origin[bus] = int(k) + travel, True
        seats_left = solution.bus_people[k] + _ROUND
        zone = solution.windows[int(owner[k])].start.tzinfo
        for _ in range(int(solution.bus_out[k])):
            bus = _next_bus(ready, at_origin, int(k) - load, want_origin=True)
            ready[bus], at_origin[bus] = int(k) + dest_ready, False
            people = min(fleet.seats, math.floor(seats_left))
            seats_left -= people
            depart = grid.at(int(k)).astimezone(zone)
            arrive = _whole_minute(depart + timedelta(minutes=solution.bus_leg.travel_min))
            trips[bus].append(Trip(depart, arrive, people))
    return tuple(BusSchedule(bus_id, tuple(t)) for bus_id, t in zip(fleet.ids, trips,
                                                                    strict=True))


def _whole_minute(moment: datetime) -> datetime:
    """``moment`` rounded up to the minute: a timetable promises no earlier arrival."""
    exact = moment.replace(second=0, microsecond=0)
    return exact if exact == moment else exact + timedelta(minutes=1)


def _next_bus(ready: list[int], at_origin: list[bool], k: int, *, want_origin: bool) -> int:
    candidates = [b for b in range(len(ready)) if at_origin[b] == want_origin and ready[b] <= k]
    return min(candidates, key=lambda b: (ready[b], b))


def _timeline(solution: _Solution) -> Timeline:
    """Vehicles on the road and cumulative people delivered, per step."""
    grid = solution.grid
    bus_travel = grid.ceil_steps(solution.bus_leg.travel_min)
    car_travel = grid.ceil_steps(solution.car_leg.travel_min)
    buses = np.zeros(grid.n + bus_travel + 1)
    cars = np.zeros(grid.n + car_travel + 1)
    delivered = np.zeros(grid.n + max(bus_travel, car_travel) + 1)
    trips = (solution.bus_out + solution.bus_back).astype(np.float64)
    steps = np.arange(grid.n)
    np.add.at(buses, steps, trips)
    np.add.at(buses, steps + bus_travel, -trips)
    np.add.at(cars, steps, solution.cars)
    np.add.at(cars, steps + car_travel, -solution.cars)
    np.add.at(delivered, steps + bus_travel, solution.bus_people)
    np.add.at(delivered, steps + car_travel, solution.cars * solution.car_occupancy)
    zone = solution.windows[0].start.tzinfo
    return Timeline(
        times=tuple(grid.at(k).astimezone(zone) for k in range(grid.n)),
        buses_on_road=tuple(round(float(v)) for v in np.cumsum(buses)[:grid.n]),
        cars_on_road=tuple(float(v) for v in np.cumsum(cars)[:grid.n]),
        people_moved=tuple(float(v) for v in np.cumsum(delivered)[:grid.n]),
    )


def _per_window_and_day(solution: _Solution) -> tuple[tuple[WindowResult, ...],
                                                      tuple[tuple[date, int], ...]]:
    owner = _window_of_step(solution.grid, solution.windows)
    people = solution.people
    per_window = [0.0] * len(solution.windows)
    per_day: dict[date, float] = defaultdict(float)
    for k in np.flatnonzero(people > _ROUND):
        w = int(owner[k])
        per_window[w] += float(people[k])
        zone = solution.windows[w].start.tzinfo
        per_day[solution.grid.at(int(k)).astimezone(zone).date()] += float(people[k])
    windows = tuple(WindowResult(w.start, w.end, math.floor(n + _ROUND))
                    for w, n in zip(solution.windows, per_window, strict=True))
    days = tuple((d, math.floor(per_day[d] + _ROUND)) for d in sorted(per_day))
    return windows, days


def _unmoved(spec: CorridorSpec, solution: _Solution, reasons: list[str]) -> Unmoved:
    """Who stays behind: assembly points are served in the order given."""
    boarded = math.floor(float(solution.bus_people.sum()) + _ROUND)
    left: dict[str, int] = {}
    for point in spec.assembly_points:
        served = min(point.people, boarded)
        boarded -= served
        left[point.id] = point.people - served
    cars_left = (spec.cars.count - math.floor(float(solution.cars.sum()) + _ROUND)
                 if spec.cars else 0)
    demand = spec.people_waiting + (spec.cars.people if spec.cars else 0.0)
    people = max(0, math.ceil(demand - float(solution.people.sum()) - _ROUND))
    return Unmoved(people, left, cars_left, tuple(reasons) if people else ())


def plan_corridor(spec: CorridorSpec, *, progress: Progress | None = None) -> CorridorPlan:
    """Plan the evacuation through one corridor over its ceasefire windows.

    Parameters
    ----------
    spec
        The corridor, people, vehicles, checkpoints, windows and reception; validated here.
    progress
        Called as ``progress(stage, fraction)`` before each solve, so a front end can show how
        far a long plan has come; the planner itself prints nothing.

    Returns
    -------
    CorridorPlan
        People moved per window and per day, a timetable per bus, the binding resource, days
        needed to clear everyone (repeating the window pattern), and who is left behind and why.

    Raises
    ------
    PlanningError
        If any input is malformed (the error names the field).
    """
    spec.validate()
    report = progress or silent
    windows = tuple(sorted(spec.windows, key=lambda w: w.start))
    spec = replace(spec, windows=windows)
    report("solving the window plan", 0.0)
    base = _solve(spec, windows)
    obstacles = _obstacles(spec, base)
    unmoved_people = _unmoved(spec, base, []).people
    gains: dict[str, int] = {}
    if unmoved_people:
        for i, resource in enumerate(RESOURCES):
            report(f"relaxing {resource}", 0.1 + 0.6 * i / len(RESOURCES))
            relaxed = _relaxed(spec, resource)
            gains[resource] = (0 if relaxed is None
                               else _solve(relaxed, relaxed.windows).moved - base.moved)
    binding = _binding(gains, obstacles, unmoved_people)
    hopeless = any(resource in ("road", "checkpoint", "reception") for resource, _ in obstacles)
    days = _days_to_clear(spec, base, hopeless, report)
    reasons = [text for _, text in obstacles]
    if unmoved_people and binding in gains and gains[binding] > 0:
        reasons.append(f"{binding} is the binding resource: {RELAXATION_FACTOR:g} times as much "
                       f"would move {gains[binding]:,} more people")
    if unmoved_people and days is None and not hopeless:
        reasons.append(f"not cleared within {spec.max_days} days even repeating the windows")
    per_window, per_day = _per_window_and_day(base)
    report("done", 1.0)
    return CorridorPlan(
        id=spec.corridor.id,
        people_moved=base.moved,
        windows=per_window,
        days=per_day,
        binding=binding,
        relaxation_gain=gains,
        days_to_clear=days,
        buses=_bus_schedules(base, spec.buses) if spec.buses else (),
        unmoved=_unmoved(spec, base, reasons),
        timeline=_timeline(base),
        resolution_min=spec.resolution_min,
    )
