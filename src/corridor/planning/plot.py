"""Timeline figure of a corridor plan: vehicles on the road and people delivered over time.

Built on :class:`matplotlib.figure.Figure` directly rather than ``pyplot``, so no global state or
GUI backend is touched: the figure renders with Agg (PNG) and the SVG backend, as a server or a
test run needs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from matplotlib.figure import Figure

from corridor.planning.model import CorridorPlan


def _hours(moment: datetime, origin: datetime) -> float:
    return (moment - origin).total_seconds() / 3600.0


def plot_timeline(plan: CorridorPlan, stem: Path) -> tuple[Path, Path]:
    """Draw the plan's timeline with its windows shaded and save it as PNG and SVG.

    Parameters
    ----------
    plan
        A solved corridor plan.
    stem
        Output path without suffix; ``.png`` and ``.svg`` are appended.

    Returns
    -------
    tuple of Path
        The PNG and SVG files written.
    """
    line = plan.timeline
    origin = line.times[0]
    hours = [_hours(t, origin) for t in line.times]
    fig = Figure(figsize=(10, 4.5), layout="constrained")
    road = fig.add_subplot(1, 1, 1)
    moved = road.twinx()
    for window in plan.windows:
        road.axvspan(_hours(window.start, origin), _hours(window.end, origin),
                     color="tab:green", alpha=0.12, lw=0)
    road.step(hours, line.buses_on_road, where="post", color="tab:blue",
              label="buses on the road")
    road.step(hours, line.cars_on_road, where="post", color="tab:orange",
              label="cars on the road")
    moved.plot(hours, line.people_moved, color="black", lw=2, label="people delivered")
    road.set_ylabel("vehicles on the road")
    moved.set_ylabel("people delivered (cumulative)")
    moved.set_ylim(bottom=0)
    road.set_ylim(bottom=0)
    road.set_xlabel(f"hours since {origin:%d %b %Y %H:%M} ({origin.tzinfo})")
    road.set_title(f"Corridor {plan.id}: {plan.people_moved} people moved, "
                   f"binding: {plan.binding} (windows shaded)")
    handles = road.get_legend_handles_labels()
    extra = moved.get_legend_handles_labels()
    road.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left")
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png, dpi=120)
    fig.savefig(svg)
    return png, svg
