"""Derive the dated settlement file of early March 2022 from the 7 March one.

The 7 March file gives, per settlement, a status, a confidence and the basis of both: a dated
report, or the settlement's distance from the NZZ/liveuamap Russian-held polygons of 5 and
9 March. This tool writes one file with a ``date`` column (``corridor`` reads it as of any
date) holding only statuses those bases support:

* **from 24 February**: rows whose basis says the status held throughout (the areas occupied
  since 2014/15, towns "never occupied"/"never taken"/"held throughout"), and the dated reports
  listed in :data:`EVENTS`, each on the date the report gives;
* **7 March**: every row of the 7 March file as it is;
* **9 March**: the 9 March polygon, for rows whose 7 March status rests on geometry alone
  (confidence ``low``): inside by more than 2 km is ``ru``, within 2 km of its edge
  ``contested``; a status only ever moves towards ``ru`` this way (the polygon is coarse, and a
  town it leaves out is not thereby retaken); and the dated reports of 8-9 March.

A settlement with no supported status on a date is left out of that date. The output is a pure
function of the input; see data/ukraine-2022/SOURCE.md.

Usage::

    python tools/control_timeline.py data/ukraine-2022/control-2022-03-07.csv \\
        data/ukraine-2022/control-2022-timeline.csv
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

START = "2022-02-24"
MARCH_7 = "2022-03-07"
MARCH_9 = "2022-03-09"

#: Phrases of a basis saying the status held from before the invasion or throughout it.
THROUGHOUT = ("pre-24-Feb-2022 occupied", "occupied since 2014", "never occupied",
              "never captured", "never taken", "held throughout", "never entered",
              "did not enter")

#: Dated reports quoted in the 7 March file's bases: settlement -> (date, status, confidence,
#: the words of the basis that give the date).
EVENTS: dict[str, list[tuple[str, str, str, str]]] = {
    "Chornobyl": [("2022-02-24", "ru", "high", "captured on 24 Feb 2022")],
    "Velykyi Burluk": [("2022-02-24", "ru", "high", "occupied by Russian troops from 24 February")],
    "Henichesk": [("2022-02-24", "ru", "high", "Kherson ODA 24 Feb: Henichesk raion under "
                                                "Russian control")],
    "Kakhovka": [("2022-02-24", "ru", "high", "Kherson ODA 24 Feb: Kakhovka HPP seized")],
    "Nova Kakhovka": [("2022-02-24", "ru", "high", "Kherson ODA 24 Feb: equipment in Nova "
                                                    "Kakhovka")],
    "Oleshky": [("2022-02-24", "ru", "high", "Kherson ODA 24 Feb: Oleshky crossing seized")],
    "Konotop": [("2022-02-25", "ru", "medium", "captured/encircled Konotop on 25 Feb")],
    **{name: [("2022-02-26", "ru", "medium", "Crimea-Kherson and Crimea-Melitopol axes seized "
                                             "24-26 Feb")]
       for name in ("Chaplynka", "Chonhar", "Chornianka", "Kalanchak", "Novooleksiivka")},
    "Hostomel": [("2022-02-26", "ru", "high", "Hostomel airport/town taken 24-26 Feb")],
    "Borodianka": [("2022-02-26", "ru", "medium", "By 26 February 2022 Russian forces captured "
                                                   "Hostomel, Borodianka, Vorzel and Bucha")],
    "Vovchansk": [("2022-02-26", "ru", "medium", "Russian troops present in the Vovchansk "
                                                  "community from 26 Feb")],
    "Kupiansk": [("2022-02-27", "ru", "high", "From 27 February 2022 ... Russian forces held "
                                               "Kupiansk")],
    "Svatove": [("2022-02-28", "ua", "medium", "pro-Ukrainian rallies 28 Feb, 3 Mar; local "
                                               "people twice drove them out"),
                ("2022-03-08", "ru", "medium", "Russians occupied Svatove on 8 March 2022")],
    "Trostianets": [("2022-03-01", "ru", "high", "As of 1.03 ... fully occupied the city")],
    "Kherson": [("2022-03-02", "ru", "high", "ISW 2 Mar: Russian forces likely captured "
                                              "Kherson")],
    "Chornobaivka": [("2022-03-02", "ru", "medium", "Russian-held from the capture of Kherson "
                                                     "(2 Mar, ISW)")],
    "Balakliia": [("2022-03-02", "ru", "medium", "On 2 March ... Russians entered the "
                                                  "community")],
    "Voznesensk": [("2022-03-02", "ua", "high", "On 2 March another Russian column was "
                                                "defeated at the city of Voznesensk")],
    "Mariupol": [("2022-03-02", "ua", "high", "completely besieged the city on 2 March - "
                                              "encircled but Ukrainian-held")],
    "Makariv": [("2022-03-02", "contested", "medium", "Ukrainian forces regained control of "
                                                      "Makariv ~1-2 Mar but the town stayed "
                                                      "under fire")],
    "Polohy": [("2022-03-03", "ru", "high", "Russian troops entered the town on 3 March")],
    "Irpin": [("2022-03-05", "contested", "high", "Russians entered Irpin from the west on "
                                                  "5 Mar and were pushed back")],
    "Bucha": [("2022-03-05", "ru", "medium", "By 5 March ... Bucha, Hostomel and Vorzel were "
                                             "captured")],
    "Izium": [("2022-03-06", "contested", "high", "On March 6-7 heavy fighting was reported "
                                                  "around Izium")],
}

_NZZ = re.compile(r"NZZ 5 Mar ([+-]?\d+) km, 9 Mar ([+-]?\d+) km")
_ORDER = {"ua": 0, "contested": 1, "ru": 2}
#: Within this distance of the polygon's edge, a settlement is on the front, not behind it.
EDGE_KM = 2


def derive(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The dated rows, per settlement in input order, oldest first."""
    out: list[dict[str, str]] = []
    for row in rows:
        dated = [(MARCH_7, row["status"], row["confidence"], row["source_url_or_basis"])]
        if any(phrase in row["source_url_or_basis"] for phrase in THROUGHOUT):
            dated.append((START, row["status"], row["confidence"],
                          f"held throughout: {row['source_url_or_basis']}"))
        dated.extend((day, status, confidence, f"dated report: {words}")
                     for day, status, confidence, words in EVENTS.get(row["name"], []))
        later = {day for day, *_ in dated if day > MARCH_7}
        if row["confidence"] == "low" and not later and (moved := _polygon_9(row)):
            dated.append((MARCH_9, *moved))
        for day, status, confidence, basis in sorted(dated):
            out.append({"name": row["name"], "geonameid": row["geonameid"], "lat": row["lat"],
                        "lon": row["lon"], "status": status, "date": day,
                        "source_url_or_basis": basis, "confidence": confidence})
    return out


def _polygon_9(row: dict[str, str]) -> tuple[str, str, str] | None:
    """Status, confidence and basis from the 9 March polygon.

    Only where its edge moved over the settlement since 5 March, towards ``ru`` from the
    7 March status.
    """
    found = _NZZ.search(row["source_url_or_basis"])
    if found is None:
        return None
    on_5, on_9 = (_position(found[k]) for k in (1, 2))
    if _ORDER[on_9] <= max(_ORDER[on_5], _ORDER[row["status"]]):
        return None
    return on_9, "low", f"NZZ/liveuamap polygon moved: {found[0]} (negative = inside)"


def _position(km_text: str) -> str:
    km = int(km_text)
    return "ru" if km < -EDGE_KM else "contested" if km <= EDGE_KM else "ua"


def main() -> None:
    """Read the 7 March file, write the dated one."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("march_7", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    with open(args.march_7, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(args.output, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["name", "geonameid", "lat", "lon", "status", "date",
                                     "source_url_or_basis", "confidence"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(derive(rows))


if __name__ == "__main__":
    main()
