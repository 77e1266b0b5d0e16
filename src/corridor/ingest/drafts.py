"""Draft proposals from a statement: chains found, names resolved, windows and means attached.

Times, means and the announcer said outside any corridor's sentence (a heading, a closing
line) apply to every corridor that does not say its own, as in a daily list headed "on 8 March
from 10:00". Each draft's ``confidence`` starts at 1 and is lowered for what a facilitator must
check: an unresolved name halves it, a name read without leading words, a missing window or a
missing proposer lower it by a fifth, a choice between namesakes or an assumption about year or
zone by a tenth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from corridor.errors import GazetteerError, IngestError
from corridor.gazetteer import Gazetteer, Place
from corridor.geodesy import haversine_m
from corridor.i18n import N_, _
from corridor.ingest.announce import find_announcer, find_means, match_party
from corridor.ingest.chains import Chain, Name, Role, find_chains
from corridor.ingest.resolve import Resolved, Resolver
from corridor.ingest.text import Language, Segment, detect_language, segments
from corridor.ingest.windows import DraftWindow, Times, read_times, statement_year, windows
from corridor.world import World

#: Most names a statement's corridors may hold: a daily list names a hundred at most, and each
#: unknown name costs a search for its closest spellings.
MAX_NAMES = 300
#: Farthest a scenario's name for a place may resolve from the drafted place (namesake records).
_SAME_PLACE_KM = 25.0
_NO_CORRIDOR = N_("no corridor found: expected place names joined by dashes or arrows "
                  "(Kyiv – Hostomel – Ivankiv) or by prepositions (from X to Y via Z, "
                  "«з X до Y через Z», «из X в Y»)")


@dataclass(frozen=True)
class Context:
    """What a draft is resolved against: a gazetteer, and a scenario's conventions if any.

    Attributes
    ----------
        gazetteer: Where names are looked up.
        spellings: Each place name the scenario writes, with where it resolves.
        parties: ``(id, name)`` of the scenario's parties, to match the announcer against.
        year: The year of dates given without one (the scenario's first window's).
        timezone: The zone of times given without one (the scenario's).
    """

    gazetteer: Gazetteer
    spellings: list[tuple[str, float, float]] = field(default_factory=list)
    parties: list[tuple[str, str]] = field(default_factory=list)
    year: int | None = None
    timezone: str | None = None


@dataclass
class DraftPlace:
    """One place of a draft: its role, the name as written, and what it resolved to."""

    role: Role
    name: Name
    resolved: Resolved
    spelling: str


@dataclass
class Draft:
    """One drafted proposal, with everything a facilitator needs to check it."""

    places: list[DraftPlace]
    windows: list[DraftWindow]
    means: list[str]
    announcer: str | None
    proposer: str | None
    source: Segment
    notes: list[str]
    confidence: float

    def names(self, role: Role) -> list[str]:
        """The output spellings of the places with this role, in route order."""
        return [p.spelling for p in self.places if p.role is role]

    def as_json(self) -> dict[str, Any]:
        """The draft as ``corridor ingest --json`` and the API give it (see the README)."""
        return {
            "origin": self.names(Role.FROM)[0],
            "waypoints": self.names(Role.VIA),
            "destination": self.names(Role.TO)[0],
            "windows": [{"start": w.start.isoformat(), "end": _iso(w.end),
                         "timezone": w.timezone} for w in self.windows],
            "means": self.means,
            "announcer": self.announcer,
            "proposer": self.proposer,
            "source": {"text": self.source.text, "start": self.source.start,
                       "end": self.source.end},
            "confidence": self.confidence,
            "places": [_place_json(p) for p in self.places],
            "unresolved": [_place_json(p) for p in self.places if p.resolved.place is None],
            "notes": self.notes,
        }


def scenario_context(world: World) -> Context:
    """The context of a loaded scenario: its gazetteer, spellings, parties, year and zone."""
    sc = world.scenario
    names = [*(o.name for o in sc.places.origins), *(d.name for d in sc.places.destinations)]
    for proposal in sc.proposals:
        names += [proposal.origin, *proposal.waypoints, proposal.destination]
    spellings: list[tuple[str, float, float]] = []
    for name in dict.fromkeys(names):
        try:
            place = world.gazetteer.resolve(name).place
        except GazetteerError:
            continue  # validation reports it; a draft just spells the place its own way
        spellings.append((name, place.lon, place.lat))
    year = sc.windows[0].start.year if sc.windows else None
    return Context(world.gazetteer, spellings, [(p.id, p.name) for p in sc.parties], year,
                   sc.timezone)


def _spelling(place: Place, context: Context) -> str:
    """The scenario's name for ``place``, else the gazetteer's.

    A scenario name is the place's when, resolved near the place, it lands on it: GeoNames may
    hold a city twice (the city and its district seat), and the scenario's bare name may pick
    the other record a few kilometres away.
    """
    for name, lon, lat in context.spellings:
        if _distance_km((lon, lat), (place.lon, place.lat)) > _SAME_PLACE_KM:
            continue
        near = context.gazetteer.resolve(name, near=(place.lon, place.lat)).place
        if _distance_km((near.lon, near.lat), (place.lon, place.lat)) < 1.0:
            return name
    return place.name


def morphology_languages(text: str, language: Language | None) -> tuple[str, ...]:
    """The pymorphy3 dictionaries to read the statement's names with."""
    chosen = language or detect_language(text)
    if chosen == "en":
        return ()
    return (chosen,) if chosen else ("uk", "ru")


def draft(text: str, context: Context, *, language: Language | None = None,
          morphology: bool = True) -> list[Draft]:
    """Every corridor the statement announces, as drafts in the order written.

    Args:
        text: The statement.
        context: The gazetteer and scenario conventions.
        language: ``uk``, ``ru`` or ``en``; ``None`` to tell from the letters used.
        morphology: Whether to read inflected names with pymorphy3; off, only the written
            form is looked up (the benchmark's baseline).

    Raises
    ------
        IngestError: The statement announces no corridor, or more than :data:`MAX_NAMES`
            places.
    """
    languages = morphology_languages(text, language)
    resolver = Resolver(context.gazetteer, languages if morphology else ())
    found = [(segment, find_chains(segment.text, segment.start)) for segment in segments(text)]
    _check_size(found)
    default_times, default_means, default_announcer = _general(
        [s for s, chains in found if not chains], languages)
    year = statement_year(text)
    if year is None and context.year is not None:
        year = (context.year, "the scenario")
    drafts: list[Draft] = []
    for segment, chains in found:
        times = read_times(segment.text, languages).merged(default_times)
        means = find_means(segment.text, languages) or default_means
        announcer = find_announcer(segment.text) or default_announcer
        for chain, span in zip(chains, _spans(segment, chains), strict=True):
            places = _resolve_chain(chain, resolver, context)
            if any(p.resolved.place is not None for p in places):
                own = read_times(span, languages).merged(times)
                drafts.append(_draft(places, own, means, announcer, segment, context, year))
    if not drafts:
        raise IngestError(_(_NO_CORRIDOR), field="text")
    return drafts


def _spans(segment: Segment, chains: list[Chain]) -> list[str]:
    """The text from each chain's first name to the next chain's, for times said per corridor.

    "from Sumy to Poltava from 9:00 to 17:00 and from Kharkiv to Dnipro from 10:00" gives each
    corridor its own range; what a span does not say comes from the whole sentence.
    """
    starts = [chain.names()[0][1].start - segment.start for chain in chains]
    ends = [*starts[1:], len(segment.text)]
    return [segment.text[a:b] for a, b in zip(starts, ends[:len(starts)], strict=True)]


def _check_size(found: list[tuple[Segment, list[Chain]]]) -> None:
    names = sum(len(chain.names()) for _, chains in found for chain in chains)
    if names > MAX_NAMES:
        raise IngestError(_("{count} place names in corridor chains; expected at most {limit}: "
                            "give one announcement at a time").format(count=names,
                                                                      limit=MAX_NAMES),
                          field="text")


def _general(general: list[Segment],
             languages: tuple[str, ...]) -> tuple[Times, list[str], str | None]:
    """Times, means and announcer said outside any corridor's sentence, for every corridor."""
    times = Times()
    for segment in general:
        times = times.merged(read_times(segment.text, languages))
    means = next((m for m in (find_means(s.text, languages) for s in general) if m), [])
    announcer = next((a for a in (find_announcer(s.text) for s in general) if a), None)
    return times, means, announcer


def _resolve_chain(chain: Chain, resolver: Resolver, context: Context) -> list[DraftPlace]:
    """Resolve the names in route order; namesakes are told apart by a neighbouring place.

    A name is first resolved near the place before it; one still unresolved (an origin with
    namesakes, say) is tried again near the place after it.
    """
    resolved: list[Resolved] = []
    for _role, name in chain.names():
        before = next((r.place for r in reversed(resolved) if r.place is not None), None)
        resolved.append(resolver.resolve(name.text, near=_lonlat(before)))
    for i, (_role, name) in enumerate(chain.names()):
        after = next((r.place for r in resolved[i + 1:] if r.place is not None), None)
        if resolved[i].place is None and after is not None:
            resolved[i] = resolver.resolve(name.text, near=_lonlat(after))
    return [DraftPlace(role, name, r, _spelling(r.place, context) if r.place else r.spelling)
            for (role, name), r in zip(chain.names(), resolved, strict=True)]


def _lonlat(place: Place | None) -> tuple[float, float] | None:
    return None if place is None else (place.lon, place.lat)


def _draft(places: list[DraftPlace], times: Times, means: list[str], announcer: str | None,
           segment: Segment, context: Context, year: tuple[int, str] | None) -> Draft:
    notes: list[str] = []
    drafted = windows(times, year=year, zone=context.timezone, notes=notes)
    proposer = match_party(announcer, context.parties)
    if context.parties and proposer is None:
        notes.append("the announcer matches no party of the scenario; choose the proposer")
    confidence = 1.0
    for place in places:
        if place.resolved.place is None:
            confidence *= 0.5
        elif not _whole(place):
            notes.append(f"{place.name.text!r} read as {place.spelling!r}")
            confidence *= 0.8
        if place.resolved.resolution is not None and place.resolved.by_neighbour:
            notes.append(f"{place.name.text!r}: {place.resolved.resolution.note}")
            confidence *= 0.9
    confidence *= 0.8 if not drafted else 1.0
    confidence *= 0.8 if context.parties and proposer is None else 1.0
    confidence *= 0.9 ** sum(1 for n in notes if "not stated" in n)
    return Draft(places, drafted, means, announcer, proposer, segment, notes,
                 round(confidence, 2))


def _whole(place: DraftPlace) -> bool:
    """Whether the resolved spelling covers every written word (none was left out)."""
    return len(place.resolved.spelling.split()) == len(place.name.text.split())


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _place_json(place: DraftPlace) -> dict[str, Any]:
    """Where a name was written and what it became: a place with its note, or the problem."""
    written = {"written": place.name.text, "name": place.spelling, "role": place.role.value,
               "start": place.name.start, "end": place.name.end}
    resolution = place.resolved.resolution
    if resolution is None:
        return {**written, "problem": place.resolved.problem}
    return {**written, "lon": resolution.place.lon, "lat": resolution.place.lat,
            "note": resolution.note}


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_m(a[0], a[1], b[0], b[1])) / 1000.0
