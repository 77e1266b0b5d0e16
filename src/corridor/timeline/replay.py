"""The talks replayed on every date of the timeline, one snapshot after the other on one world.

Per date: each proposal's verdicts, and each origin's corridors every party accepts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from corridor.errors import ScenarioError
from corridor.i18n import _
from corridor.negotiation.output import suggestion_json, verdicts_json
from corridor.timeline.diff import Picture, picture
from corridor.world import World


def replay(world: World) -> list[Picture]:
    """One picture per snapshot, oldest first; the world is left on the last one.

    Raises :class:`ScenarioError` (field ``timeline``) for a scenario without a timeline.
    """
    dates = world.scenario.dates
    if not dates:
        raise ScenarioError(_("the scenario has no timeline to replay; add dated snapshots "
                              "under {key}").format(key="'timeline'"),
                            source=world.scenario.base_dir, field="timeline")
    return [picture(world, day) for day in dates]


def replay_json(world: World, pictures: list[Picture]) -> dict[str, Any]:
    """``{"scenario", "dates": [{"date", "note", "proposals", "suggestions", "conflicts"}]}``."""
    notes: dict[date | None, str] = {s.date: s.note for s in world.scenario.timeline}
    return {"scenario": world.scenario.name, "dates": [
        {"date": p.day.isoformat() if p.day else None, "note": notes.get(p.day, ""),
         "proposals": [{"id": r.proposal.id,
                        "verdicts": verdicts_json(r.corridor) if r.corridor else {},
                        "acceptable_to_all": bool(r.corridor and r.corridor.acceptable_to_all),
                        "error": r.error}
                       for r in p.negotiation.proposals],
         "suggestions": {o: [suggestion_json(c) for c in cs]
                         for o, cs in p.negotiation.suggestions.items()},
         "conflicts": {o: c.explanation for o, c in p.negotiation.conflicts.items()}}
        for p in pictures]}
