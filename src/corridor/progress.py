"""How long computations tell a front end how far they have come.

The engine never prints: the CLI draws a status line, the API could stream events. Every long
computation takes the same callback so a front end writes one adapter, not one per engine.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """``progress(stage, fraction)``: what is being done and how far the whole run is, in [0, 1]."""

    def __call__(self, stage: str, fraction: float, /) -> None:
        """Report ``stage``; ``fraction`` only grows, so a bar never runs backwards."""


def silent(stage: str, fraction: float, /) -> None:
    """The default sink: the core stays quiet unless a front end asks to be told."""
