"""Corridor sheets in each language, and agreements printed side by side in the signatories'.

The 2022 demo's Sumy - Poltava agreement is signed by Ukraine and Russia, whose delegations
read Ukrainian and Russian: its sheet sets the agreement in English, Ukrainian and Russian
columns. The signatures cover the agreement's canonical, language-neutral document, so printing
the sheet in any language must leave the signed bytes as they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from pypdf import PdfReader
from sqlalchemy import select

from corridor.api.app import create_app
from corridor.errors import ScenarioError
from corridor.i18n import use_language
from corridor.report import fonts
from corridor.report.sheet import (
    Dossier,
    agreement_texts,
    build_dossier,
    render_sheet_html,
    render_sheet_pdf,
)
from corridor.scenario import load_scenario
from corridor.store import coordination, queries
from corridor.store.db import Database
from corridor.store.engine import tabled_from_scenario
from corridor.store.models import Agreement
from corridor.store.schemas import AgreementOut, PartyIn
from corridor.store.seed import seed_2022
from corridor.store.signing import canonical_json, verify_agreement
from corridor.world import World, build_world
from tests.conftest import SCENARIO_DIR
from tests.dbfixtures import SeededStore, seed_store

SEED = SCENARIO_DIR / "ukraine-2022-03-07.yaml"
GENERATED = dt.datetime(2022, 3, 8, 6, 30, tzinfo=dt.UTC)
_CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(SEED))


@pytest.fixture(scope="module")
def demo(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The seeded 2022 demo on an SQLite file."""
    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('sheet') / 'store.db'}")
    with db.write() as session:
        seed_2022(session, tabled_from_scenario(world))
    yield db
    db.dispose()


def _agreement_id(db: Database) -> int:
    with db.read() as session:
        return session.scalars(select(Agreement.id)).one()


def _dossier(db: Database, world: World | None) -> Dossier:
    with db.read() as session:
        proposal = session.get(Agreement, _agreement_id(db)).proposal_id
        return build_dossier(queries.proposal_record(session, proposal), world)


def _signed(db: Database) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """The agreement's canonical bytes as stored, with its signatures and their keys."""
    with db.read() as session:
        agreement = session.get(Agreement, _agreement_id(db))
        return (canonical_json(agreement.document),
                {s.party_id: s.signature for s in agreement.signatures},
                {s.party_id: s.public_key for s in agreement.signatures})


def _text(page: str) -> str:
    """The page's words without markup or the map, whitespace collapsed."""
    page = re.sub(r"<svg.*?</svg>|<style>.*?</style>|data:[^\"]*", "", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in
                             PdfReader(io.BytesIO(data)).pages).split())


def _verified(document: bytes, signatures: dict[str, str],
                           keys: dict[str, str]) -> bool:
    """Verify signatures over a document given as its canonical bytes, as a third party would."""
    check = verify_agreement(json.loads(document), signatures, keys)
    return check.valid and not check.missing


@pytest.mark.parametrize(("language", "headings", "absent"), [
    ("en", ["Signatures", "Parties' signing keys", "Route, settlement by settlement"], []),
    ("uk", ["Підписи", "Ключі підпису сторін", "Маршрут за населеними пунктами"],
     ["Signatures", "Parties' signing keys", "Route, settlement by settlement", "Verdicts"]),
    ("ru", ["Подписи", "Ключи подписи сторон", "Маршрут по населённым пунктам"],
     ["Signatures", "Parties' signing keys", "Route, settlement by settlement", "Verdicts"]),
])
def test_the_sheet_speaks_the_active_language(demo: Database, world: World, language: str,
                                              headings: list[str], absent: list[str]) -> None:
    dossier = _dossier(demo, world)
    with use_language(language):
        page = render_sheet_html(dossier, world, GENERATED)
    assert f'<html lang="{language}">' in page
    found = re.findall(r"<h2>(.*?)</h2>", page)
    assert set(headings) <= {html.unescape(h) for h in found}
    assert not {html.unescape(h) for h in found} & set(absent)
    # The date it was printed, the locale's way.
    assert {"en": "3/8/22", "uk": "08.03.22", "ru": "08.03.2022"}[language] in _text(page)


def test_an_agreement_is_printed_in_its_signatories_languages_and_english(
        demo: Database, world: World) -> None:
    with use_language("en"):
        page = render_sheet_html(_dossier(demo, world), world, GENERATED)
    agreement = page[page.index('<section class="agreement">'):]
    heads = re.findall(r'<th scope="col" lang="(\w+)">(.*?)</th>', agreement)
    assert heads == [("en", "English"), ("uk", "Українська"), ("ru", "Русский")]
    words = _text(agreement)
    # Each column says, in its language, that the signed document is not this text.
    assert "not this text" in words
    assert "Кожна сторона підписує канонічний документ угоди" in words
    assert "Каждая сторона подписывает канонический документ соглашения" in words
    assert "Гуманітарний коридор: з Sumy до Poltava" in words
    assert "Режим тишины 1: 8 марта 2022" in words
    # Every row of a column lines up with the same row of the others.
    cells = re.findall(r'<td lang="(\w+)">', agreement)
    assert len(cells) % 3 == 0 and cells[:3] == ["en", "uk", "ru"]


