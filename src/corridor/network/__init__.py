"""Road networks: OSM import, the shared graph structure, caching and snapping.

Snapping lives in :mod:`corridor.network.snap` and is not re-exported here, so that importing
the network structure does not pull in pyproj and shapely.
"""

from corridor.network.build import haversine_m, network_from_edges, polyline_lengths_m
from corridor.network.cache import load_network, open_network
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.osm import NetworkSettings, build_network
from corridor.network.simplify import simplify_network

__all__ = [
    "ROAD_CLASSES",
    "NetworkSettings",
    "RoadNetwork",
    "build_network",
    "haversine_m",
    "load_network",
    "network_from_edges",
    "open_network",
    "polyline_lengths_m",
    "simplify_network",
]
