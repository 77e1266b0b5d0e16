"""Shared output helpers: JSON to stdout, human text through rich, diagnostics to stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

#: Diagnostics, progress and errors go to stderr so ``--json`` output stays parseable.
console = Console(stderr=True)
#: Human-readable reports.
out = Console()


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON to stdout."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def report(data: dict[str, Any], as_json: bool, text: str) -> None:
    """``data`` as JSON with ``--json``, else the one-line human ``text``."""
    if as_json:
        print_json(data)
    else:
        out.print(text, highlight=False, soft_wrap=True)


def styled(style: str, text: str) -> str:
    """``text`` as rich markup in ``style`` (``green``, ``bold yellow``), its brackets escaped."""
    return f"[{style}]{escape(text)}[/{style}]"
