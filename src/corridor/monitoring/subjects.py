"""What is watched: the open proposals, agreements and corridors, read from the store.

A proposal, its agreement and the corridor set up from it are one route at three stages; each
is watched at its latest stage (a corridor rather than its agreement, an agreement rather than
its proposal), so one change on the ground raises one alert per route, not three. A chain whose
corridor is closed is not watched at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.store.engine import route_stops
from corridor.store.models import Agreement, Corridor, Proposal

Window = tuple[dt.datetime, dt.datetime | None]


@dataclass(frozen=True)
class Watched:
    """One subject to re-evaluate: its stops as names, its windows and its route as judged."""

    subject: str
    id: int
    label: str
    stops: tuple[str, ...]
    fields: tuple[str, ...]
    windows: tuple[Window, ...]
    route: tuple[tuple[float, float], ...] | None

    @property
    def key(self) -> tuple[str, int]:
        return (self.subject, self.id)

    def running_after(self, moment: dt.datetime) -> bool:
        """Whether any window is still to run at ``moment`` (always, without windows)."""
        return not self.windows or any(end is None or end > moment for _, end in self.windows)


def _windows(stored: list[Any] | None) -> tuple[Window, ...]:
    return tuple((dt.datetime.fromisoformat(w["start"]),
                  None if w.get("end") is None else dt.datetime.fromisoformat(w["end"]))
                 for w in stored or [])


def _line(route: dict[str, Any] | None) -> tuple[tuple[float, float], ...] | None:
    if not route:
        return None
    return tuple((float(x), float(y)) for x, y in route["coordinates"])


def _watched(subject: str, id_: int, origin: str, destination: str, waypoints: list[str] | None,
             windows: list[Any] | None, route: dict[str, Any] | None) -> Watched:
    names, fields = route_stops(origin, waypoints, destination)
    return Watched(subject, id_, f"{subject} {id_} ({origin} - {destination})", tuple(names),
                   tuple(fields), _windows(windows), _line(route))


def proposals(session: Session) -> list[Watched]:
    """Every stored proposal, whatever followed from it."""
    return [_watched("proposal", p.id, p.origin, p.destination, p.waypoints, p.windows, p.route)
            for p in session.scalars(select(Proposal).order_by(Proposal.id))]


def watched(session: Session) -> list[Watched]:
    """Every open subject at its latest stage, proposals first, then agreements, then corridors."""
    corridors = session.scalars(select(Corridor).order_by(Corridor.id)).all()
    agreements = {a.id: a for a in session.scalars(select(Agreement).order_by(Agreement.id))}
    with_corridor = {c.agreement_id for c in corridors}
    with_agreement = {a.proposal_id for a in agreements.values()}
    out = [p for p in proposals(session) if p.id not in with_agreement]
    for a in agreements.values():
        if a.id not in with_corridor:
            c = a.document["corridor"]
            out.append(_watched("agreement", a.id, c["origin"], c["destination"],
                                c.get("waypoints"), a.document.get("windows"), c.get("route")))
    for c in corridors:
        if c.status != "closed":
            agreement = agreements.get(c.agreement_id or 0)
            out.append(_watched("corridor", c.id, c.origin, c.destination, c.waypoints,
                                agreement.document.get("windows") if agreement else None,
                                c.route))
    return out
