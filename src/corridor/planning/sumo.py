"""Check a network evacuation plan in Eclipse SUMO's mesoscopic simulation.

The plan is exported as it stands: the road network as plain XML nodes and edges (one SUMO edge
per network edge, lanes from capacity, length and speed kept), built by ``netconvert``; one
vehicle per ``persons_per_vehicle`` evacuees, on the planned route, leaving in the planned step.
``sumo --mesosim`` then drives them with its own queueing model, and the last arrival in the
trip-info output is the simulated clearance time, to set beside the planned egress time.

The binaries come from the ``eclipse-sumo`` wheel (``sumo.SUMO_HOME``), so nothing is fetched
at run time.
"""

from __future__ import annotations

import importlib
import math
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corridor.errors import PlanningError
from corridor.geodesy import LocalProjection
from corridor.i18n import _
from corridor.planning.ccrp import NetworkPlan
from corridor.planning.evacuation import EvacuationProblem

#: Vehicles per hour one SUMO lane is taken to carry, to turn capacities into lane counts.
_VPH_PER_LANE = 1800.0


@dataclass(frozen=True)
class SumoCheck:
    """Planned against simulated clearance, and the tolerance the resolution allows.

    ``tolerance_s`` is what rounding alone can explain: the largest difference, over the plan's
    routes, between a route's whole-step and true travel time, plus one step (vehicles of one
    planned step leave spread across it).
    """

    planned_s: float
    simulated_s: float
    tolerance_s: float
    vehicles: int
    arrived: int

    @property
    def difference_s(self) -> float:
        return self.simulated_s - self.planned_s

    @property
    def within_tolerance(self) -> bool:
        return abs(self.difference_s) <= self.tolerance_s


def sumo_binary(name: str) -> Path:
    """Path of a SUMO tool (``sumo``, ``netconvert``) shipped with the ``eclipse-sumo`` wheel."""
    try:
        sumo = importlib.import_module("sumo")  # untyped package: looked up by name
    except ImportError as exc:
        raise PlanningError(_("the eclipse-sumo package is not installed")) from exc
    path = Path(str(sumo.SUMO_HOME)) / "bin" / name
    if not path.exists():
        raise PlanningError(_("SUMO tool {name!r} not found in {parent}").format(
                                name=name, parent=path.parent))
    return path


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PlanningError(_("{what} failed: {output}").format(
                                what=what, output=done.stderr.strip()[-500:]))


def write_network(problem: EvacuationProblem, workdir: Path) -> Path:
    """Write plain XML nodes and edges and build ``net.net.xml`` with ``netconvert``.

    Coordinates are projected to metres around the network's centre (equirectangular; at city
    scale the distortion is far below the rounding of travel times to steps). Edge lengths are
    set explicitly, so SUMO drives exactly the planned distances.
    """
    net = problem.network
    x, y = LocalProjection.for_bounds(net.bbox, equidistant=True).forward(net.node_lon,
                                                                           net.node_lat)
    nodes = ET.Element("nodes")
    for v in range(net.n_nodes):
        ET.SubElement(nodes, "node", id=f"n{v}", x=f"{x[v]:.2f}", y=f"{y[v]:.2f}")
    speed = net.speed_kmh if problem.max_speed_kmh is None else np.minimum(
        net.speed_kmh, problem.max_speed_kmh)
    lanes = np.maximum(1, np.rint(net.capacity_vph / _VPH_PER_LANE)).astype(int)
    # SUMO has no self-loops; an earliest-arrival route never uses one either.
    kept = np.flatnonzero(net.tail != net.head).tolist()
    edges = ET.Element("edges")
    for e in kept:
        ET.SubElement(edges, "edge", id=f"e{e}", attrib={
            "from": f"n{net.tail[e]}", "to": f"n{net.head[e]}", "numLanes": str(lanes[e]),
            "speed": f"{speed[e] / 3.6:.3f}", "length": f"{max(net.length_m[e], 0.1):.2f}"})
    # Every turn the planner may use (U-turns included) must exist in SUMO too; netconvert's
    # own guess leaves some out, and a route through a missing turn is rejected.
    turns = ET.Element("connections")
    indptr = net.indptr
    loop = (net.tail == net.head).tolist()
    for e in kept:
        v = int(net.head[e])
        for f in range(int(indptr[v]), int(indptr[v + 1])):
            if not loop[f]:
                ET.SubElement(turns, "connection", attrib={"from": f"e{e}", "to": f"e{f}"})
    workdir.mkdir(parents=True, exist_ok=True)
    files = {"nodes.nod.xml": nodes, "edges.edg.xml": edges, "turns.con.xml": turns}
    for name, root in files.items():
        ET.ElementTree(root).write(workdir / name)
    out = workdir / "net.net.xml"
    _run([str(sumo_binary("netconvert")), "--node-files", str(workdir / "nodes.nod.xml"),
          "--edge-files", str(workdir / "edges.edg.xml"),
          "--connection-files", str(workdir / "turns.con.xml"), "--output-file", str(out),
          "--no-warnings", "--no-internal-links", "true", "--junctions.join", "false",
          "--offset.disable-normalization", "true"], "netconvert")
    return out


