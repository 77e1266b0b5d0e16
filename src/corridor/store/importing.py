"""Loading a scenario into the store: its parties, places, windows and proposals.

The scenario is the reference the talks work from; the store is where they happen. Loading is
idempotent, keyed on what the scenario calls each thing (party id, place name and role, window
id, proposal id), so it can be re-run after an edit: what is new is created, what the scenario
changed is updated, the rest is left alone, and the report says which. A proposal, once tabled,
is not rewritten: one whose origin, waypoints, destination or windows changed must be tabled
under a new id. Its route and verdicts are the engine's and are brought up to date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from corridor.errors import ScenarioError
from corridor.i18n import _
from corridor.store import coordination
from corridor.store.engine import Tabled, store_window, tabled_from_scenario, unstorable
from corridor.store.models import Base, CeasefireWindow, EvacuationSite, Party, Proposal
from corridor.store.schemas import (
    CeasefireWindowOut,
    PartyIn,
    PartyOut,
    PlaceOut,
    ProposalOut,
)
from corridor.world import World

M = TypeVar("M", bound=Base)

ACTOR = "admin-import"
KINDS = ("parties", "places", "windows", "proposals")
_PARTY_KIND = {"party": "belligerent", "facilitator": "facilitator"}
#: What a re-import may bring up to date on a tabled proposal: the engine's finding.
_FINDING = ("route", "route_summary", "verdicts")
#: What the proposer tabled; a change to any of these is a new proposal.
_TABLED = ("proposer_id", "origin", "destination", "waypoints", "windows")


@dataclass
class ImportReport:
    """Names of what was created, updated or left unchanged, by kind."""

    outcomes: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {
        kind: {"created": [], "updated": [], "unchanged": []} for kind in KINDS})

    def add(self, kind: str, outcome: coordination.Outcome, name: str) -> None:
        """Note that ``name`` of ``kind`` was created, updated or found unchanged."""
        self.outcomes[kind][outcome].append(name)

    @property
    def changed(self) -> bool:
        return any(o["created"] or o["updated"] for o in self.outcomes.values())

    def to_dict(self) -> dict[str, Any]:
        """The report as ``--json`` prints it: whether anything changed, then names by kind."""
        return {"changed": self.changed, **self.outcomes}

    def describe(self) -> str:
        """One line per kind with counts, then what was created or updated, by name."""
        if not self.changed:
            return "nothing changed: the store already holds this scenario"
        lines = []
        for kind, outcome in self.outcomes.items():
            counts = ", ".join(f"{len(names)} {what}" for what, names in outcome.items())
            lines.append(f"{kind}: {counts}")
            lines += [f"  {what}: {', '.join(names)}" for what, names in outcome.items()
                      if names and what != "unchanged"]
        return "\n".join(lines)


@dataclass(frozen=True)
class Prepared:
    """Everything to write, checked before the store is touched."""

    parties: list[PartyIn]
    places: list[EvacuationSite]
    windows: list[CeasefireWindow]
    proposals: list[Tabled]


def _validated_parties(world: World) -> list[PartyIn]:
    out = []
    for i, p in enumerate(world.scenario.parties):
        try:
            out.append(PartyIn(id=p.id, name=p.name, kind=_PARTY_KIND[p.role],
                               languages=p.languages))
        except ValidationError as exc:
            raise unstorable(exc, f"parties[{i}]") from exc
    return out


def _places(world: World) -> list[EvacuationSite]:
    sc = world.scenario
    out = [_place(world, o.name, "origin", f"places.origins[{i}].name", people=o.people)
           for i, o in enumerate(sc.places.origins)]
    out += [_place(world, d.name, "destination", f"places.destinations[{i}].name",
                   capacity=d.capacity) for i, d in enumerate(sc.places.destinations)]
    return out


def _place(world: World, name: str, role: str, where: str, *, people: int | None = None,
           capacity: int | None = None) -> EvacuationSite:
    lon, lat = world.locate(name, field=where).lonlat
    return EvacuationSite(name=name, role=role, lon=lon, lat=lat, people=people,
                          capacity=capacity)


def prepare(world: World) -> Prepared:
    """Resolve, route, judge and validate the whole scenario: every error names its field."""
    sc = world.scenario
    windows = [CeasefireWindow(key=w.id, tz=stored.tz, start=stored.start, end=stored.end)
               for w in sc.windows for stored in (store_window(w, sc),)]
    return Prepared(_validated_parties(world), _places(world), windows,
                    tabled_from_scenario(world))


def import_scenario(session: Session, prepared: Prepared) -> ImportReport:
    """Write what :func:`prepare` checked, inside the caller's one write transaction."""
    report = ImportReport()
    for party in prepared.parties:
        wanted = Party(**party.model_dump())
        report.add("parties", coordination.put(session, ACTOR, "party", session.get(
            Party, party.id), wanted, PartyOut, ("name", "kind", "languages")), party.id)
    for place in prepared.places:
        found = _find(session, EvacuationSite, EvacuationSite.name == place.name,
                      EvacuationSite.role == place.role)
        report.add("places", coordination.put(session, ACTOR, "place", found, place, PlaceOut,
                                              ("people", "capacity", "lon", "lat")),
                   f"{place.name} ({place.role})")
    for window in prepared.windows:
        same_key = _find(session, CeasefireWindow, CeasefireWindow.key == window.key)
        report.add("windows", coordination.put(session, ACTOR, "window", same_key, window,
                                               CeasefireWindowOut, ("start", "end", "tz")),
                   window.key)
    for i, tabled in enumerate(prepared.proposals):
        report.add("proposals", _put_proposal(session, tabled, i), tabled.ref or "")
    return report


def _put_proposal(session: Session, tabled: Tabled, index: int) -> coordination.Outcome:
    existing = _find(session, Proposal, Proposal.ref == tabled.ref)
    if existing is None:
        coordination.create_proposal(session, ACTOR, tabled.body, tabled.judged, ref=tabled.ref)
        return "created"
    wanted = Proposal(**tabled.body.model_dump(mode="json"))
    changed = _differences(existing, wanted, _TABLED)
    if changed:
        raise ScenarioError(
            _("proposal {ref} is already in the store (id {id}) with another {fields}; a tabled "
              "proposal is not rewritten: give it a new id").format(
                ref=tabled.ref, id=existing.id, fields=", ".join(changed)),
            field=f"proposals[{index}]")
    assert tabled.judged is not None  # tabled_from_scenario always judges
    finding = Proposal(route=tabled.judged.route, route_summary=tabled.judged.summary,
                       verdicts=tabled.judged.verdicts)
    return coordination.put(session, ACTOR, "proposal", existing, finding, ProposalOut, _FINDING)


def _find(session: Session, model: type[M], *where: ColumnElement[bool]) -> M | None:
    return session.scalars(select(model).where(*where)).first()


def _differences(existing: Proposal, wanted: Proposal, fields: Sequence[str]) -> list[str]:
    return [f for f in fields if getattr(existing, f) != getattr(wanted, f)]
