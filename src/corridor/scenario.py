"""The scenario file: one YAML document describing a situation, the parties and what is proposed.

Validation happens in two passes. Pydantic checks shapes and value ranges field by field; then
:func:`_check_references` checks what Pydantic cannot see: ids that must be unique, names that
must refer to something declared elsewhere, rules that contradict each other. Both passes report
the failing field as a path (``parties[1].rules[0].territories``) and, where the YAML shows it, the
line, so a mediator editing the file by hand can go straight to the mistake.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from corridor.errors import ScenarioError, SituationError
from corridor.geo import parse_polygon

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- geometry ----------------------------------------------------------------------------------
def _check_lonlat(point: tuple[float, float]) -> tuple[float, float]:
    lon, lat = point
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude {lon} is outside -180..180")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} is outside -90..90")
    return point


LonLat = Annotated[tuple[float, float], Field(description="[longitude, latitude] in degrees")]


def _check_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The same checks every polygon input gets (closed, >= 4 positions, in range, valid)."""
    try:
        parse_polygon([ring], field="coordinates")
    except SituationError as exc:
        raise ValueError(exc.message) from exc
    return ring


class Area(_Model):
    """A polygon given as one closed ring of ``[lon, lat]`` points."""

    coordinates: list[LonLat] = Field(description="closed ring: the first point repeated last")

    @field_validator("coordinates")
    @classmethod
    def _valid_ring(cls, ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return _check_ring(ring)


class Location(_Model):
    """A point given either by place name (resolved by the gazetteer) or by coordinates."""

    place: str | None = None
    point: LonLat | None = None

    @field_validator("point")
    @classmethod
    def _valid_point(cls, point: tuple[float, float] | None) -> tuple[float, float] | None:
        return None if point is None else _check_lonlat(point)

    @model_validator(mode="after")
    def _one_of(self) -> Location:
        if (self.place is None) == (self.point is None):
            raise ValueError("give exactly one of 'place' or 'point'")
        return self


# -- network and situation ---------------------------------------------------------------------
class NetworkSpec(_Model):
    source: Path = Field(description="OSM file (.osm.pbf, .osm, .osm.gz, .osm.bz2), "
                                     "relative to the scenario file")
    simplify: bool = True
    schematic: bool = Field(False, description="the network is a schematic skeleton, not "
                                               "surveyed roads; every output says so")
    max_snap_km: float = Field(30.0, gt=0.0, description="farthest a named place may lie from "
                                                         "the nearest road")


class GazetteerSpec(_Model):
    geonames: list[Path] = Field(default_factory=list, description="GeoNames JSON city files")
    supplements: list[Path] = Field(default_factory=list,
                                    description="CSV of extra points: name,country,lat,lon,...")


class SettlementControl(_Model):
    source: Path = Field(description="CSV with columns name, lat, lon, status")
    status: dict[str, str] = Field(description="status value -> territory label, "
                                               "e.g. {ru: RU-held, ua: UA}")


class HolderArea(Area):
    holder: str = Field(description="territory label of whoever holds this area")


class ControlSpec(_Model):
    borders: Path | None = Field(None, description="GeoJSON of countries with iso_a2")
    base_country: str | None = Field(None, description="label of the country the areas "
                                                       "below subdivide")
    states: list[str] = Field(default_factory=list,
                              description="neighbouring states drawn from the borders file, "
                                          "each its own territory label")
    settlements: SettlementControl | None = None
    polygons: list[HolderArea] = Field(default_factory=list)


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class HazardArea(Area):
    name: str
    risk: RiskLevel


class HazardSpec(_Model):
    front_line_buffer_km: float = Field(0.0, ge=0.0, le=200.0)
    front_line_risk: RiskLevel = RiskLevel.HIGH
    front_line_includes_borders: bool = Field(
        True, description="state borders between parties count as lines of contact")
    contested_label: str = Field("contested", description="territory label of contested ground")
    contested_risk: RiskLevel | None = RiskLevel.HIGH
    zones: list[HazardArea] = Field(default_factory=list)


class Closure(_Model):
    name: str
    at: Location | None = None
    radius_m: float = Field(200.0, gt=0.0, le=50_000.0)
    way_id: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> Closure:
        if (self.at is None) == (self.way_id is None):
            raise ValueError("give exactly one of 'at' (a place or point) or 'way_id'")
        return self


# -- parties and rules -------------------------------------------------------------------------
class RuleBase(_Model):
    origins: list[str] = Field(default_factory=list,
                               description="the rule applies only to corridors from these "
                                           "origins; empty = all")


class DestinationIn(RuleBase):
    type: Literal["destination_in"]
    territories: list[str] = Field(min_length=1)


class OriginIn(RuleBase):
    type: Literal["origin_in"]
    territories: list[str] = Field(min_length=1)


class NoTransit(RuleBase):
    type: Literal["no_transit"]
    territories: list[str] = Field(min_length=1)


class MaxExposure(RuleBase):
    type: Literal["max_exposure"]
    km: float = Field(ge=0.0)
    risk: RiskLevel = Field(RiskLevel.LOW, description="count exposure at this risk or above")


class MaxDuration(RuleBase):
    type: Literal["max_duration"]
    hours: float = Field(gt=0.0)


class MustPass(RuleBase):
    type: Literal["must_pass"]
    places: list[str] = Field(min_length=1)
    radius_km: float = Field(5.0, gt=0.0)


class MustAvoid(RuleBase):
    type: Literal["must_avoid"]
    places: list[str] = Field(min_length=1)
    radius_km: float = Field(5.0, gt=0.0)


class AllowedWindows(RuleBase):
    type: Literal["allowed_hours"]
    earliest: time = Field(description="local time of day a window may open")
    latest: time = Field(description="local time of day a window must close by")
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)


