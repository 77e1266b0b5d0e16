"""Road networks: OSM import, the shared graph structure, caching and snapping."""

from corridor.network.graph import ROAD_CLASSES, RoadNetwork

__all__ = ["ROAD_CLASSES", "RoadNetwork"]
