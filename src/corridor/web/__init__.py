"""The operations dashboard: static files served by the API's own process.

The page and its ES modules live in ``static/``; Leaflet is served straight from the npm package
installed next to them (``npm ci`` in this directory), so the browser loads nothing from outside
the server it logged in to. The vendor directory is mounted even when missing, answering 404,
so that an API-only installation still starts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

HERE = Path(__file__).parent
STATIC = HERE / "static"
LEAFLET = HERE / "node_modules" / "leaflet" / "dist"


def mount(app: FastAPI) -> None:
    """Serve the dashboard at ``/`` and its assets under ``/static/``."""

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static/vendor/leaflet", StaticFiles(directory=LEAFLET, check_dir=False),
              name="leaflet")
    app.mount("/static/app", StaticFiles(directory=STATIC), name="dashboard")