Rule = Annotated[
    DestinationIn | OriginIn | NoTransit | MaxExposure | MaxDuration | MustPass | MustAvoid
    | AllowedWindows,
    Field(discriminator="type"),
]


class PartySpec(_Model):
    """A negotiating party as the scenario declares it: what it holds, the rules it judges by."""

    id: Id
    name: str
    role: Literal["party", "facilitator"] = "party"
    holds: list[str] = Field(default_factory=list, description="territory labels it controls")
    rules: list[Rule] = Field(default_factory=list)


# -- places, windows, fleet --------------------------------------------------------------------
class AssemblyPoint(_Model):
    name: str
    people: int = Field(ge=0)
    at: Location | None = None


class BusFleet(_Model):
    id: Id
    count: int = Field(ge=0)
    seats: int = Field(ge=1)
    start_minutes: float = Field(0.0, ge=0.0, description="minutes from the origin at the "
                                                          "window's start")
    load_minutes: float = Field(20.0, ge=0.0)
    unload_minutes: float = Field(15.0, ge=0.0)
    speed_kmh: float = Field(50.0, gt=0.0, le=130.0)


class CarFlow(_Model):
    count: int = Field(ge=0)
    occupancy: float = Field(3.0, gt=0.0)
    per_hour: float = Field(gt=0.0, description="departures per hour the origin can release")


class Origin(_Model):
    name: str
    people: int = Field(ge=0)
    assembly_points: list[AssemblyPoint] = Field(default_factory=list)
    buses: list[BusFleet] = Field(default_factory=list)
    cars: CarFlow | None = None


class Destination(_Model):
    name: str
    capacity: int = Field(ge=0, description="people it can receive")


class Places(_Model):
    origins: list[Origin] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (expected an IANA name such as "
                         "'Europe/Kyiv')") from exc
    return value


