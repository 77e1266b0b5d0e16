"""The service's monitor: posted snapshots move its world, and open subjects are re-judged.

The service stands on its latest posted snapshot (on the scenario as loaded until one is
posted). A snapshot dated later than that one becomes the service's situation: the world is
moved onto it (re-annotated where things changed, the router re-weighted), every open subject is
judged again, and alerts are raised for conditions that came with it and cleared for those that
went. An earlier-dated snapshot is checked and kept for the timeline; it changes nothing now.

What held for each subject under the current situation is kept in memory, so that a snapshot
costs one judgement per subject; after a restart it is computed again once.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import CorridorError
from corridor.scenario.schema import Snapshot
from corridor.store.db import Database
from corridor.store.engine import ENGINE_LOCK
from corridor.store.models import Alert, SituationSnapshot
from corridor.store.schemas import AlertOut
from corridor.store.situation_schemas import SituationBrief, SituationIn, SituationPosted
from corridor.store.situations import Finding, SubjectKey, active_alerts, record_situation, settle
from corridor.world import World

from .findings import findings
from .picture import ground, verdicts
from .snapshots import posted_error, snapshot_of, with_snapshot
from .subjects import Watched, proposals, watched

R = TypeVar("R", covariant=True)


class Once(Protocol[R]):
    """What makes a post safe to retry: the first answer to the same request, kept with it."""

    def replayed(self, session: Session) -> R | None:
        """The first answer if this post was made before (or an error if it clashes)."""

    def remember(self, session: Session, posted: SituationPosted) -> None:
        """Keep the answer in the transaction that stores the snapshot."""


@dataclass
class Monitor:
    """The world the service judges with, the dates posted, and what holds for each subject."""

    world: World | None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="corridor-")))
    #: Dates of posted snapshots; the world stands on the latest (none: the scenario as loaded).
    posted: set[dt.date] = field(default_factory=set)
    _held: dict[SubjectKey, list[Finding]] = field(default_factory=dict)
    _pictures: dict[dt.date | None, dict[str, Any]] = field(default_factory=dict)

    @property
    def day(self) -> dt.date | None:
        """The date the service's situation holds from; ``None`` before any snapshot."""
        return max(self.posted, default=None)

    # -- the world -----------------------------------------------------------------------------
    def _move(self, world: World, day: dt.date | None) -> None:
        if day != world.day:
            world.move_to(day)
            self._held.clear()

    def apply(self, world: World, snapshot: Snapshot) -> None:
        """Put ``snapshot`` into the world's timeline and stand on it."""
        previous = world.scenario
        # Undated for a moment, so that moving re-derives even a date the world stands on.
        world.scenario = with_snapshot(previous, snapshot)
        try:
            world.move_to(snapshot.date)  # checks the snapshot against the network
        except CorridorError as exc:
            world.scenario = previous  # a failed move changes nothing else
            raise posted_error(exc) from exc

    def restore(self, db: Database) -> None:
        """After a restart: every stored snapshot back in the timeline, in posting order."""
        if self.world is None:
            return
        with db.read() as session:
            stored = [(s.id, s.effective, s.payload, s.note)
                      for s in session.scalars(select(SituationSnapshot)
                                               .order_by(SituationSnapshot.id))]
        with ENGINE_LOCK:
            for situation_id, day, payload, note in stored:
                self.apply(self.world, snapshot_of(self.world, situation_id, day, payload, note,
                                                  self.workdir))
                self.posted.add(day)
            self._move(self.world, self.day)

    # -- the timeline --------------------------------------------------------------------------
    def timeline(self) -> list[dict[str, Any]]:
        """Every date the world can stand on: the scenario's own and the posted, oldest first."""
        if self.world is None:
            return []
        return [{"date": s.date.isoformat(), "posted": s.date in self.posted, "note": s.note}
                for s in self.world.scenario.at(None).timeline]

    def picture(self, db: Database, day: dt.date | None) -> dict[str, Any]:
        """The layers and every proposal's verdicts on ``day`` (``None``: as loaded)."""
        if self.world is None:
            return {"date": None, "layers": {}, "proposals": []}
        with ENGINE_LOCK:
            if day not in self._pictures:
                with db.read() as session:
                    stored = proposals(session)
                self._move(self.world, day)
                try:
                    self._pictures[day] = {
                        "date": None if self.world.day is None else self.world.day.isoformat(),
                        "layers": ground(self.world), "proposals": verdicts(self.world, stored)}
                finally:
                    self._move(self.world, self.day)
            return self._pictures[day]

    def ground_now(self) -> dict[str, dict[str, Any]]:
        """The ground layers of the situation in force (empty without a scenario)."""
        if self.world is None:
            return {}
        with ENGINE_LOCK:
            return ground(self.world)

    def control_on(self, day: dt.date | None) -> Any:
        """The control map in force on ``day``."""
        assert self.world is not None
        with ENGINE_LOCK:
            self._move(self.world, day)
            try:
                return self.world.control
            finally:
                self._move(self.world, self.day)

    # -- judging -------------------------------------------------------------------------------
    def _judge(self, world: World, subjects: list[Watched]) -> dict[SubjectKey, list[Finding]]:
        for w in subjects:
            if w.key not in self._held:
                self._held[w.key] = findings(world, w)
        return {w.key: self._held[w.key] for w in subjects}

    def _open_on(self, world: World, day: dt.date, subjects: list[Watched]) -> list[Watched]:
        """Subjects with a window still to run on ``day`` (its start, in the scenario's zone)."""
        start = dt.datetime.combine(day, dt.time(), ZoneInfo(world.scenario.timezone))
        return [w for w in subjects if w.running_after(start)]

    # -- posting -------------------------------------------------------------------------------
    def post(self, db: Database, actor: str, body: SituationIn, once: Once[R]
             ) -> SituationPosted | R:
        """Check, store and apply a snapshot; re-judge every open subject if it is now in force.

        A retry that ``once`` knows is answered as the first time, and nothing moves or is
        stored; the snapshot, its alerts and ``once``'s record are written in one transaction.
        """
        with ENGINE_LOCK:
            with db.write() as session:
                if (replay := once.replayed(session)) is not None:
                    return replay
                subjects = [] if self.world is None else self._open_on(
                    self.world, body.effective, watched(session))
                next_id = _next_id(session)
            return self._post(db, actor, body, once, (subjects, next_id))

    def _post(self, db: Database, actor: str, body: SituationIn, once: Once[R],
              opened: tuple[list[Watched], int]) -> SituationPosted:
        world = self.world
        subjects, next_id = opened
        current = world is not None and (self.day is None or body.effective >= self.day)
        before = after = {}
        if world is not None:
            before = self._judge(world, subjects) if current else {}
            self.apply(world, snapshot_of(world, next_id, body.effective, body.payload(),
                                         body.note, self.workdir))
            self.posted.add(body.effective)
            self._held.clear()
            self._pictures.clear()
            if current:
                after = self._judge(world, subjects)
            else:
                self._move(world, self.day)
        with db.write() as session:
            snapshot = record_situation(session, actor, body)
            active = active_alerts(session, after)
            raised: list[Alert] = []
            cleared: list[Alert] = []
            for key, now in after.items():
                up, down = settle(session, actor, snapshot.id, key, before[key], now,
                                  active.get(key, {}))
                raised += up
                cleared += down
            posted = _posted(snapshot, current, len(subjects) if current else 0, raised, cleared)
            once.remember(session, posted)
            return posted


def _next_id(session: Any) -> int:
    """The id the next snapshot is likely to get; names its settlement file, nothing else."""
    last = session.scalars(select(SituationSnapshot.id).order_by(SituationSnapshot.id.desc())
                           .limit(1)).first()
    return int(last or 0) + 1


def _posted(snapshot: SituationSnapshot, current: bool, evaluated: int, raised: list[Alert],
            cleared: list[Alert]) -> SituationPosted:
    return SituationPosted(situation=SituationBrief.model_validate(snapshot), current=current,
                           evaluated=evaluated,
                           raised=[AlertOut.model_validate(a) for a in raised],
                           cleared=[a.id for a in cleared])
