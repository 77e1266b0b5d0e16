"""Build a network once per extract and settings, then load it from disk in milliseconds.

The key is the SHA-256 of the file's bytes plus the settings and an import version, so a renamed
file still hits the cache and an edited one never does. A network is written only after it was
built completely, through :meth:`RoadNetwork.save`'s temp-file-and-rename, so an interrupted or
failed build never leaves a file that a later run could mistake for a result.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from corridor.errors import NetworkError
from corridor.network.graph import RoadNetwork
from corridor.network.osm import (
    NetworkSettings,
    PhaseCallback,
    build_network,
    check_osm_file,
    file_sha256,
)

#: Bump whenever the import's output changes for the same file and settings.
IMPORT_VERSION = 6
CACHE_ENV = "CORRIDOR_CACHE_DIR"

_PHASES = ("hash", "read", "components", "simplify", "save")


@dataclass(frozen=True)
class LoadedNetwork:
    """A network together with how it was obtained.

    Attributes
    ----------
    network
        The road network.
    from_cache
        Whether it was read from the cache rather than built.
    seconds
        Wall time of this load or build, hashing included.
    cache_path
        Where the network is (or would be) cached.
    """

    network: RoadNetwork
    from_cache: bool
    seconds: float
    cache_path: Path


def default_cache_dir() -> Path:
    """``$CORRIDOR_CACHE_DIR`` if set, else ``~/.cache/corridor/networks``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "corridor" / "networks"


def cache_key(sha256: str, settings: NetworkSettings) -> str:
    """Digest of everything that determines the built network."""
    material = f"{IMPORT_VERSION}\n{sha256}\n{settings.to_json()}"
    return hashlib.sha256(material.encode()).hexdigest()


def open_network(path: str | Path, *, settings: NetworkSettings | None = None,
                 cache_dir: str | Path | None = None, progress: bool = False,
                 rebuild: bool = False) -> LoadedNetwork:
    """Load a network from the cache, building and caching it first if needed.

    Parameters
    ----------
    path
        OSM extract (``.osm.pbf``, ``.osm``, ``.osm.gz``, ``.osm.bz2``).
    settings
        Build settings; defaults to :class:`~corridor.network.osm.NetworkSettings`.
    cache_dir
        Cache directory; defaults to :func:`default_cache_dir`.
    progress
        Show the import phases on stderr.
    rebuild
        Build even if a cached network exists, and replace it.

    Returns
    -------
    LoadedNetwork
        The network and where it came from.

    Raises
    ------
    NetworkError
        If the file is missing, unreadable or holds no drivable road; no cache file is
        written then.
    """
    started = time.perf_counter()
    settings = settings or NetworkSettings()
    source = Path(path)
    check_osm_file(source)
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()

    with _progress(progress) as on_phase:
        on_phase("hash")
        sha256 = file_sha256(source)
        target = directory / f"{cache_key(sha256, settings)[:32]}.npz"
        if target.is_file() and not rebuild:
            try:
                network = RoadNetwork.load(target)
            except NetworkError:
                network = None  # unreadable cache entry: rebuild and replace it
            if network is not None:
                return LoadedNetwork(network, True, time.perf_counter() - started, target)
        network = build_network(source, settings=settings, on_phase=on_phase, sha256=sha256)
        on_phase("save")
        network.save(target)
    return LoadedNetwork(network, False, time.perf_counter() - started, target)


def load_network(path: str | Path, *, settings: NetworkSettings | None = None,
                 cache_dir: str | Path | None = None, progress: bool = False) -> RoadNetwork:
    """The road network of an OSM extract, from the cache when possible.

    Parameters
    ----------
    path
        OSM extract (``.osm.pbf``, ``.osm``, ``.osm.gz``, ``.osm.bz2``).
    settings
        Build settings; defaults to :class:`~corridor.network.osm.NetworkSettings`.
    cache_dir
        Cache directory; defaults to ``$CORRIDOR_CACHE_DIR`` or ``~/.cache/corridor/networks``.
    progress
        Show the import phases on stderr while building.

    Returns
    -------
    RoadNetwork
        See :func:`~corridor.network.osm.build_network` for ``meta``.
    """
    return open_network(path, settings=settings, cache_dir=cache_dir, progress=progress).network


@contextmanager
def _progress(enabled: bool) -> Iterator[PhaseCallback]:
    """A phase callback: a rich progress bar on stderr, or nothing at all."""
    if not enabled:
        yield lambda _phase: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("network", total=len(_PHASES))

        def on_phase(phase: str) -> None:
            bar.update(task, completed=_PHASES.index(phase), description=f"network: {phase}")

        yield on_phase
