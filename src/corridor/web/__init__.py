"""The operations dashboard: static files served by the API's own process.

The page and its ES modules live in ``static/``; Leaflet, MapLibre GL and the PMTiles reader
(for the offline basemap), and Swagger UI for the API reference at ``/docs``, are served straight
from the npm packages installed next to them (``npm ci`` in this directory), so the browser loads
nothing from outside the server it logged in to. The vendor directories are mounted even when
missing, answering 404, so that an API-only installation still starts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

HERE = Path(__file__).parent
STATIC = HERE / "static"
VENDOR = {
    "leaflet": HERE / "node_modules" / "leaflet" / "dist",
    "maplibre-gl": HERE / "node_modules" / "maplibre-gl" / "dist",
    "pmtiles": HERE / "node_modules" / "pmtiles" / "dist",
    "swagger-ui": HERE / "node_modules" / "swagger-ui-dist",
}


def _page(name: str) -> FileResponse:
    # Pages are tiny and must pick up a new release at once; their assets may be cached.
    return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})


def mount(app: FastAPI) -> None:
    """Serve the dashboard at ``/``, the API reference at ``/docs``, assets under ``/static/``."""

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return _page("index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return _page("docs.html")

    for name, directory in VENDOR.items():
        app.mount(f"/static/vendor/{name}", StaticFiles(directory=directory, check_dir=False),
                  name=name)
    app.mount("/static/app", StaticFiles(directory=STATIC), name="dashboard")