def test_a_party_without_stored_languages_takes_the_scenarios(tmp_path: Path,
                                                               world: World) -> None:
    """Parties registered without languages: the sheet asks the scenario, else English only."""
    db = Database.open(f"sqlite:///{tmp_path / 'bare.db'}")
    store = seed_store(db)
    agreement = store.agreement(signed_by=("UA", "RU"))
    with db.read() as session:
        record = queries.proposal_record(session, store.proposal()).model_copy(update={
            "agreements": [AgreementOut.model_validate(session.get(Agreement, agreement))]})
    db.dispose()
    with use_language("en"):
        bare = agreement_texts(build_dossier(record, None))
        declared = agreement_texts(build_dossier(record, world), world)
    assert [c.language for c in bare[0].columns] == ["en"]
    assert [c.language for c in declared[0].columns] == ["en", "uk", "ru"]
    # The reader's own language joins the columns, after the signatories'.
    with use_language("ru"):
        assert [c.language for c in agreement_texts(build_dossier(record, None))[0].columns] \
            == ["en", "ru"]


def test_printing_in_any_language_leaves_the_signed_document_unchanged(
        demo: Database) -> None:
    before, signatures, keys = _signed(demo)
    assert _verified(before, signatures, keys)
    dossier = _dossier(demo, None)
    printed = {}
    for language in ("en", "uk", "ru"):
        with use_language(language):
            printed[language] = (render_sheet_html(dossier, None, GENERATED),
                                 render_sheet_pdf(dossier, None, GENERATED))
    after, signatures_after, keys_after = _signed(demo)
    assert after == before and signatures_after == signatures and keys_after == keys
    assert _verified(after, signatures_after, keys_after)
    with demo.read() as session:
        assert coordination.verify(session, _agreement_id(demo)).valid
    # The canonical document is language-neutral: codes and data, no translated word.
    assert not _CYRILLIC.search(before.decode("utf-8"))
    assert "What is signed" not in before.decode("utf-8")
    # Each printed sheet names the digest of exactly those bytes.
    digest = hashlib.sha256(before).hexdigest()
    grouped = " ".join(digest[i:i + 16] for i in range(0, 64, 16))
    for page, _pdf in printed.values():
        assert _text(page).count(grouped) == 3


def test_the_pdf_embeds_a_font_with_cyrillic_and_its_text_extracts(demo: Database) -> None:
    dossier = _dossier(demo, None)
    with use_language("uk"):
        pdf = render_sheet_pdf(dossier, None, GENERATED)
    text = _pdf_text(pdf).lower()
    for phrase in ("гуманітарний коридор", "режим тиші", "паспорт гуманітарного коридору",
                   "гуманитарный коридор", "режим тишины", "каждая сторона подписывает"):
        assert phrase in text, phrase
    fonts_used = {str(f.get("/BaseFont")) for page in PdfReader(io.BytesIO(pdf)).pages
                  for f in page["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts_used), fonts_used
    # Every Ukrainian and Russian letter is drawn in DejaVu, none by the fallback font, which
    # is then not even loaded (it takes seconds).
    assert not any("LastResort" in name for name in fonts_used), fonts_used
    assert fonts.covered(["Маріуполь, «режим тиші» — Мариуполь"])
    assert not fonts.covered(["Zaporizhzhia 扎波罗热"])


def test_a_missing_pdf_font_is_reported_by_name(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "FONT_DIR", tmp_path)
    with pytest.raises(fonts.CorridorError, match=r"DejaVuSans\.ttf is missing.*matplotlib"):
        fonts.pdf_document()


def test_a_party_language_without_a_catalog_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"(?s)languages\.0.*unknown language 'de'"):
        PartyIn.model_validate({"id": "DE", "name": "Germany", "languages": ["de"]})
    assert PartyIn.model_validate({"id": "UA", "name": "Ukraine",
                                   "languages": ["uk"]}).languages == ["uk"]


def test_a_scenario_party_language_without_a_catalog_is_refused_naming_the_field(
        andorra_variant: Any) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parties"][1]["languages"] = ["uk", "fr"]
    with pytest.raises(ScenarioError) as err:
        load_scenario(andorra_variant(change))
    assert err.value.field == "parties[1].languages[1]"
    assert "unknown language 'fr'" in err.value.message


def test_the_service_prints_a_sheet_in_the_requests_language(sqlite_world: SeededStore) -> None:
    """Parties without languages: the agreement prints in English and the reader's language."""
    agreement_id = sqlite_world.agreement(signed_by=("UA", "RU"))
    proposal_id = sqlite_world.proposal()
    with sqlite_world.db.write() as session:
        queries.get(session, Agreement, agreement_id).proposal_id = proposal_id
    headers = {**sqlite_world.headers("observer"), "Accept-Language": "ru-RU,ru;q=0.9"}
    with TestClient(create_app(sqlite_world.db)) as client:
        page = client.get(f"/sheets/proposals/{proposal_id}", headers=headers).text
        pdf = client.get(f"/sheets/proposals/{proposal_id}.pdf", headers=headers).content
    assert '<html lang="ru">' in page and "<h2>Подписи</h2>" in page
    heads = re.findall(r'<th scope="col" lang="(\w+)">', page)
    assert heads == ["en", "ru"]
    assert "каждая сторона подписывает" in _pdf_text(pdf).lower()
