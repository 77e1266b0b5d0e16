"""Generate the dashboard basemap's label glyphs: SDF glyph ranges (PBF) of DejaVu Sans.

MapLibre GL draws map labels from signed-distance-field glyphs fetched per range of 256 code
points; only CJK can be drawn from a local font instead (``localIdeographFontFamily``), so Latin
and Cyrillic glyphs must be shipped. This tool renders them with TinySDF (the SDF generator
MapLibre itself uses for local glyphs, from ``node_modules/@mapbox/tiny-sdf``) in headless
Chromium, from the DejaVu Sans that matplotlib ships (the PDF sheets' font), and writes the
ranges the map's labels need in MapLibre's glyph PBF format::

    PYTHONPATH=src python tools/glyphs.py

The output lands in ``src/corridor/web/static/glyphs/DejaVu Sans/`` with its SOURCE.md.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from playwright.sync_api import sync_playwright

from corridor.report.fonts import FAMILY, FONT_DIR

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "src" / "corridor" / "web"
OUT = WEB / "static" / "glyphs" / FAMILY
FONT = FONT_DIR / "DejaVuSans.ttf"
#: Basic Latin and Latin-1, Latin Extended-A and -B, Cyrillic, General Punctuation.
RANGES = (0, 256, 1024, 8192)
#: TinySDF's settings as MapLibre uses them, at the single resolution of server glyphs.
_SDF = {"fontSize": 24, "buffer": 3, "radius": 8, "cutoff": 0.25}
#: MapLibre's own offset between TinySDF's top (from the baseline) and a glyph PBF's top.
_TOP_ADJUSTMENT = 27

_DRAW = """async ([font, family, options, codes]) => {
  const face = new FontFace(family, Uint8Array.from(atob(font), (c) => c.charCodeAt(0)));
  document.fonts.add(await face.load());
  const sdf = new TinySDF({...options, fontFamily: `"${family}"`});
  return codes.map((id) => {
    const g = sdf.draw(String.fromCodePoint(id));
    return {id, width: g.glyphWidth, height: g.glyphHeight, left: g.glyphLeft,
            top: g.glyphTop, advance: Math.round(g.glyphAdvance),
            bitmap: g.glyphWidth && g.glyphHeight ? btoa(String.fromCharCode(...g.data)) : ""};
  });
}"""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value: int | bytes | str) -> bytes:
    """One protobuf field: varint for ints, length-delimited for bytes and strings."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def _glyph(drawn: dict[str, Any]) -> bytes:
    g = {k: v if k == "bitmap" else int(v) for k, v in drawn.items()}
    bitmap = base64.b64decode(g["bitmap"]) if g["bitmap"] else b""
    return b"".join([
        _field(1, g["id"]), *([_field(2, bitmap)] if bitmap else []),
        _field(3, g["width"]), _field(4, g["height"]), _field(5, _zigzag(g["left"])),
        _field(6, _zigzag(g["top"] - _TOP_ADJUSTMENT)), _field(7, g["advance"]),
    ])


def glyph_range(glyphs: list[dict[str, Any]], start: int) -> bytes:
    """A ``glyphs`` message with one font stack holding ``glyphs`` (MapLibre's format)."""
    stack = b"".join([_field(1, FAMILY), _field(2, f"{start}-{start + 255}"),
                      *(_field(3, _glyph(g)) for g in glyphs)])
    return _field(1, stack)


def main() -> None:
    """Render every range and write it, replacing the previous files."""
    cmap = TTFont(FONT).getBestCmap()
    tiny_sdf = (WEB / "node_modules" / "@mapbox" / "tiny-sdf" / "index.js").read_text()
    script = tiny_sdf.replace("export default class TinySDF", "window.TinySDF = class TinySDF")
    font = base64.b64encode(FONT.read_bytes()).decode()
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.add_script_tag(content=script)
        for start in RANGES:
            codes = [c for c in range(start, start + 256) if c in cmap]
            glyphs = page.evaluate(_DRAW, [font, FAMILY, _SDF, codes])
            (OUT / f"{start}-{start + 255}.pbf").write_bytes(glyph_range(glyphs, start))
            print(f"{start}-{start + 255}: {len(glyphs)} glyphs")
        browser.close()


if __name__ == "__main__":
    main()
