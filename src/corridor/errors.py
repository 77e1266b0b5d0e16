"""One exception type per layer, each able to say *where* the problem is.

The CLI turns any :class:`CorridorError` into one line on stderr and exit code 2, so every
message must stand on its own: it names the file, then the field path or line, then what was
expected. :class:`UnavailableError` is the other kind of failure: the input was fine, but what
it needs (a database server) is not there; the CLI exits 1 for it, as for a full disk.
"""

from __future__ import annotations

from pathlib import Path


class CorridorError(Exception):
    """Bad input, located as precisely as the layer that found it can."""

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.source = str(source) if source is not None else None
        self.field = field
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        """``file:line: field: message``, leaving out the parts that are unknown."""
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        parts = [p for p in (where, self.field) if p]
        return ": ".join([*parts, self.message])


class ScenarioError(CorridorError):
    """The scenario file is malformed or refers to something that does not exist."""


class GazetteerError(CorridorError):
    """A place name cannot be resolved, or the gazetteer data is malformed."""


class NetworkError(CorridorError):
    """An OSM file cannot be read or yields no usable road network."""


class SituationError(CorridorError):
    """Control areas, hazards or closures cannot be applied to the network."""


class TilesError(CorridorError):
    """A basemap cannot be built: its output cannot be written, or tippecanoe failed."""


class IngestError(CorridorError):
    """A statement cannot be read into draft proposals (empty, binary, too long, no corridor)."""


class RoutingError(CorridorError):
    """No route exists under the given weighting and exclusions."""


class PlanningError(CorridorError):
    """An evacuation plan's inputs are malformed."""


class StoreError(CorridorError):
    """A change to the coordination store breaks a rule of the domain (HTTP 422)."""


class NotFoundError(StoreError):
    """The entity named by an id does not exist (HTTP 404)."""


class ConflictError(StoreError):
    """The change is valid in itself but not in the entity's current state (HTTP 409).

    ``allowed`` lists what *would* be accepted now, so a client can correct itself without
    reading the rules.
    """

    def __init__(self, message: str, *, allowed: list[str] | None = None,
                 field: str | None = None) -> None:
        self.allowed = allowed or []
        super().__init__(message, field=field)


class UnavailableError(Exception):
    """Something the input names exists but cannot be used now.

    A database refusing connections, say: retrying later may succeed, so this is a runtime
    failure, not bad input.
    """
