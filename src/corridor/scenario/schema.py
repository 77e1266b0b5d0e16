"""The scenario format: one YAML document describing a situation, the parties and what is proposed.

Each section of the file is a Pydantic model that checks shapes and value ranges field by field;
:func:`json_schema` publishes the same models as a JSON Schema for editors. Checks that need the
whole document (references, contradictions) are the loader's, in :mod:`corridor.scenario.loading`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from corridor.errors import SituationError
from corridor.geo import parse_polygon
from corridor.i18n import LanguageCode, _, format_number
from corridor.scenario.placeref import PlaceRef, as_lonlat, collecting, record
from corridor.zones import offset_mismatch

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- geometry ----------------------------------------------------------------------------------
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
    """A point given by place name (resolved by the gazetteer) or by coordinates.

    Besides ``{place: NAME}`` and ``{point: [lon, lat], name: LABEL}`` it may be written as a
    bare name or a bare ``[lon, lat]``, like every other place field; a labelled point's label
    can then name the place elsewhere in the scenario.
    """

    place: str | None = Field(None, min_length=1)
    point: LonLat | None = None
    name: str | None = Field(None, min_length=1, description="label of a point")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"place": value}
        if isinstance(value, list | tuple):
            return {"point": value}
        return value

    @field_validator("point", mode="before")
    @classmethod
    def _valid_point(cls, point: Any) -> tuple[float, float] | None:
        return None if point is None else as_lonlat(point)

    @model_validator(mode="after")
    def _one_of(self) -> Location:
        if (self.place is None) == (self.point is None):
            raise ValueError(_("give exactly one of {first} or {second}").format(
                first="'place'", second="'point'"))
        if self.name is not None:
            if self.point is None:
                raise ValueError(_("{key} labels a point: give {point} with it").format(
                    key="'name'", point="'point'"))
            record(self.name, self.point, keeps_point=True)
        return self


# -- layers from GIS files ----------------------------------------------------------------------
#: Union tags of the inline-or-file and fixed-or-property choices; error paths leave them out.
UNION_TAGS = frozenset({"inline", "from-file", "fixed", "from-property"})


def _inline_or_file(value: Any) -> str:
    """An item with ``source`` is read from a file; anything else is written inline."""
    has_source = (isinstance(value, dict) and "source" in value) or hasattr(value, "source")
    return "from-file" if has_source else "inline"


def _fixed_or_property(value: Any) -> str:
    return "from-property" if isinstance(value, dict | BaseModel) else "fixed"


class PropertyText(_Model):
    """A label read from each feature's property, its text taken as it is (a zone's name)."""

    property: str = Field(min_length=1)


class PropertyValues(_Model):
    """A label read from each feature's property and mapped: a value not listed is an error."""

    property: str = Field(min_length=1)
    values: dict[str, str] = Field(min_length=1, description="property value -> label, e.g. "
                                                             "{ru: RU-held, ua: UA}")


class LayerSource(_Model):
    """Features of a GIS file GDAL reads; every CRS is reprojected to WGS84."""

    source: Path = Field(description="GeoJSON, KML/KMZ, GPKG, Shapefile (or .zip of one), "
                                     "FlatGeobuf, CSV with WKT or lon/lat columns; relative to "
                                     "the scenario file")
    layer: str | None = Field(None, description="the layer to read, when the file has several")
    crs: str | None = Field(None, description="coordinate reference system of a file that "
                                              "names none (a CSV is read as EPSG:4326)")
    date: str | None = Field(None, description="property holding each feature's date "
                                               "(YYYY-MM-DD), for dated layers")
    repair: bool = Field(False, description="repair invalid rings with make_valid (the output "
                                            "says how much area changed) instead of refusing them")


#: A holder label given once for the whole file, or read from each feature's property.
HolderLabel = Annotated[Annotated[str, Tag("fixed")]
                        | Annotated[PropertyValues, Tag("from-property")],
                        Discriminator(_fixed_or_property)]
#: A name given once for the whole file, or read from each feature's property.
NameLabel = Annotated[Annotated[str, Tag("fixed")] | Annotated[PropertyText, Tag("from-property")],
                      Discriminator(_fixed_or_property)]


