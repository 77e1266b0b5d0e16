"""Drafts as JSON (for people and the API) and as a scenario fragment (for ``corridor validate``).

The fragment holds ``windows:`` and ``proposals:`` lists to merge into a scenario's own. Ids are
``draft-N`` and ``draft-<date>-<time>``, numbered past any the scenario already uses; equal
windows of several corridors are written once. A window without an end is left out of the
fragment, since a scenario window needs one, and the proposal's note says so.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import yaml

from corridor.errors import IngestError
from corridor.i18n import _
from corridor.ingest.chains import Role
from corridor.ingest.drafts import Draft


def as_json(drafts: list[Draft], language: str | None) -> dict[str, Any]:
    """``{"language", "proposals": [...]}``; each proposal as :meth:`Draft.as_json` gives it.

    ``language`` is ``None`` for Cyrillic text that does not tell Ukrainian from Russian.
    """
    return {"language": language, "proposals": [d.as_json() for d in drafts]}


def as_yaml(drafts: list[Draft], *, proposer: str | None = None,
            taken: Collection[str] = ()) -> str:
    """The scenario fragment; ``proposer`` overrides who each draft says proposed it.

    Args:
        drafts: As :func:`~corridor.ingest.drafts.draft` made them.
        proposer: Party id for every proposal, when the announcer matched no party.
        taken: Ids already used in the scenario the fragment is for.

    Raises
    ------
        IngestError: A draft has no proposer and none was given.
    """
    window_ids: dict[tuple[str, str, str], str] = {}
    windows: list[dict[str, str]] = []
    proposals: list[dict[str, Any]] = []
    for draft in drafts:
        party = proposer or draft.proposer
        if party is None:
            raise IngestError(_("no party is known to have proposed the corridor in {text!r} "
                                "(announcer: {announcer}); give the proposer's party id with "
                                "{option}").format(text=draft.source.text,
                                                   announcer=draft.announcer or _("none"),
                                                   option="--proposer"), field="proposer")
        ids = []
        for window in draft.windows:
            if window.end is None:
                continue
            key = (window.start.isoformat(), window.end.isoformat(), window.timezone)
            if key not in window_ids:
                window_ids[key] = _free(f"draft-{window.start:%Y%m%d-%H%M}", taken)
                windows.append({"id": window_ids[key], "start": _local(window.start),
                                "end": _local(window.end), "timezone": window.timezone})
            ids.append(window_ids[key])
        proposal: dict[str, Any] = {
            "id": _free(f"draft-{len(proposals) + 1}", taken), "proposer": party,
            "origin": draft.names(Role.FROM)[0], "waypoints": draft.names(Role.VIA),
            "destination": draft.names(Role.TO)[0], "windows": ids, "note": _note(draft)}
        proposals.append(proposal)
    return yaml.safe_dump({"windows": windows, "proposals": proposals}, sort_keys=False,
                          allow_unicode=True, width=100)


def _free(wanted: str, taken: Collection[str]) -> str:
    """``wanted``, or with a suffix if the scenario already has that id."""
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def _local(moment: datetime) -> str:
    """Local time without offset, as scenarios write it next to a ``timezone``."""
    return f"{moment:%Y-%m-%dT%H:%M}"


def _note(draft: Draft) -> str:
    parts = [f"drafted from: {draft.source.text}"]
    if draft.announcer:
        parts.append(f"announced by: {draft.announcer}")
    if draft.means:
        parts.append(f"means: {', '.join(draft.means)}")
    parts += draft.notes
    return "; ".join(parts)
