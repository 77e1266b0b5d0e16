"""Fonts of the PDF sheets: names in any script print, and nothing is fetched to print them.

The text font is DejaVu Sans, which matplotlib (already a dependency, installed by
``make install``) ships, so no system font package is needed. It covers Latin, Cyrillic (every
Ukrainian and Russian letter of the bilingual agreements), Greek, Armenian, Georgian, Hebrew and
Arabic, and each PDF embeds the subset it uses. Text it lacks (CJK, emoji, other scripts) falls
back to Last Resort, also shipped by matplotlib, which draws a visible box naming each
character's Unicode block instead of leaving a gap; the characters themselves stay in the
PDF's text, so copying or searching it finds them. Arabic and Hebrew are shaped and laid out
right to left by HarfBuzz.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from pathlib import Path

import matplotlib
from fpdf import FPDF
from matplotlib.ft2font import FT2Font

from corridor.errors import CorridorError
from corridor.i18n import _
from corridor.store.schemas import ILLEGAL_CONTROL

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
#: The family the sheets are set in, under the name browsers know it by too.
FAMILY = "DejaVu Sans"
FALLBACK = "Last Resort"
#: The ``font-family`` of text on the maps.
SVG_FAMILY = f"{FAMILY}, sans-serif"
_FILES = {(FAMILY, ""): "DejaVuSans.ttf", (FAMILY, "B"): "DejaVuSans-Bold.ttf",
          (FALLBACK, ""): "LastResortHE-Regular.ttf"}


def font_file(name: str) -> Path:
    """The path of one of the sheet fonts, which must be there to print a sheet.

    Raises
    ------
    CorridorError
        If matplotlib's copy is missing (a broken or trimmed install): a sheet printed in
        another font could drop every Ukrainian or Russian letter.
    """
    path = FONT_DIR / name
    if not path.is_file():
        raise CorridorError(
            _("the PDF font {font} is missing; it comes with matplotlib, reinstall it "
              "(make install)").format(font=name), source=path)
    return path


def pdf_document(unit: str = "mm", *, fallback: bool = True) -> FPDF:
    """An A4 FPDF with the sheet fonts registered and text shaping on.

    With ``fallback`` Last Resort is registered as the fallback font. It maps every code point,
    which takes fpdf2 seconds to load, so a document whose text DejaVu Sans covers entirely
    (see :func:`covered`) leaves it out.
    """
    pdf = FPDF(unit=unit, format="A4")
    for (family, style), name in _FILES.items():
        if family == FAMILY or fallback:
            pdf.add_font(family, style, font_file(name))
    if fallback:
        pdf.set_fallback_fonts([FALLBACK], exact_match=False)
    pdf.set_text_shaping(True)
    return pdf


@functools.cache
def _code_points() -> frozenset[int]:
    """The characters every style of the text font draws."""
    points: frozenset[int] | None = None
    for (family, _style), name in _FILES.items():
        if family == FAMILY:
            mapped = frozenset(FT2Font(str(font_file(name))).get_charmap())
            points = mapped if points is None else points & mapped
    return points or frozenset()


def covered(texts: Iterable[str]) -> bool:
    """Whether DejaVu Sans draws every character of ``texts`` (white space aside)."""
    points = _code_points()
    return all(ord(c) in points for text in texts for c in text if not c.isspace())


def printable(text: str) -> str:
    """``text`` with characters that no document can carry replaced by U+FFFD, visibly."""
    # The store refuses these; rows written before it did may still hold them.
    return ILLEGAL_CONTROL.sub("\ufffd", text)


def escape(text: str) -> str:
    """``text`` for SVG or HTML markup: printable and escaped."""
    return html.escape(printable(text))
