"""Colours and line styles of every map and report, in one place.

The negotiation report's and the corridor sheet's SVG maps draw with these, and ``/api/map``
serves them (``styles``, ``status_colours``, ``territory_colours``) so the dashboard draws the
same map in the same colours.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Style:
    """How one feature is drawn; the names follow SVG presentation attributes."""

    stroke: str = "#333"
    stroke_width: float = 1.0
    fill: str = "none"
    fill_opacity: float = 1.0
    dash: str | None = None
    radius: float = 3.0

    def attrs(self) -> str:
        """The style as SVG attributes."""
        out = (f'stroke="{self.stroke}" stroke-width="{self.stroke_width:g}" '
               f'fill="{self.fill}" fill-opacity="{self.fill_opacity:g}" '
               'vector-effect="non-scaling-stroke" stroke-linejoin="round"')
        return out + (f' stroke-dasharray="{self.dash}"' if self.dash else "")

    def as_dict(self) -> dict[str, Any]:
        """The style as plain values, for the dashboard to draw with the same colours."""
        return dataclasses.asdict(self)


#: Colour of a corridor on every map, by its status (see ``store.queries.status_of``).
STATUS_COLOURS = {"proposed": "#1f5fbf", "rejected": "#c0262d", "agreed": "#7b3fb0",
                  "open": "#1a7f37", "suspended": "#d97706", "closed": "#6b7280"}
#: Fill of land that no control area covers, and of neighbouring states.
NEUTRAL_FILL = "#e6e6e6"
#: Paul Tol's "light" scheme: pale enough to draw roads and routes over, and told apart with
#: the common colour-vision deficiencies.
HOLDER_FILLS = ("#77aadd", "#ee8866", "#eedd88", "#ffaabb", "#99ddff", "#44bb99", "#bbcc33",
                "#aaaa00")

#: Base layers and markers, by the layer names of ``/api/map``.
LAYERS: dict[str, Style] = {
    "countries": Style("#999", 0.6, NEUTRAL_FILL),
    "control": Style("none", 0, NEUTRAL_FILL, 0.75),
    "hazards": Style("#b3001b", 0.4, "#d7263d", 0.18),
    "front_line": Style("#7a0010", 1.2),
    "closures": Style("#111", 1.5, "#c0262d", radius=5),
    "checkpoints": Style("#ffffff", 1.5, "#111", radius=5),
    "places": Style("#111", 1, "#fff", radius=4),
    "convoys": Style("#0b3d91", 1, "#4f8ef7", 0.9, radius=7),
    "incidents": Style("#111", 1, "#f5b700", radius=6),
}
#: Roads by class; classes not listed are not drawn on the reports' maps.
ROADS: dict[str, Style] = {"motorway": Style("#7a6a50", 1.6), "trunk": Style("#8a7a60", 1.4),
                           "primary": Style("#9a8a70", 1.0), "secondary": Style("#b0a490", 0.7)}
#: Routes on the negotiation report, by what the parties made of them.
ROUTES: dict[str, Style] = {"accepted": Style("#1a7f37", 3.5),
                            "rejected": Style("#c0262d", 2.5, dash="7 4"),
                            "suggested": Style("#1f5fbf", 2.5, dash="2 3")}
#: Background of a verdict or signature row, by its tone.
TONE_FILLS = {"good": "#e6f4ea", "bad": "#fde8e8"}
#: The schematic-data warning: background and border.
NOTE_FILL, NOTE_BORDER = "#fff3cd", "#c79100"


def palette(keys: Iterable[str]) -> dict[str, str]:
    """A fill for each key (a party holding ground, or a territory label).

    Keys are taken in sorted order, so a scenario's map has the same colours on every run, in
    the report, on the sheet and on the dashboard; past eight keys the colours repeat.
    """
    return {key: HOLDER_FILLS[i % len(HOLDER_FILLS)] for i, key in enumerate(sorted(set(keys)))}


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as a triple, for drawing libraries that want numbers."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