# -- network and situation ---------------------------------------------------------------------
class NetworkSpec(_Model):
    """Which road network the scenario runs on, and how far a named place may lie from it."""

    source: Path = Field(description="OSM file (.osm.pbf, .osm, .osm.gz, .osm.bz2), "
                                     "relative to the scenario file")
    simplify: bool = True
    schematic: bool = Field(False, description="the network is a schematic skeleton, not "
                                               "surveyed roads; every output says so")
    max_snap_km: float = Field(30.0, gt=0.0, description="farthest a named place may lie from "
                                                         "the nearest road")
    keep_edges: bool = Field(False, description="also keep roads that can be routed only through "
                                                "the extract's edges (one-way exits, roads "
                                                "leaving and re-entering a clipped extract)")


class GazetteerSpec(_Model):
    """Where place names are looked up, beyond the places the network itself names."""

    geonames: list[Path] = Field(default_factory=list, description="GeoNames JSON city files")
    supplements: list[Path] = Field(default_factory=list,
                                    description="CSV of extra points: name,country,lat,lon,...")


class SettlementControl(_Model):
    """Control inferred from settlements, each status mapped to a holder label."""

    source: Path = Field(description="CSV with columns name, lat, lon, status, or any point "
                                     "layer file with properties name and status")
    layer: str | None = Field(None, description="the layer to read, when the file has several")
    crs: str | None = Field(None, description="coordinate reference system of a point file "
                                              "that names none")
    status: dict[str, str] = Field(description="status value -> territory label, "
                                               "e.g. {ru: RU-held, ua: UA}")


class HolderArea(Area):
    """An explicit area of control; it overrides what the borders and settlements say."""

    holder: str = Field(description="territory label of whoever holds this area")


class HolderLayer(LayerSource):
    """Control areas from a file: every polygon held by one label, or by a mapped property."""

    holder: HolderLabel = Field(
        description="territory label of every polygon, or {property:, values:} mapping a "
                    "property's values to labels")


ControlArea = Annotated[Annotated[HolderArea, Tag("inline")]
                        | Annotated[HolderLayer, Tag("from-file")],
                        Discriminator(_inline_or_file)]


class ControlAreas(_Model):
    """The part of control that changes with the front: settlements and explicit areas."""

    settlements: SettlementControl | None = None
    polygons: list[ControlArea] = Field(default_factory=list)


class ControlSpec(ControlAreas):
    """Who holds the ground: states from a borders file, a country split by towns or polygons."""

    borders: Path | None = Field(None, description="GeoJSON of countries with iso_a2")
    base_country: str | None = Field(None, description="label of the country the areas "
                                                       "below subdivide")
    states: list[str] = Field(default_factory=list,
                              description="neighbouring states drawn from the borders file, "
                                          "each its own territory label")


class RiskLevel(StrEnum):
    """How dangerous a hazard zone is; rules count exposure at or above a level."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class HazardArea(Area):
    """A drawn hazard zone (shelling, mines, a landslide) at one risk level."""

    name: str
    risk: RiskLevel


class RiskValues(_Model):
    """A risk level read from each feature's property through a value map."""

    property: str = Field(min_length=1)
    values: dict[str, RiskLevel] = Field(min_length=1, description="property value -> risk")


class HazardLayer(LayerSource):
    """Hazard zones from a file, at one risk level or at a mapped property's level."""

    risk: Annotated[Annotated[RiskLevel, Tag("fixed")]
                    | Annotated[RiskValues, Tag("from-property")],
                    Discriminator(_fixed_or_property)]
    name: NameLabel | None = Field(
        None, description="the zones' name, or {property:} holding each one's; default: the "
                          "file name and feature number")


HazardEntry = Annotated[Annotated[HazardArea, Tag("inline")]
                        | Annotated[HazardLayer, Tag("from-file")],
                        Discriminator(_inline_or_file)]


class HazardSpec(_Model):
    """The hazards: a band along the front line, contested ground, and drawn zones."""

    front_line_buffer_km: float = Field(0.0, ge=0.0, le=200.0)
    front_line_risk: RiskLevel = RiskLevel.HIGH
    front_line_includes_borders: bool = Field(
        True, description="state borders between parties count as lines of contact")
    contested_label: str = Field("contested", description="territory label of contested ground")
    contested_risk: RiskLevel | None = RiskLevel.HIGH
    held_territory_risk: RiskLevel = Field(
        RiskLevel.MEDIUM,
        description="risk level of a km driven through ground held by a party other than the "
                    "one holding the corridor's origin (checkpoints, filtration, detention); "
                    "safest and balanced routes weigh it, max_exposure rules may count it")
    zones: list[HazardEntry] = Field(default_factory=list)


