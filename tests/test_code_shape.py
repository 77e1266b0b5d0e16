"""The shape of the code itself: one name per concept across the package."""

from __future__ import annotations

import ast
from collections import defaultdict

from tests.conftest import REPO_ROOT


def test_no_class_name_is_defined_twice() -> None:
    """Two classes of one name force aliased imports and let a reader confuse two concepts."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted((REPO_ROOT / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                where[node.name].append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    twice = {name: places for name, places in where.items() if len(places) > 1}
    assert not twice, twice
    assert len(where) > 100  # the walk found the package
