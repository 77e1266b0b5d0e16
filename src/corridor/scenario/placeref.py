"""Places written as a name, as ``[lon, lat]``, or as ``{point: [lon, lat], name: LABEL}``.

A field that takes a place name (an origin, a destination, a waypoint, a place a rule names)
also takes coordinates: a field hospital or a crossroads has no gazetteer entry, and a name may
mean several villages. Everything downstream of the scenario knows places by their label, so a
point is turned into its label here (its ``name``, else its coordinates written out) and the
label's coordinates are collected for the whole scenario: :class:`Scenario` gathers them while
it validates, and the world pins such a label to its point instead of asking the gazetteer.
A label given once with coordinates may be used by name anywhere else in the scenario.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from corridor.i18n import N_, _

#: What a place field accepts, for error messages.
EXPECTED = N_("a place name, [lon, lat] or {point: [lon, lat], name: LABEL}")

_POINTS: ContextVar[dict[str, tuple[float, float]] | None] = ContextVar("scenario_points",
                                                                        default=None)


def point_label(lon: float, lat: float) -> str:
    """The label of an unnamed point: its coordinates to about a metre, hemispheres spelt out."""
    return (f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} "
            f"{abs(lon):.5f}°{'E' if lon >= 0 else 'W'}")


def as_lonlat(value: Any) -> tuple[float, float]:
    """``[lon, lat]`` in degrees, checked; a pair that is only valid swapped says so.

    Raises
    ------
    ValueError
        Not two numbers, or outside -180..180 / -90..90.
    """
    if (not isinstance(value, list | tuple) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or not all(math.isfinite(v) for v in value)):
        raise ValueError(_("expected [lon, lat]: two numbers in degrees, got {value!r}")
                         .format(value=value))
    lon, lat = float(value[0]), float(value[1])
    problem = None
    if not -180.0 <= lon <= 180.0:
        problem = _("longitude {lon:g} is outside -180..180").format(lon=lon)
    elif not -90.0 <= lat <= 90.0:
        problem = _("latitude {lat:g} is outside -90..90").format(lat=lat)
    if problem is None:
        return (lon, lat)
    if -90.0 <= lon <= 90.0 and -180.0 <= lat <= 180.0:
        problem = _("{problem}; points are written [lon, lat], so perhaps [{lat:g}, {lon:g}] was "
                    "meant").format(problem=problem, lat=lat, lon=lon)
    raise ValueError(problem)


def named_point(value: Any) -> tuple[str | None, tuple[float, float]] | None:
    """``(label, point)`` of ``[lon, lat]`` or ``{point:, name:}``; ``None`` for anything else.

    Raises
    ------
    ValueError
        A point form with bad coordinates, a missing ``point`` or a non-text ``name``.
    """
    if isinstance(value, list | tuple):
        return None, as_lonlat(value)
    if not isinstance(value, dict) or set(value) - {"point", "name"} or "point" not in value:
        return None
    label = value.get("name")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise ValueError(_("expected a non-empty text label as {key}, got {value!r}").format(
            key="'name'", value=label))
    return label, as_lonlat(value["point"])


def _place_label(value: Any) -> Any:
    """A place field's value as its label, recording the coordinates of a point form."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(_("a place name must not be empty"))
        return value
    found = named_point(value)
    if found is None:
        raise ValueError(_("expected {expected}, got {value!r}").format(expected=_(EXPECTED),
                                                                          value=value))
    label, point = found
    label = label or point_label(*point)
    record(label, point)
    return label


def record(label: str, point: tuple[float, float], *, keeps_point: bool = False) -> None:
    """Remember that ``label`` stands for ``point`` in the scenario being validated.

    ``keeps_point``: the caller keeps the point itself (a :class:`Location`), so outside a
    scenario there is nothing to lose and nothing to record.

    Raises
    ------
    ValueError
        The label already stands for another point, or no scenario is being validated and the
        point would be lost.
    """
    points = _POINTS.get()
    if points is None:
        if keeps_point:
            return
        raise ValueError(_("coordinates are accepted as a place only inside a scenario"))
    known = points.setdefault(label, point)
    if known != point:
        raise ValueError(_("{label!r} already stands for the point [{lon:g}, {lat:g}], not "
                           "[{new_lon:g}, {new_lat:g}]: one label, one place").format(
            label=label, lon=known[0], lat=known[1], new_lon=point[0], new_lat=point[1]))


@contextmanager
def collecting() -> Iterator[dict[str, tuple[float, float]]]:
    """Collect the points of the place fields validated inside the block."""
    points: dict[str, tuple[float, float]] = {}
    token = _POINTS.set(points)
    try:
        yield points
    finally:
        _POINTS.reset(token)


_LONLAT_SCHEMA: dict[str, Any] = {"type": "array", "items": {"type": "number"},
                                  "minItems": 2, "maxItems": 2,
                                  "description": "[longitude, latitude] in degrees"}

#: JSON Schema of a place field: the three forms it accepts.
PLACE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "minLength": 1, "description": "a place name, in any spelling"},
        _LONLAT_SCHEMA,
        {"type": "object", "additionalProperties": False, "required": ["point"],
         "properties": {"point": _LONLAT_SCHEMA, "name": {"type": "string", "minLength": 1}}},
    ],
}

#: A scenario field naming a place; after validation it holds the place's label.
PlaceRef = Annotated[str, BeforeValidator(_place_label), WithJsonSchema(PLACE_SCHEMA)]
