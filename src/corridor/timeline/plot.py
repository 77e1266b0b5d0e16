"""Small multiples of the timeline: one map per date, side by side, in PNG and SVG.

Drawn with :class:`matplotlib.figure.Figure` directly, like the plan's timeline plot, so no GUI
backend or global state is touched. Each map shows who holds the ground, the hazard zones, every
proposal (solid green when every party accepts it, dashed red when one rejects it) and each
origin's best corridor every party accepts (dotted blue). Holders keep one colour on every map.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from corridor import styles
from corridor.negotiation.search import JudgedRoute
from corridor.report.layers import Holder, holders
from corridor.timeline.diff import Picture
from corridor.world import World

#: Width of one map, inches.
_PANEL_IN = 4.2
#: Line style of each kind of route, as the reports' maps dash them.
_DASH: dict[str, Literal["-", "--", ":"]] = {"accepted": "-", "rejected": "--",
                                             "suggested": ":"}


def plot_replay(world: World, pictures: Sequence[Picture], stem: Path) -> tuple[Path, Path]:
    """Draw one map per picture and save them as ``stem.png`` and ``stem.svg``."""
    labels = {label for p in pictures for label in p.control.areas}
    present = holders(world, labels)
    colours = {label: h.colour for h in present for label in h.labels}
    bbox = _bbox(world, pictures)
    cols = min(len(pictures), 2 if len(pictures) == 4 else 3)
    rows = math.ceil(len(pictures) / cols)
    aspect = (bbox[3] - bbox[1]) / max((bbox[2] - bbox[0]) * _cos(bbox), 1e-9)
    fig = Figure(figsize=(_PANEL_IN * cols, _PANEL_IN * aspect * rows + 0.8))
    notes: dict[date | None, str] = {s.date: s.note for s in world.scenario.timeline}
    for k, pic in enumerate(pictures):
        ax = fig.add_subplot(rows, cols, k + 1)
        _panel(ax, pic, colours, bbox)
        accepted = sum(1 for r in pic.negotiation.proposals
                       if r.corridor is not None and r.corridor.acceptable_to_all)
        when = pic.day.isoformat() if pic.day else "undated"
        ax.set_title(f"{when}: {accepted}/{len(pic.negotiation.proposals)} proposals accepted"
                     + (f"\n{notes[pic.day]}" if notes.get(pic.day) else ""),
                     fontsize=8)
    fig.legend(handles=_legend(present), loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.suptitle(f"{world.scenario.name}\n"
                 + textwrap.fill(world.data_note, width=int(40 * cols)), fontsize=8)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png, dpi=120)
    fig.savefig(svg)
    return png, svg


def _legend(present: Sequence[Holder]) -> list[Artist]:
    """Who holds the ground, the hazard tint and the three kinds of route."""
    handles: list[Artist] = [Patch(facecolor=h.colour, alpha=0.75, label=h.name)
                             for h in present]
    handles.append(Patch(facecolor=styles.LAYERS["hazards"].fill, alpha=0.25,
                         label="hazard zone"))
    texts = {"accepted": "proposal every party accepts", "rejected": "proposal rejected",
             "suggested": "best accepted corridor per origin"}
    handles += [Line2D([], [], color=styles.ROUTES[kind].stroke, linestyle=_DASH[kind],
                       label=text) for kind, text in texts.items()]
    return handles


def _cos(bbox: tuple[float, float, float, float]) -> float:
    return math.cos(math.radians((bbox[1] + bbox[3]) / 2.0))


def _bbox(world: World, pictures: Sequence[Picture]) -> tuple[float, float, float, float]:
    """The routes of every date with a margin, else the network."""
    lines = [shapely.LineString(c.summary.geometry) for p in pictures for _, c in _judged(p)
             if len(c.summary.geometry) > 1]
    x0, y0, x1, y1 = (shapely.GeometryCollection(lines).bounds if lines
                      else world.network.bbox)
    px, py = (x1 - x0) * 0.08 + 0.01, (y1 - y0) * 0.08 + 0.01
    return (x0 - px, y0 - py, x1 + px, y1 + py)


def _panel(ax: Axes, pic: Picture, colours: dict[str, str],
           bbox: tuple[float, float, float, float]) -> None:
    tolerance = (bbox[2] - bbox[0]) / 800.0
    for label, geom in pic.control.areas.items():
        _fill(ax, shapely.clip_by_rect(geom, *bbox), tolerance,
              colour=colours.get(label, styles.NEUTRAL_FILL), alpha=0.75)
    for zone in pic.hazards:
        _fill(ax, shapely.clip_by_rect(zone.geometry, *bbox), tolerance,
              colour=styles.LAYERS["hazards"].fill, alpha=0.25)
    for kind, c in _judged(pic):
        style = styles.ROUTES[kind]
        xs, ys = zip(*c.summary.geometry, strict=True)
        ax.plot(xs, ys, color=style.stroke, linewidth=style.stroke_width * 0.5,
                linestyle=_DASH[kind])
    ax.set_xlim(bbox[0], bbox[2])
    ax.set_ylim(bbox[1], bbox[3])
    ax.set_aspect(1.0 / _cos(bbox))
    ax.set_xticks([])
    ax.set_yticks([])


def _judged(pic: Picture) -> list[tuple[str, JudgedRoute]]:
    out = [("suggested", cs[0]) for cs in pic.negotiation.suggestions.values() if cs]
    out += [("accepted" if r.corridor.acceptable_to_all else "rejected", r.corridor)
            for r in pic.negotiation.proposals if r.corridor is not None]
    return out


def _fill(ax: Axes, geom: Any, tolerance: float, *, colour: str, alpha: float) -> None:
    """Polygons with their holes, simplified to the map's resolution."""
    for part in shapely.get_parts(shapely.simplify(geom, tolerance)):
        if not isinstance(part, shapely.Polygon) or part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        path = MplPath.make_compound_path(*[MplPath(list(r.coords), closed=True) for r in rings])
        ax.add_patch(PathPatch(path, facecolor=colour, edgecolor="none", alpha=alpha))
