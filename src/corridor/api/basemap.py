"""The basemap's PMTiles file, served by byte ranges to the dashboard's map.

The browser's PMTiles reader asks for the file's header, directories and tiles by HTTP ``Range``
requests; Starlette's file response answers them (206 with ``Content-Range``), so no tile server
is needed. The file is checked once at start: a missing or foreign file stops the server with an
error naming it, rather than an empty map later.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse

from corridor.errors import TilesError
from corridor.i18n import _
from corridor.tiles.build import pmtiles_metadata

from .common import READ_ERRORS
from .policy import Reader

#: Where the dashboard finds the basemap, when the server has one.
BASEMAP_URL = "/api/basemap.pmtiles"
router = APIRouter(tags=["map"])


def install(app: FastAPI, path: Path | None) -> None:
    """Check ``path`` (a PMTiles file from ``corridor tiles build``) and serve it, if given.

    Raises
    ------
    TilesError
        The file is missing, unreadable or not a PMTiles archive with vector layers.
    """
    app.state.basemap = None
    if path is None:
        return
    try:
        layers = pmtiles_metadata(path).get("vector_layers")
    except FileNotFoundError as exc:
        raise TilesError(_("file not found"), source=path) from exc
    except OSError as exc:
        raise TilesError(_("cannot read: {reason}").format(reason=exc.strerror or exc),
                         source=path) from exc
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise TilesError(_("not a PMTiles file (build one with corridor tiles build)"),
                         source=path) from exc
    if not layers:
        raise TilesError(_("a PMTiles file without vector layers; expected one built by "
                           "corridor tiles build"), source=path)
    app.state.basemap = path
    app.include_router(router)


@router.get(BASEMAP_URL, responses=READ_ERRORS, response_class=FileResponse)
def get_basemap(request: Request, _: Reader) -> FileResponse:
    """The basemap as a PMTiles file; ``Range`` requests are answered with the bytes asked."""
    return FileResponse(request.app.state.basemap, media_type="application/vnd.pmtiles",
                        headers={"Cache-Control": "no-cache"})
