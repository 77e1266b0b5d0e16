"""Time drafting proposals from the written test statements, with and without morphology.

Every statement in ``tests/data/statements/`` is drafted against the 7 March 2022 scenario's
gazetteer, once reading inflected names with pymorphy3 (the project) and once looking up only
the names as written (the peer: plain exact-match lookup through the same gazetteer). Reported:
statements per second, the share of written names that resolve, and the ratios of the two.

    python bench/bench_ingest.py --repeat 20
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from corridor.errors import IngestError
from corridor.ingest import Context, draft, scenario_context
from corridor.ingest.chains import find_chains
from corridor.ingest.text import segments
from corridor.scenario import load_scenario
from corridor.world import build_world

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ROOT / "tests" / "data" / "statements"
SCENARIO = ROOT / "scenarios" / "ukraine-2022-03-07.yaml"
RESULTS = ROOT / "bench" / "results"


def written(text: str) -> int:
    """Names in the statement's corridor chains, whatever becomes of them: the denominator."""
    return sum(len(chain.names()) for segment in segments(text)
               for chain in find_chains(segment.text, segment.start))


def names(texts: list[str], context: Context, morphology: bool) -> tuple[int, int]:
    """Names resolved, and statements yielding no draft at all (no name in them resolved)."""
    resolved = empty = 0
    for text in texts:
        try:
            drafts = draft(text, context, morphology=morphology)
        except IngestError:
            empty += 1
            continue
        resolved += sum(1 for item in drafts for p in item.places if p.resolved.place is not None)
    return resolved, empty


def rate(texts: list[str], context: Context, morphology: bool, repeat: int) -> float:
    """Median statements per second over ``repeat`` passes over the whole set."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        names(texts, context, morphology)
        runs.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    paths = sorted(STATEMENTS.glob("*.txt"))
    texts = [p.read_text("utf-8") for p in paths]
    context = scenario_context(build_world(load_scenario(SCENARIO)))
    by_language = {lang: [t for p, t in zip(paths, texts, strict=True) if p.name[:2] == lang]
                   for lang in ("uk", "ru", "en")}
    rows: dict[str, dict[str, Any]] = {}
    for label, morphology in (("project (pymorphy3)", True), ("exact lookup", False)):
        names(texts, context, morphology)  # warm: dictionaries loaded, caches filled
        total = sum(written(t) for t in texts)
        resolved, empty = names(texts, context, morphology)
        rows[label] = {"statements_per_s": rate(texts, context, morphology, args.repeat),
                       "names": total, "resolved": resolved, "share": resolved / total,
                       "statements_without_draft": empty,
                       "share_by_language": {
                           lang: names(group, context, morphology)[0]
                           / sum(written(t) for t in group)
                           for lang, group in by_language.items()}}
    project, peer = rows["project (pymorphy3)"], rows["exact lookup"]
    ratios = {"resolved_share": project["share"] / peer["share"],
              "speed": project["statements_per_s"] / peer["statements_per_s"]}
    report = {"machine": f"{platform.machine()}, {platform.system()}, Python "
                         f"{sys.version.split()[0]}", "statements": len(texts),
              "repeat": args.repeat, "rows": rows, "ratios": ratios}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(report, indent=2), "utf-8")
    (RESULTS / "ingest.md").write_text(markdown(report), "utf-8")
    print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Drafting proposals from statements: pymorphy3 vs exact lookup", "",
        f"Machine: {report['machine']}; {report['statements']} statements (Ukrainian, Russian, "
        f"English) from `tests/data/statements/`, median of {report['repeat']} passes. Both "
        "sides use the same chains, windows and gazetteer (the 7 March 2022 scenario's); the "
        "peer looks up each name only as written. Names are those of every corridor chain "
        "found; a chain none of whose names resolves yields no draft. Two names of the set are "
        "invented villages, which neither side should resolve.", "",
        "| resolution | statements/s | names | resolved | share | uk | ru | en "
        "| statements without draft |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, row in report["rows"].items():
        share = row["share_by_language"]
        lines.append(f"| {label} | {row['statements_per_s']:.1f} | {row['names']} | "
                     f"{row['resolved']} | {row['share']:.1%} | {share['uk']:.0%} | "
                     f"{share['ru']:.0%} | {share['en']:.0%} | "
                     f"{row['statements_without_draft']} |")
    ratios = report["ratios"]
    lines += ["", f"Resolved share, project / peer: {ratios['resolved_share']:.2f}x; speed, "
              f"project / peer: {ratios['speed']:.2f}x. The peer is the slower one because every "
              "name it fails to find costs a search for the closest spellings to report, which "
              "outweighs the project's parsing.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