class Closure(_Model):
    """A road no vehicle may use: every road near a place or point, or one OSM way by id."""

    name: str
    at: Location | None = None
    radius_m: float = Field(200.0, gt=0.0, le=50_000.0)
    way_id: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> Closure:
        if (self.at is None) == (self.way_id is None):
            raise ValueError(_("give exactly one of {first} (a place or point) or {second}").format(
                first="'at'", second="'way_id'"))
        return self


class ClosureLayer(LayerSource):
    """Blocked spots from a point file: every road within ``radius_m`` of each point."""

    name: NameLabel | None = Field(
        None, description="the closures' name, or {property:} holding each one's; default: "
                          "the file name and feature number")
    radius_m: float = Field(200.0, gt=0.0, le=50_000.0)


ClosureEntry = Annotated[Annotated[Closure, Tag("inline")]
                         | Annotated[ClosureLayer, Tag("from-file")],
                         Discriminator(_inline_or_file)]


class Snapshot(_Model):
    """The situation on one date, valid from that date until the next snapshot's.

    Each section a snapshot gives replaces the scenario's own for that date; a section it
    leaves out is the scenario's. A settlement file with a ``date`` column is read as of the
    snapshot's date, so a snapshot can be just a date.
    """

    date: date
    note: str = ""
    control: ControlAreas | None = Field(None, description="replaces control.settlements "
                                                           "and control.polygons")
    hazards: HazardSpec | None = None
    closures: list[ClosureEntry] | None = None


# -- parties and rules -------------------------------------------------------------------------
class RuleBase(_Model):
    """What every party rule shares: the origins it is limited to."""

    origins: list[PlaceRef] = Field(default_factory=list,
                                    description="the rule applies only to corridors from these "
                                                "origins; empty = all")


class DestinationIn(RuleBase):
    """The corridor must end in one of these territories."""

    type: Literal["destination_in"]
    territories: list[str] = Field(min_length=1)


class OriginIn(RuleBase):
    """The corridor must start in one of these territories."""

    type: Literal["origin_in"]
    territories: list[str] = Field(min_length=1)


class NoTransit(RuleBase):
    """The corridor may not cross any of these territories."""

    type: Literal["no_transit"]
    territories: list[str] = Field(min_length=1)
    except_origin_area: bool = Field(
        False, description="km inside the origin's own area (the connected part of its "
                           "holder's ground that contains it) do not count: a convoy may leave "
                           "an enclave")


class ExposureCount(StrEnum):
    """What a ``max_exposure`` rule counts."""

    #: Km inside hazard zones only.
    HAZARDS = "hazards"
    #: Km through ground held by a party other than the origin's holder only.
    HELD = "held"
    #: Both, added up.
    ALL = "all"


class MaxExposure(RuleBase):
    """At most ``km`` kilometres inside hazard zones of ``risk`` or higher."""

    type: Literal["max_exposure"]
    km: float = Field(ge=0.0)
    risk: RiskLevel = Field(RiskLevel.LOW, description="count exposure at this risk or above")
    count: ExposureCount = Field(
        ExposureCount.HAZARDS,
        description="hazards: km in hazard zones; held: km through ground held by a party "
                    "other than the origin's holder (at hazards.held_territory_risk); all: both")


class MaxDuration(RuleBase):
    """The trip may take at most ``hours`` at convoy speed."""

    type: Literal["max_duration"]
    hours: float = Field(gt=0.0)


class MustPass(RuleBase):
    """The corridor must come within ``radius_km`` of every one of these places."""

    type: Literal["must_pass"]
    places: list[PlaceRef] = Field(min_length=1)
    radius_km: float = Field(5.0, gt=0.0)


class MustAvoid(RuleBase):
    """The corridor must stay farther than ``radius_km`` from every one of these places."""

    type: Literal["must_avoid"]
    places: list[PlaceRef] = Field(min_length=1)
    radius_km: float = Field(5.0, gt=0.0)


