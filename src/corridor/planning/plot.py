"""Timeline figure of a corridor plan: vehicles on the road and people delivered over time.

Built on :class:`matplotlib.figure.Figure` directly rather than ``pyplot``, so no global state or
GUI backend is touched: the figure renders with Agg (PNG) and the SVG backend, as a server or a
test run needs. Its title, axes and legend are in the active language (:mod:`corridor.i18n`), and
so are the dates on the time axis: matplotlib's ``%b`` follows the C locale, not the reader's, so
the ticks are written by Babel instead. DejaVu Sans, matplotlib's default, has every Cyrillic
letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from corridor import i18n
from corridor.i18n import N_, _, ngettext
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


#: The resource that limits a plan (:data:`corridor.planning.model.RESOURCES`, or none), in words.
_LIMITS = {"buses": N_("buses"), "checkpoint": N_("checkpoint"), "road": N_("road"),
           "reception": N_("reception"), "window": N_("window"), "none": N_("none")}


def _limit(resource: str) -> str:
    return _(_LIMITS[resource]) if resource in _LIMITS else resource


def _tick(value: float, zone: tzinfo | None) -> str:
    """A time-axis tick: clock time over the day and month, in the active locale."""
    moment = num2date(value, tz=zone)  # type: ignore[no-untyped-call]
    return f"{moment:%H:%M}\n{i18n.format_date(moment.date(), 'dd MMM')}"


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
              label=_("buses on the road"))
    road.step(times, line.cars_on_road, where="post", color="tab:orange",
              label=_("cars on the road"))
    moved.plot(times, line.people_moved, color="black", lw=2, label=_("people delivered"))
    road.xaxis.set_major_locator(AutoDateLocator(tz=zone))  # type: ignore[no-untyped-call]
    road.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _tick(value, zone)))
    road.set_ylabel(_("vehicles on the road"))
    moved.set_ylabel(_("people delivered (cumulative)"))
    moved.set_ylim(bottom=0)
    road.set_ylim(bottom=0)
    road.set_xlabel(_("local time ({zone})").format(zone=zone))
    road.set_title(ngettext(
        "Corridor {id}: {people} person moved, binding: {binding} (windows shaded)",
        "Corridor {id}: {people} people moved, binding: {binding} (windows shaded)",
        plan.people_moved).format(id=plan.id, people=i18n.format_number(plan.people_moved),
                                  binding=_limit(plan.binding)))
    handles = road.get_legend_handles_labels()
    extra = moved.get_legend_handles_labels()
    road.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left")
    return fig
