"""Road networks: OSM import, the shared graph structure, caching and snapping.

Snapping lives in :mod:`corridor.network.snap`, graph shape (components, twin edges) in
:mod:`corridor.network.topology` and flat row storage in :mod:`corridor.network.ragged`.
"""

from corridor.network.build import network_from_edges
from corridor.network.cache import load_network, open_network
from corridor.network.graph import ROAD_CLASSES, RoadNetwork
from corridor.network.osm import NetworkSettings, build_network
from corridor.network.simplify import simplify_network

__all__ = [
    "ROAD_CLASSES",
    "NetworkSettings",
    "RoadNetwork",
    "build_network",
    "load_network",
    "network_from_edges",
    "open_network",
    "simplify_network",
]