class AllowedWindows(RuleBase):
    """Movement only between ``earliest`` and ``latest`` local time, in ``timezone``."""

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
    languages: list[LanguageCode] = Field(default_factory=list, description=(
        "languages its delegation reads (en, uk, ru): an agreement it signs is printed in "
        "them beside English"))
    rules: list[Rule] = Field(default_factory=list)


# -- places, windows, fleet --------------------------------------------------------------------
class AssemblyPoint(_Model):
    """A place in the origin where people without a car wait for the buses."""

    name: str
    people: int = Field(ge=0)
    at: Location | None = None


class BusFleet(_Model):
    """Identical buses serving one origin, with their boarding times and convoy speed."""

    id: Id
    count: int = Field(ge=0)
    seats: int = Field(ge=1)
    start_minutes: float = Field(0.0, ge=0.0, description="minutes from the origin at the "
                                                          "window's start")
    load_minutes: float = Field(20.0, ge=0.0)
    unload_minutes: float = Field(15.0, ge=0.0)
    speed_kmh: float = Field(50.0, gt=0.0, le=130.0)


class CarFlow(_Model):
    """Households leaving in their own cars, as fast as the origin can release them."""

    count: int = Field(ge=0)
    occupancy: float = Field(3.0, gt=0.0)
    per_hour: float = Field(gt=0.0, description="departures per hour the origin can release")


class Origin(_Model):
    """Everyone to be moved from one place, and how they can leave.

    ``people`` counts everyone, car occupants included: the private cars carry
    ``count * occupancy`` of them, and the rest wait for buses, at the assembly points when
    these are given (whoever they do not list waits at the origin itself).
    """

    name: PlaceRef
    people: int = Field(ge=0, description="everyone to be moved, car occupants included")
    assembly_points: list[AssemblyPoint] = Field(
        default_factory=list, description="where the people without a car wait for buses")
    buses: list[BusFleet] = Field(default_factory=list)
    cars: CarFlow | None = None

    @property
    def car_occupants(self) -> int:
        """People who leave in their own cars (part of ``people``)."""
        return 0 if self.cars is None else round(self.cars.count * self.cars.occupancy)

    @property
    def bus_riders(self) -> int:
        """People without a car, who need a seat on a bus."""
        return self.people - self.car_occupants

    @model_validator(mode="after")
    def _people_add_up(self) -> Origin:
        if self.cars is not None and self.car_occupants > self.people:
            raise ValueError(_("the cars carry {occupants} people ({cars} cars of {occupancy:g}) "
                               "but people is {people}; people counts everyone at the origin, "
                               "car occupants included").format(
                occupants=format_number(self.car_occupants), cars=format_number(self.cars.count),
                occupancy=self.cars.occupancy, people=format_number(self.people)))
        waiting = sum(a.people for a in self.assembly_points)
        if waiting > self.bus_riders:
            raise ValueError(_("the assembly points hold {waiting} people but only {riders} of the "
                               "{people} have no car ({occupants} leave in cars); people counts "
                               "everyone at the origin, car occupants included").format(
                waiting=format_number(waiting), riders=format_number(self.bus_riders),
                people=format_number(self.people), occupants=format_number(self.car_occupants)))
        return self


class Destination(_Model):
    """A place that receives evacuees, up to its capacity."""

    name: PlaceRef
    capacity: int = Field(ge=0, description="people it can receive")


class Places(_Model):
    """Where people are to be moved from, and where to."""

    origins: list[Origin] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(_("unknown time zone {zone!r} (expected an IANA name such as {example})")
                         .format(zone=value, example="'Europe/Kyiv'")) from exc
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
                    raise ValueError(_("{field} {value} has no time zone: add an offset or a {key} "
                                       "field").format(field=name, value=value.isoformat(),
                                                       key="'timezone'"))
                object.__setattr__(self, name, value.replace(tzinfo=zone))
            elif self.timezone and (problem := offset_mismatch(name, value, self.timezone)):
                raise ValueError(problem)
        if self.end <= self.start:
            raise ValueError(_("window ends ({end}) before it starts ({start})").format(
                end=self.end.isoformat(), start=self.start.isoformat()))
        return self


class Checkpoint(_Model):
    """A control point on the roads, and how fast its lanes clear vehicles."""

    name: str
    at: Location
    minutes_per_vehicle: float = Field(gt=0.0)
    lanes: int = Field(1, ge=1)


