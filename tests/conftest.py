"""Shared test fixtures: where the committed data lives, and a private cache per test run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

#: Database fixtures (SQLite and a throwaway PostgreSQL cluster) for the store and API tests,
#: and a seeded server with headless Chromium for the web tests.
pytest_plugins = ["tests.dbfixtures", "tests.webfixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
SCENARIO_DIR = REPO_ROOT / "scenarios"
#: The fictional scenario over the real Andorra extract: parties, labels, zone and script
#: other than the seed's.
ANDORRA = REPO_ROOT / "examples" / "andorra" / "scenario.yaml"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Keep built networks out of the user's cache so tests never see stale state."""
    cache = tmp_path_factory.getbasetemp() / "corridor-cache"
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(cache))
    yield cache


@pytest.fixture(scope="session")
def routes() -> list[dict[str, Any]]:
    """The routes of the committed schematic skeleton, as written in its YAML source."""
    source = DATA_DIR / "ukraine-2022" / "roads.yaml"
    document: dict[str, Any] = yaml.load(source.read_text(encoding="utf-8"),
                                         Loader=yaml.CSafeLoader)
    return list(document["routes"])


@pytest.fixture
def andorra_variant(tmp_path: Path) -> Any:
    """Write a changed copy of the Andorra example into ``tmp_path``; returns its path.

    ``make(change)`` calls ``change`` on the parsed YAML; the copy's data paths are made
    absolute so it can live anywhere.
    """
    def make(change: Any, name: str = "variant.yaml") -> Path:
        data: dict[str, Any] = yaml.safe_load(ANDORRA.read_text(encoding="utf-8"))
        data["network"]["source"] = str((ANDORRA.parent / data["network"]["source"]).resolve())
        for key, paths in data.get("gazetteer", {}).items():
            data["gazetteer"][key] = [str(ANDORRA.parent / p) for p in paths]
        change(data)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
        return path

    return make