def write_routes(problem: EvacuationProblem, plan: NetworkPlan, workdir: Path) -> tuple[Path, int]:
    """One vehicle per ``persons_per_vehicle`` evacuees on each planned route and step.

    The vehicles of one planned group leave spread evenly over the group's step. Vehicle counts
    are rounded up on the running total of each route: a vehicle leaves with the first group
    that puts people in it, and every route carries all its people (at most one vehicle more
    than its people strictly need, never one fewer).
    """
    routes = ET.Element("routes")
    speed_cap = "" if problem.max_speed_kmh is None else f"{problem.max_speed_kmh / 3.6:.3f}"
    vtype = ET.SubElement(routes, "vType", id="evac", speedFactor="1", speedDev="0")
    if speed_cap:
        vtype.set("maxSpeed", speed_cap)
    trips: list[tuple[float, str]] = []
    for source in plan.sources:
        for r, route in enumerate(source.routes):
            route_id = f"r{source.node}_{r}"
            ET.SubElement(routes, "route", id=route_id,
                          edges=" ".join(f"e{e}" for e in route.edges))
            cumulative, sent = 0.0, 0
            for d in route.departures:
                cumulative += d.people / problem.persons_per_vehicle
                # Group sizes are multiples of 1/1000 of a person, summed in floating point.
                count = math.ceil(cumulative - 1e-6) - sent
                sent += count
                trips += [(d.depart_s + plan.step_s * i / count, route_id) for i in range(count)]
    trips.sort()
    for i, (depart, route_id) in enumerate(trips):
        ET.SubElement(routes, "vehicle", id=f"v{i}", type="evac", route=route_id,
                      depart=f"{depart:.2f}", departLane="best", departSpeed="max")
    path = workdir / "routes.rou.xml"
    ET.ElementTree(routes).write(path)
    return path, len(trips)


def _tolerance_s(problem: EvacuationProblem, plan: NetworkPlan) -> float:
    """Largest rounding error of any planned route, plus one step of departure spread."""
    model = problem.time_model
    seconds = (problem.network.travel_time_s if problem.max_speed_kmh is None
               else problem.network.travel_time_capped_s(problem.max_speed_kmh))
    error = model.tau * model.step_s - seconds
    worst = max((abs(float(error[list(r.edges)].sum())) for s in plan.sources
                 for r in s.routes), default=0.0)
    return worst + model.step_s


def simulate(problem: EvacuationProblem, plan: NetworkPlan, workdir: Path) -> SumoCheck:
    """Run the plan in mesoscopic SUMO and compare clearance times.

    Parameters
    ----------
    problem
        The evacuation the plan was made for.
    plan
        A CCRP plan of ``problem``.
    workdir
        Where the SUMO inputs and outputs are written (kept for inspection).
    """
    net_file = write_network(problem, workdir)
    route_file, vehicles = write_routes(problem, plan, workdir)
    tripinfo = workdir / "tripinfo.xml"
    _run([str(sumo_binary("sumo")), "--net-file", str(net_file), "--route-files",
          str(route_file), "--mesosim", "true", "--tripinfo-output", str(tripinfo),
          "--no-step-log", "true", "--no-warnings", "true", "--time-to-teleport", "-1",
          "--ignore-route-errors", "false"], "sumo")
    trips = ET.parse(tripinfo).getroot().iter("tripinfo")
    done = [a for a in (float(t.get("arrival", "-1")) for t in trips) if a >= 0]
    return SumoCheck(plan.egress_time_s, max(done, default=0.0), _tolerance_s(problem, plan),
                     vehicles, len(done))