class ProposalSpec(_Model):
    """A proposal as the scenario writes it, before routing: places and window ids by name."""

    id: Id
    proposer: str
    origin: PlaceRef
    destination: PlaceRef
    waypoints: list[PlaceRef] = Field(default_factory=list, description="ordered, between "
                                                                        "origin and destination")
    windows: list[str] = Field(default_factory=list)
    note: str = ""


class AgreedCorridor(_Model):
    """A proposal the parties agreed, with the windows and checkpoints it runs under."""

    id: Id
    proposal: str
    windows: list[str] = Field(min_length=1)
    checkpoints: list[str] = Field(default_factory=list)


#: Default chance that a settlement status reported with each confidence is wrong. The levels
#: read as the usual words of estimative probability: "high" as almost certain (about 95 %
#: right), "medium" as probable (about 75 %), "low" as a little better than even (about 60 %).
DEFAULT_FLIP_PROBABILITY: dict[str, float] = {"high": 0.05, "medium": 0.25, "low": 0.4}


class UncertaintySpec(_Model):
    """How uncertain the situation is: what an uncertainty sweep draws situations from.

    Each settlement whose report has a confidence is, in a drawn situation, held by another
    status with that confidence's ``flip_probability``, shared equally among the statuses
    ``alternatives`` lists for its own status (by default: contested ground for a held status,
    either side for a contested one).
    """

    flip_probability: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_FLIP_PROBABILITY),
        description="chance that a status reported with this confidence is wrong; 'unstated' "
                    "for rows without one (default 0: taken as certain)")
    alternatives: dict[str, list[str]] = Field(
        default_factory=dict, description="status -> statuses it may really be, e.g. "
                                          "{ru: [contested], contested: [ru, ua]}")
    front_line_buffer_km: tuple[float, float] | None = Field(
        None, description="[low, high]: the front-line hazard band's width is drawn uniformly "
                          "from this range in every situation")

    @field_validator("flip_probability")
    @classmethod
    def _probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        for level, p in value.items():
            if level not in (*DEFAULT_FLIP_PROBABILITY, "unstated"):
                raise ValueError(_("unknown confidence {level!r}; expected {levels} or {last}")
                                 .format(level=level, levels="high, medium, low",
                                         last="unstated"))
            if not 0.0 <= p <= 1.0:
                raise ValueError(_("probability for {level!r} must be within 0..1, got {value}")
                                 .format(level=level, value=p))
        return value

    @field_validator("front_line_buffer_km")
    @classmethod
    def _range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not 0.0 <= value[0] <= value[1] <= 200.0:
            raise ValueError(_("expected [low, high] with 0 <= low <= high <= 200, got {value}")
                             .format(value=list(value)))
        return value

    def flip(self, confidence: str) -> float:
        """The chance a status reported with ``confidence`` (``""``: none) is wrong."""
        level = confidence or "unstated"
        if level in self.flip_probability:
            return self.flip_probability[level]
        return DEFAULT_FLIP_PROBABILITY.get(level, 0.0)


