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
