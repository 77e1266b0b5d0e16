"""Timeline figure of a corridor plan: vehicles on the road and people delivered over time.

Built on :class:`matplotlib.figure.Figure` directly rather than ``pyplot``, so no global state or
GUI backend is touched: the figure renders with Agg (PNG) and the SVG backend, as a server or a
test run needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure

from corridor.planning.model import CorridorPlan


def plot_timeline(plan: CorridorPlan, stem: Path, *, zone: tzinfo | None = None,
                  ) -> tuple[Path, Path]:
    """Draw the plan's timeline with its windows shaded and save it as PNG and SVG.

    Parameters
    ----------
    plan
        A solved corridor plan.
    stem
        Output path without suffix; ``.png`` and ``.svg`` are appended.
    zone
        The time zone the axis shows clock time in (the scenario's); default: the zone of the
        plan's first window.

    Returns
    -------
    tuple of Path
        The PNG and SVG files written.
    """
    fig = timeline_figure(plan, zone=zone)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png, dpi=120)
    fig.savefig(svg)
    return png, svg


def _utc(moments: Sequence[datetime]) -> npt.NDArray[np.datetime64]:
    """Aware datetimes as UTC ``datetime64``.

    Matplotlib reads these as UTC; the axis's locator and formatter convert to the zone shown.
    """
    return np.array([m.astimezone(UTC).replace(tzinfo=None) for m in moments],
                    dtype="datetime64[s]")


def timeline_figure(plan: CorridorPlan, *, zone: tzinfo | None = None) -> Figure:
    """The timeline as a figure: clock time in ``zone`` along the bottom axis."""
    line = plan.timeline
    zone = zone or line.times[0].tzinfo
    fig = Figure(figsize=(10, 4.5), layout="constrained")
    road = fig.add_subplot(1, 1, 1)
    moved = road.twinx()
    for window in plan.windows:
        start, end = date2num(_utc((window.start, window.end)))  # type: ignore[no-untyped-call]
        road.axvspan(float(start), float(end), color="tab:green", alpha=0.12, lw=0)
    times = _utc(line.times)
    road.step(times, line.buses_on_road, where="post", color="tab:blue",
              label="buses on the road")
    road.step(times, line.cars_on_road, where="post", color="tab:orange",
              label="cars on the road")
    moved.plot(times, line.people_moved, color="black", lw=2, label="people delivered")
    road.xaxis.set_major_locator(AutoDateLocator(tz=zone))  # type: ignore[no-untyped-call]
    road.xaxis.set_major_formatter(
        DateFormatter("%H:%M\n%d %b", tz=zone))  # type: ignore[no-untyped-call]
    road.set_ylabel("vehicles on the road")
    moved.set_ylabel("people delivered (cumulative)")
    moved.set_ylim(bottom=0)
    road.set_ylim(bottom=0)
    road.set_xlabel(f"local time ({zone})")
    road.set_title(f"Corridor {plan.id}: {plan.people_moved} people moved, "
                   f"binding: {plan.binding} (windows shaded)")
    handles = road.get_legend_handles_labels()
    extra = moved.get_legend_handles_labels()
    road.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left")
    return fig