class Scenario(_Model):
    """A whole scenario; see ``corridor schema`` for the JSON Schema."""

    name: str
    description: str = ""
    timezone: str = "UTC"
    network: NetworkSpec
    gazetteer: GazetteerSpec = GazetteerSpec()
    control: ControlSpec = ControlSpec()
    hazards: HazardSpec = HazardSpec()
    closures: list[ClosureEntry] = Field(default_factory=list)
    parties: list[PartySpec] = Field(min_length=1)
    places: Places = Places()
    windows: list[Window] = Field(default_factory=list)
    checkpoints: list[Checkpoint] = Field(default_factory=list)
    proposals: list[ProposalSpec] = Field(default_factory=list)
    corridors: list[AgreedCorridor] = Field(default_factory=list)
    convoy_speed_kmh: float = Field(50.0, gt=0.0, le=130.0)
    timeline: list[Snapshot] = Field(default_factory=list,
                                     description="dated situations, oldest first")
    uncertainty: UncertaintySpec = UncertaintySpec()

    #: Directory of the scenario file; relative paths resolve against it.
    base_dir: Path = Field(Path("."), exclude=True)
    #: The date this copy describes (see :meth:`at`); settlement files are read as of it.
    as_of: date | None = Field(None, exclude=True)
    #: The scenario's own control, hazards and closures, kept by a dated copy that replaced them.
    _undated: tuple[ControlSpec, HazardSpec, list[ClosureEntry]] | None = PrivateAttr(None)
    _points: dict[str, tuple[float, float]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _collect_points(cls, data: Any, handler: ModelWrapValidatorHandler[Scenario]) -> Scenario:
        """Gather the coordinates of every place written as a point (see :mod:`placeref`)."""
        if isinstance(data, Scenario):
            return data
        with collecting() as points:
            scenario = handler(data)
        scenario._points = points
        return scenario

    @property
    def points(self) -> dict[str, tuple[float, float]]:
        """Labels of the places written as points, and their ``(lon, lat)``."""
        return self._points

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)

    def path(self, relative: Path) -> Path:
        """Resolve a path written in the scenario relative to the scenario file."""
        return relative if relative.is_absolute() else (self.base_dir / relative).resolve()

    # -- timeline ------------------------------------------------------------------------------
    @property
    def dates(self) -> list[date]:
        """The timeline's dates, oldest first (empty without a timeline)."""
        return [s.date for s in self.timeline]

    def snapshot_date(self, at: date) -> date:
        """The date of the snapshot valid on ``at``: the latest not after it.

        Raises :class:`SituationError` (field ``at``) without a timeline or before its start.
        """
        if not self.timeline:
            raise SituationError(_("the scenario has no timeline, so no situation is dated {date}")
                                 .format(date=at.isoformat()), field="at")
        valid = [d for d in self.dates if d <= at]
        if not valid:
            raise SituationError(_("no snapshot on or before {date}: the timeline starts on "
                                   "{start}").format(date=at.isoformat(),
                                                    start=self.dates[0].isoformat()),
                                 field="at")
        return valid[-1]

    def default_date(self, window_ids: list[str]) -> date | None:
        """The snapshot for a proposal running in ``window_ids``.

        The latest snapshot not after the first window's start (its local date), else the
        latest; ``None`` without a timeline.
        """
        if not self.timeline:
            return None
        starts = [w.start for w in self.windows if w.id in window_ids]
        if starts:
            first = min(starts).astimezone(ZoneInfo(self.timezone)).date()
            valid = [d for d in self.dates if d <= first]
            if valid:
                return valid[-1]
        return self.dates[-1]

    def at(self, day: date | None) -> Scenario:
        """The scenario as of the snapshot valid on ``day`` (``None``: the undated scenario).

        Only the situation (control, hazards, closures, :attr:`as_of`) changes; everything else,
        the timeline included, is this copy's own, so a dated copy can be edited (a rule
        relaxed, a snapshot added) and moved to another date in turn.
        """
        control, hazards, closures = self._undated or (self.control, self.hazards, self.closures)
        if day is None:
            undated = self.model_copy(update={"control": control, "hazards": hazards,
                                              "closures": closures, "as_of": None})
            undated._undated = None
            return undated
        snapshot = self.timeline[self.dates.index(self.snapshot_date(day))]
        dated = self.model_copy(update={
            "control": control if snapshot.control is None else control.model_copy(update={
                "settlements": snapshot.control.settlements,
                "polygons": snapshot.control.polygons}),
            "hazards": snapshot.hazards if snapshot.hazards is not None else hazards,
            "closures": snapshot.closures if snapshot.closures is not None else closures,
            "as_of": snapshot.date})
        dated._undated = (control, hazards, closures)
        return dated

    @property
    def territory_labels(self) -> set[str]:
        """Every label an area can carry, on any date; rules may name these or a party id."""
        labels = set(self.control.states)
        if self.control.base_country:
            labels.add(self.control.base_country)
        areas: list[ControlAreas] = [self.control]
        areas.extend(s.control for s in self.timeline if s.control is not None)
        for spec in areas:
            if spec.settlements:
                labels.update(spec.settlements.status.values())
            for area in spec.polygons:
                holder = area.holder
                labels.update(holder.values.values() if isinstance(holder, PropertyValues)
                              else [holder])
        for party in self.parties:
            labels.update(party.holds)
        return labels

    def party(self, party_id: str) -> PartySpec:
        """The party with this id (the id is known to exist: references are checked on loading)."""
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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors and other tools."""
    return Scenario.model_json_schema(mode="validation")
