"""``corridor network``: build road networks from OSM extracts and describe them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corridor.cli._options import JsonOpt, with_language
from corridor.cli._output import out, print_json, styled
from corridor.i18n import _, format_decimal, format_number
from corridor.network.cache import LoadedNetwork, open_network
from corridor.network.osm import OSM_NOTE, SCHEMATIC_NOTE, NetworkSettings

FileArg = Annotated[Path, typer.Argument(help="OSM extract: .osm.pbf, .osm, .osm.gz or .osm.bz2.")]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Network cache directory "
                 "[default: $CORRIDOR_CACHE_DIR or ~/.cache/corridor/networks]."),
]
KeepEdgesOpt = Annotated[
    bool,
    typer.Option("--keep-edges", help="Also keep roads that can be routed only through the "
                 "extract's edges (one-way exits, roads leaving and re-entering a clipped "
                 "extract)."),
]


def register(app: typer.Typer) -> None:
    """Add ``network`` and its subcommands to the main app."""
    network = typer.Typer(
        help="Build drivable road networks from OpenStreetMap extracts and report on them.",
        no_args_is_help=True,
    )
    network.command("build")(with_language(build))
    network.command("info")(with_language(info))
    app.add_typer(network, name="network")


def build(
    file: FileArg,
    cache_dir: CacheDirOpt = None,
    no_simplify: Annotated[
        bool, typer.Option("--no-simplify", help="Keep every OSM node as a graph node.")
    ] = False,
    keep_edges: KeepEdgesOpt = False,
    json: JsonOpt = False,
) -> None:
    """Build the network from the extract (ignoring any cached copy) and cache it."""
    settings = NetworkSettings(simplify=not no_simplify, keep_edges=keep_edges)
    loaded = open_network(file, settings=settings,
                          cache_dir=cache_dir, progress=not json, rebuild=True)
    _report(loaded, json, timing=_("built in {seconds} s").format(
        seconds=format_decimal(loaded.network.meta["build_seconds"], 2)))


def info(file: FileArg, cache_dir: CacheDirOpt = None, keep_edges: KeepEdgesOpt = False,
         json: JsonOpt = False) -> None:
    """Describe the network of an extract, loading it from the cache when possible."""
    loaded = open_network(file, settings=NetworkSettings(keep_edges=keep_edges),
                          cache_dir=cache_dir, progress=not json)
    how = _("from cache") if loaded.from_cache else _("built, now cached")
    _report(loaded, json, timing=_("loaded in {seconds} s ({how})").format(
        seconds=format_decimal(loaded.seconds, 3), how=how))


def network_report(loaded: LoadedNetwork) -> dict[str, Any]:
    """The JSON shape of ``corridor network build/info --json``.

    ``km_by_class`` counts directed edges, so a two-way road contributes its length twice
    (once per direction of travel).
    """
    net = loaded.network
    meta = net.meta
    return {
        "source": meta.get("source"),
        "sha256": meta.get("sha256"),
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "km_by_class": net.km_by_class(),
        "km_total": round(float(net.length_m.sum()) / 1000.0, 3),
        "bbox": list(net.bbox),
        "osm_ways": meta.get("osm_ways"),
        "places": len(net.places),
        "dropped": meta.get("dropped"),
        "boundary": meta.get("boundary"),
        "settings": meta.get("settings"),
        "build_seconds": meta.get("build_seconds"),
        "schematic": bool(meta.get("schematic")),
        "data_note": _(SCHEMATIC_NOTE if meta.get("schematic") else OSM_NOTE),
        "load_seconds": round(loaded.seconds, 4),
        "from_cache": loaded.from_cache,
        "cache_path": str(loaded.cache_path),
    }


def _report(loaded: LoadedNetwork, as_json: bool, timing: str) -> None:
    report = network_report(loaded)
    if as_json:
        print_json(report)
        return
    if report["schematic"]:
        out.print(styled("bold yellow", report["data_note"]))
    summary = Table(title=_("Road network of {file}").format(
        file=Path(str(report["source"])).name), show_header=False)
    summary.add_column("item", style="bold")
    summary.add_column("value")
    dropped = report["dropped"] or {}
    min_lon, min_lat, max_lon, max_lat = (format_decimal(v, 4) for v in report["bbox"])
    rows = [
        (_("nodes"), format_number(report["nodes"])),
        (_("directed edges"), format_number(report["edges"])),
        (_("drivable OSM ways"), format_number(report["osm_ways"])),
        (_("named places"), format_number(report["places"])),
        (_("bounding box"), _("lon {west} to {east}, lat {south} to {north}").format(
            west=min_lon, east=max_lon, south=min_lat, north=max_lat)),
        (_("dropped (cannot be routed both ways)"),
         _("{components} components, {nodes} nodes, {edges} edges").format(
             components=format_number(dropped.get("components", 0)),
             nodes=format_number(dropped.get("nodes", 0)),
             edges=format_number(dropped.get("edges", 0)))),
        *_boundary_rows(report["boundary"]),
        (_("time"), timing),
        (_("cache"), report["cache_path"]),
    ]
    for item, value in rows:
        summary.add_row(item, value)
    out.print(summary)

    dropped_km = dropped.get("km_by_class", {})
    by_class = Table(title=_("Directed km by road class"))
    by_class.add_column(_("class"))
    by_class.add_column(_("km"), justify="right")
    by_class.add_column(_("dropped km"), justify="right")
    for cls, km in report["km_by_class"].items():
        by_class.add_row(cls, format_decimal(km, 1), format_decimal(dropped_km.get(cls, 0.0), 1))
    by_class.add_row(_("total"), format_decimal(report["km_total"], 1),
                     format_decimal(sum(dropped_km.values()), 1), style="bold")
    out.print(by_class)
    if dropped.get("roads"):
        roads = Table(title=_("Roads that lost most (directed km)"))
        roads.add_column(_("road"))
        roads.add_column(_("dropped km"), justify="right")
        roads.add_column(_("of km"), justify="right")
        for road in dropped["roads"]:
            roads.add_row(road["road"], format_decimal(road["km_dropped"], 1),
                          format_decimal(road["km_total"], 1))
        out.print(roads)


def _boundary_rows(boundary: dict[str, int] | None) -> list[tuple[str, str]]:
    """With ``--keep-edges``: what was kept because it leaves or enters at the extract's edge."""
    if boundary is None:
        return []
    return [(_("kept through the edges"),
             _("{nodes} nodes reachable one way only or through {connectors} dead ends at the "
               "extract's edge").format(nodes=format_number(boundary["one_way_nodes"]),
                                        connectors=format_number(boundary["connectors"])))]
