"""Offline vector tiles of a scenario: the dashboard's basemap (see :mod:`corridor.tiles.build`)."""
