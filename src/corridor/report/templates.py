"""HTML of the reports and sheets from Jinja2 templates, escaped by the template engine.

Every value a template prints is escaped unless it is already markup (:class:`Markup`: the SVG
maps, built by :mod:`corridor.report.svgmap`, which escapes their text itself). Colours come
from :mod:`corridor.styles`, the same the maps and the dashboard use. Text goes through the
message catalogs (:mod:`corridor.i18n`) of the language active when a template renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from corridor import i18n, styles
from corridor.negotiation.search import mode_words

_ENV = Environment(loader=PackageLoader("corridor.report", "templates"), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=True, extensions=["jinja2.ext.i18n"])
# Templates translate with ``{{ _("...") }}`` in whatever language is active when they render.
_ENV.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
_ENV.globals.update(tones=styles.TONE_FILLS, note_fill=styles.NOTE_FILL,
                    note_border=styles.NOTE_BORDER)


def _long_date(day: dt.date) -> str:
    return i18n.format_date(day, "long")


# Numbers, dates and stored codes the way the active language writes them.
_ENV.globals.update(number=i18n.format_number, decimal=i18n.format_decimal,
                    percent=i18n.format_percent, long_date=_long_date, mode_words=mode_words)
_ENV.filters["long_date"] = _long_date


def render(template: str, **context: Any) -> str:
    """``template`` (a file in ``report/templates``) filled with ``context``."""
    return _ENV.get_template(template).render(**context)


def markup(svg: str) -> Markup:
    """An SVG map, printed as it is: its text was escaped when it was drawn."""
    return Markup(svg)
