"""Town names on the reports' SVG maps: the most populous first, none printed over another."""

from __future__ import annotations

import re

from shapely import Point

from corridor import styles
from corridor.report.svgmap import Layer, LegendEntry, Town, render_svg

BBOX = (30.0, 48.0, 36.0, 52.0)


def _towns(svg: str) -> list[str]:
    if 'data-layer="towns"' not in svg:
        return []
    group = svg[svg.index('data-layer="towns"'):]
    return re.findall(r">([^<]+)</text>", group[:group.index("</g>")])


def test_the_more_populous_of_two_colliding_towns_is_named() -> None:
    towns = [Town("Smallville", 33.0, 50.0, 1_000), Town("Bigtown", 33.01, 50.0, 500_000),
             Town("Faraway", 31.0, 49.0, 2_000)]
    assert _towns(render_svg([], BBOX, towns=towns)) == ["Bigtown", "Faraway"]
    # Alone, the small one is named.
    assert _towns(render_svg([], BBOX, towns=towns[:1])) == ["Smallville"]


def test_towns_leave_the_legend_and_the_labelled_ends_alone() -> None:
    ends = Layer("places")
    ends.add(Point(33.0, 50.0), styles.LAYERS["places"], label="Origin")
    legend = [LegendEntry("a legend entry long enough to matter", styles.LAYERS["hazards"],
                          "area")]
    towns = [Town("Under the origin", 33.0, 50.0, 900_000),
             Town("Under the legend", 35.9, 51.95, 800_000),
             Town("Outside the map", 40.0, 50.0, 700_000),
             Town("Free", 31.0, 49.0, 100)]
    assert _towns(render_svg([ends], BBOX, legend=legend, towns=towns)) == ["Free"]


def test_names_are_escaped() -> None:
    svg = render_svg([], BBOX, towns=[Town("<b>A & B</b>", 33.0, 50.0, 10)])
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in svg and "<b>" not in svg