class Window(_Model):
    """A ceasefire window. Times without an offset are read in ``timezone``."""

    id: Id
    start: datetime
    end: datetime
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _check_zone(value)

    @model_validator(mode="after")
    def _aware_and_ordered(self) -> Window:
        zone = ZoneInfo(self.timezone) if self.timezone else None
        for name in ("start", "end"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None:
                if zone is None:
                    raise ValueError(f"{name} {value.isoformat()} has no time zone: add an "
                                     "offset or a 'timezone' field")
                object.__setattr__(self, name, value.replace(tzinfo=zone))
        if self.end <= self.start:
            raise ValueError(f"window ends ({self.end.isoformat()}) before it starts "
                             f"({self.start.isoformat()})")
        return self


class Checkpoint(_Model):
    name: str
    at: Location
    minutes_per_vehicle: float = Field(gt=0.0)
    lanes: int = Field(1, ge=1)


class ProposalSpec(_Model):
    """A proposal as the scenario writes it, before routing: places and window ids by name."""

    id: Id
    proposer: str
    origin: str
    destination: str
    waypoints: list[str] = Field(default_factory=list, description="ordered, between origin "
                                                                   "and destination")
    windows: list[str] = Field(default_factory=list)
    note: str = ""


class AgreedCorridor(_Model):
    id: Id
    proposal: str
    windows: list[str] = Field(min_length=1)
    checkpoints: list[str] = Field(default_factory=list)


class Scenario(_Model):
    """A whole scenario; see ``corridor schema`` for the JSON Schema."""

    name: str
    description: str = ""
    timezone: str = "UTC"
    network: NetworkSpec
    gazetteer: GazetteerSpec = GazetteerSpec()
    control: ControlSpec = ControlSpec()
    hazards: HazardSpec = HazardSpec()
    closures: list[Closure] = Field(default_factory=list)
    parties: list[PartySpec] = Field(min_length=1)
    places: Places = Places()
    windows: list[Window] = Field(default_factory=list)
    checkpoints: list[Checkpoint] = Field(default_factory=list)
    proposals: list[ProposalSpec] = Field(default_factory=list)
    corridors: list[AgreedCorridor] = Field(default_factory=list)
    convoy_speed_kmh: float = Field(50.0, gt=0.0, le=130.0)

    #: Directory of the scenario file; relative paths resolve against it.
    base_dir: Path = Field(Path("."), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)

    def path(self, relative: Path) -> Path:
        """Resolve a path written in the scenario relative to the scenario file."""
        return relative if relative.is_absolute() else (self.base_dir / relative).resolve()

    @property
    def territory_labels(self) -> set[str]:
        """Every label an area can carry; rules may name these or a party id."""
        labels = set(self.control.states)
        if self.control.base_country:
            labels.add(self.control.base_country)
        if self.control.settlements:
            labels.update(self.control.settlements.status.values())
        labels.update(p.holder for p in self.control.polygons)
        for party in self.parties:
            labels.update(party.holds)
        return labels

    def party(self, party_id: str) -> PartySpec:
        return next(p for p in self.parties if p.id == party_id)

    def expand_territories(self, names: list[str]) -> set[str]:
        """Labels meant by ``names``.

        A territory label means itself, even where a party has the same id (``RU`` the state,
        not every area Russia holds); a party id that is not a label stands for every label the
        party holds.
        """
        parties = {p.id: p for p in self.parties}
        labels = self.territory_labels
        out: set[str] = set()
        for name in names:
            party = parties.get(name)
            if name not in labels and party is not None:
                out.update(party.holds)
            else:
                out.add(name)
        return out


# -- loading -----------------------------------------------------------------------------------
def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors and other tools."""
    return Scenario.model_json_schema(mode="validation")


def load_scenario(path: Path) -> Scenario:
    """Read, parse and validate a scenario file.

    Raises :class:`ScenarioError` naming the file, the field path and (where the YAML shows it)
    the line of the first problem found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ScenarioError("file not found", source=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read file: {exc}", source=path) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ScenarioError(f"YAML syntax error: {exc.problem}", source=path, line=line) from exc
    if not isinstance(data, dict):
        raise ScenarioError("expected a mapping of scenario fields at the top level",
                            source=path, line=1)
    data.pop("base_dir", None)
    try:
        scenario = Scenario.model_validate({**data, "base_dir": path.resolve().parent})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not _is_union_tag(p))
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "missing":
            message = "required field is missing"
        elif first["type"] == "extra_forbidden":
            message = "unknown field"
        raise ScenarioError(message, source=path, field=format_path(loc),
                            line=_line_of(root, loc)) from exc
    try:
        _check_references(scenario)
    except _RefError as exc:
        raise ScenarioError(exc.message, source=path, field=format_path(exc.loc),
                            line=_line_of(root, exc.loc)) from exc
    return scenario


def format_path(loc: tuple[str | int, ...]) -> str:
    """``("parties", 1, "rules", 0)`` -> ``parties[1].rules[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _is_union_tag(part: str | int) -> bool:
    """Pydantic inserts the discriminator value or a type name into union error paths."""
    return isinstance(part, str) and (
        part in {"destination_in", "origin_in", "no_transit", "max_exposure", "max_duration",
                 "must_pass", "must_avoid", "allowed_hours"}
        or "[" in part or part.startswith(("function-", "tuple["))
    )


def _line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest YAML node on ``loc`` that exists."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node, best = child, child.start_mark.line + 1
    return best


class _RefError(Exception):
    def __init__(self, message: str, *loc: str | int) -> None:
        super().__init__(message)
        self.message, self.loc = message, loc


def _unique(items: list[Any], attr: str, where: str) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            raise _RefError(f"duplicate {attr} {key!r} (first used at {where}[{seen[key]}])",
                            where, i, attr)
        seen[key] = i


def _check_references(sc: Scenario) -> None:
    """Checks that need the whole scenario: uniqueness, references, contradictions."""
    _unique(sc.parties, "id", "parties")
    _unique(sc.windows, "id", "windows")
    _unique(sc.proposals, "id", "proposals")
    _unique(sc.corridors, "id", "corridors")
    _unique(sc.places.origins, "name", "places.origins")
    _unique(sc.places.destinations, "name", "places.destinations")
    _unique(sc.checkpoints, "name", "checkpoints")
    party_ids = {p.id for p in sc.parties}
    labels = sc.territory_labels | party_ids
    origin_names = {o.name for o in sc.places.origins} | {p.origin for p in sc.proposals}
    for i, party in enumerate(sc.parties):
        for j, rule in enumerate(party.rules):
            for k, name in enumerate(getattr(rule, "territories", [])):
                if name not in labels:
                    raise _RefError(f"unknown territory {name!r}; known: "
                                    f"{', '.join(sorted(labels))}",
                                    "parties", i, "rules", j, "territories", k)
            for k, name in enumerate(rule.origins):
                if name not in origin_names:
                    raise _RefError(f"unknown origin {name!r}; origins are "
                                    f"{', '.join(sorted(origin_names))}",
                                    "parties", i, "rules", j, "origins", k)
        _check_contradictions(sc, party, i)
    window_ids = {w.id for w in sc.windows}
    for i, prop in enumerate(sc.proposals):
        if prop.proposer not in party_ids:
            raise _RefError(f"unknown party {prop.proposer!r}; parties are "
                            f"{', '.join(sorted(party_ids))}", "proposals", i, "proposer")
        for k, wid in enumerate(prop.windows):
            if wid not in window_ids:
                raise _RefError(f"unknown window {wid!r}", "proposals", i, "windows", k)
    proposal_ids = {p.id for p in sc.proposals}
    checkpoint_names = {c.name for c in sc.checkpoints}
    for i, cor in enumerate(sc.corridors):
        if cor.proposal not in proposal_ids:
            raise _RefError(f"unknown proposal {cor.proposal!r}", "corridors", i, "proposal")
        for k, wid in enumerate(cor.windows):
            if wid not in window_ids:
                raise _RefError(f"unknown window {wid!r}", "corridors", i, "windows", k)
        for k, name in enumerate(cor.checkpoints):
            if name not in checkpoint_names:
                raise _RefError(f"unknown checkpoint {name!r}", "corridors", i, "checkpoints", k)


def _check_contradictions(sc: Scenario, party: PartySpec, index: int) -> None:
    """A party whose own rules can never all pass has made a mistake, not a position."""
    scoped: list[tuple[int, str, set[str]]] = []
    for j, rule in enumerate(party.rules):
        if isinstance(rule, DestinationIn | NoTransit):
            scoped.append((j, rule.type, sc.expand_territories(rule.territories)))
    for a, (ja, ta, la) in enumerate(scoped):
        for jb, tb, lb in scoped[a + 1:]:
            ra, rb = party.rules[ja], party.rules[jb]
            if ra.origins and rb.origins and not set(ra.origins) & set(rb.origins):
                continue
            if ta == tb == "destination_in" and not la & lb:
                why = "two destination rules with no territory in common"
            elif {ta, tb} == {"destination_in", "no_transit"}:
                dest, avoid = (la, lb) if ta == "destination_in" else (lb, la)
                if not dest - avoid:
                    why = "every allowed destination lies in a territory it forbids transit through"
                else:
                    continue
            else:
                continue
            raise _RefError(f"contradictory rules: rules[{ja}] and rules[{jb}] of party "
                            f"{party.id!r} can never both pass ({why})",
                            "parties", index, "rules", jb)

