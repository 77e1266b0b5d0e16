"""The service answers in the caller's language: the user's setting, else Accept-Language, else
CORRIDOR_LANG, else English; each request keeps its own, and field names stay as sent."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import create_engine, func, inspect, select, text

from corridor.api.app import create_app
from corridor.errors import ConflictError
from corridor.i18n import use_language
from corridor.settings import Settings
from corridor.store import coordination
from corridor.store.audit_state import verify_state
from corridor.store.coordination import TRANSITIONS
from corridor.store.db import MIGRATIONS, Database
from corridor.store.models import AuditEntry, User
from corridor.store.schemas import PartyIn
from corridor.store.validation import describe
from tests.dbfixtures import CLI_SCRIPT, SeededStore, ServiceProcess, cli_token

#: A corridor id no world here has.
NO_CORRIDOR = 999_999

#: What each language says for the three refusals every reader can provoke.
EXPECTED = {
    "ru": {
        404: f"коридора {NO_CORRIDOR} не существует",
        422: "occurred_at: не хватает обязательного поля",
        403: "у роли operator нет на это права; нужна роль facilitator",
    },
    "uk": {
        404: f"коридору {NO_CORRIDOR} не існує",
        422: "occurred_at: бракує обов'язкового поля",
        403: "роль operator не має на це права; потрібна роль facilitator",
    },
    "en": {
        404: f"corridor {NO_CORRIDOR} does not exist",
        422: "occurred_at: required field is missing",
        403: "role operator may not do this; needs facilitator",
    },
}


@pytest.fixture(scope="module")
def client(shared_world: SeededStore) -> Iterator[TestClient]:
    with TestClient(create_app(shared_world.db)) as test_client:
        yield test_client


def _refusal(client: TestClient, world: SeededStore, status: int,
             headers: dict[str, str]) -> httpx.Response:
    """Provoke a 404, a 422 or a 403 as the operator."""
    sent = {**world.headers("operator"), **headers}
    if status == 404:
        return client.get(f"/api/corridors/{NO_CORRIDOR}", headers=sent)
    if status == 422:
        return client.post("/api/incidents", headers=sent,
                           json={"type": "shelling", "lon": 37.5, "lat": 47.1})
    return client.post("/api/parties", headers=sent, json={"id": "MD", "name": "Moldova"})


@pytest.mark.parametrize("status", [404, 422, 403])
@pytest.mark.parametrize("language", ["ru", "uk"])
def test_accept_language_chooses_the_language_of_the_detail(
    client: TestClient, shared_world: SeededStore, language: str, status: int,
) -> None:
    response = _refusal(client, shared_world, status,
                        {"Accept-Language": f"{language}-UA, en;q=0.5"})
    assert response.status_code == status
    assert response.json()["detail"] == EXPECTED[language][status]
    assert response.headers["Content-Language"] == language
    assert "Accept-Language" in response.headers["Vary"]


def test_field_names_stay_as_sent_whatever_the_language(client: TestClient,
                                                        shared_world: SeededStore) -> None:
    answers = [_refusal(client, shared_world, 422, {"Accept-Language": lang}).json()
               for lang in ("en", "uk", "ru")]
    assert {a["field"] for a in answers} == {"occurred_at"}
    assert len({a["detail"] for a in answers}) == 3


def test_a_conflict_keeps_its_allowed_codes_in_any_language(client: TestClient,
                                                            shared_world: SeededStore) -> None:
    corridor = shared_world.corridor("proposed")
    response = client.post(f"/api/corridors/{corridor}/status", json={"status": "open"},
                           headers={**shared_world.headers("facilitator"),
                                    "Accept-Language": "uk"})
    assert response.status_code == 409
    allowed = list(TRANSITIONS["proposed"])
    assert response.json() == {
        "detail": f"коридор {corridor} не може перейти зі стану proposed у стан open; "
                  f"дозволено: {', '.join(allowed)}",
        "field": "status", "allowed": allowed}


def test_the_stores_refusals_follow_the_active_language(world: SeededStore) -> None:
    """The command line reaches the same rules through the store, in its --lang."""
    body = PartyIn(id="UA", name="Ukraine")
    for language, expected in (("ru", "сторона UA уже существует"),
                               ("uk", "сторона UA уже існує"),
                               ("en", "party UA already exists")):
        with (use_language(language), pytest.raises(ConflictError) as refused,
              world.db.write() as s):
            coordination.create_party(s, "test", body)
        assert refused.value.message == expected and refused.value.field == "id"


@pytest.mark.parametrize("header", ["de-DE, fr;q=0.9", "*", "uk;q=0, ru;q=0", ""])
def test_a_language_without_a_catalog_gets_english(client: TestClient,
                                                   shared_world: SeededStore,
                                                   header: str) -> None:
    response = _refusal(client, shared_world, 404, {"Accept-Language": header})
    assert response.json()["detail"] == EXPECTED["en"][404]
    assert response.headers["Content-Language"] == "en"


def test_corridor_lang_is_the_default_and_the_header_beats_it(
    client: TestClient, shared_world: SeededStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CORRIDOR_LANG", "uk")
    plain = _refusal(client, shared_world, 404, {})
    asked = _refusal(client, shared_world, 404, {"Accept-Language": "ru"})
    assert plain.json()["detail"] == EXPECTED["uk"][404]
    assert plain.headers["Content-Language"] == "uk"
    assert asked.json()["detail"] == EXPECTED["ru"][404]


@pytest.mark.parametrize(("token", "english", "russian"), [
    (None, "missing bearer token", "отсутствует токен доступа"),
    ("not-a-token", "unknown bearer token", "неизвестный токен доступа"),
])
def test_refusals_before_the_caller_is_known_follow_accept_language(
    client: TestClient, token: str | None, english: str, russian: str,
) -> None:
    auth = {} if token is None else {"Authorization": f"Bearer {token}"}
    for language, expected in (("en", english), ("ru", russian)):
        response = client.get("/api/parties", headers={**auth, "Accept-Language": language})
        assert response.status_code == 401
        assert response.json()["detail"] == expected
        assert response.headers["Content-Language"] == language


def test_the_routers_own_refusals_are_translated(client: TestClient,
                                                 shared_world: SeededStore) -> None:
    headers = {**shared_world.headers("observer"), "Accept-Language": "uk"}
    assert client.get("/api/nothing-here", headers=headers).json()["detail"] == "Не знайдено"
    wrong_method = client.delete("/api/parties", headers=headers)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"] == "метод не дозволено"


def test_oversized_body_is_refused_in_the_requested_language(shared_world: SeededStore) -> None:
    app = create_app(shared_world.db, Settings(max_body_bytes=64))
    with TestClient(app) as small:
        response = small.post("/api/parties", content=b"{" + b" " * 100 + b"}",
                              headers={**shared_world.headers("facilitator"),
                                       "Accept-Language": "ru",
                                       "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == "тело запроса превышает 64 байт"
    assert response.headers["Content-Language"] == "ru"


def test_an_internal_error_is_answered_in_the_requested_language(tmp_path: Path) -> None:
    """Errors escape the middlewares; the last-resort answer negotiates the language itself."""
    db = Database.open(f"sqlite:///{tmp_path / 'broken.db'}")
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE users"))  # a store damaged behind the service
    try:
        with TestClient(create_app(db), raise_server_exceptions=False) as broken:
            response = broken.get("/api/parties", headers={"Authorization": "Bearer x",
                                                           "Accept-Language": "uk"})
    finally:
        db.dispose()
    assert response.status_code == 500
    assert response.json()["detail"] == "внутрішня помилка; запит не виконано"
    assert response.headers["Content-Language"] == "uk"
    assert "Content-Security-Policy" in response.headers


# -- the user's own setting --------------------------------------------------------------------

def _me(client: TestClient, world: SeededStore, caller: str,
        language: object, accept: str = "en") -> httpx.Response:
    return client.patch("/api/me", json={"language": language},
                        headers={**world.headers(caller), "Accept-Language": accept})


def _audit_size(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_the_users_setting_beats_the_header_until_cleared(client: TestClient,
                                                          shared_world: SeededStore) -> None:
    before = _audit_size(shared_world.db)
    changed = _me(client, shared_world, "operator", "uk", accept="ru")
    assert changed.status_code == 200 and changed.json()["language"] == "uk"
    # The answer to the change is already in the new language.
    assert changed.headers["Content-Language"] == "uk"
    assert changed.json()["may"][0]["description"] == "Читати все, що зберігає сервіс"
    assert _audit_size(shared_world.db) == before + 1
    try:
        for status in (404, 422, 403):
            response = _refusal(client, shared_world, status, {"Accept-Language": "ru"})
            assert response.json()["detail"] == EXPECTED["uk"][status]
            assert response.headers["Content-Language"] == "uk"
            assert "Accept-Language" not in response.headers.get("Vary", "")
        me = client.get("/api/me", headers={**shared_world.headers("operator"),
                                             "Accept-Language": "ru"}).json()
        assert me["language"] == "uk"
    finally:
        cleared = _me(client, shared_world, "operator", None, accept="ru")
    assert cleared.json()["language"] is None
    assert cleared.headers["Content-Language"] == "ru"
    response = _refusal(client, shared_world, 404, {"Accept-Language": "ru"})
    assert response.json()["detail"] == EXPECTED["ru"][404]


@pytest.mark.parametrize(("bad", "ending"), [
    *((code, ": ожидался один из en, uk, ru") for code in ("de", "UK", "uk-UA", "")),
    (5, ": значение должно быть текстом"), (["uk"], ": значение должно быть текстом"),
])
def test_a_bad_language_is_a_422_naming_the_field_and_stores_nothing(
    client: TestClient, shared_world: SeededStore, bad: object, ending: str,
) -> None:
    before = _audit_size(shared_world.db)
    response = _me(client, shared_world, "observer", bad, accept="ru")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "language"
    assert body["detail"].startswith("language: ")
    assert body["detail"].endswith(ending), body["detail"]
    assert _audit_size(shared_world.db) == before
    me = client.get("/api/me", headers=shared_world.headers("observer")).json()
    assert me["language"] is None


def test_the_setting_needs_a_token_and_the_body_names_the_language(
    client: TestClient, shared_world: SeededStore,
) -> None:
    anonymous = client.patch("/api/me", json={"language": "uk"})
    assert anonymous.status_code == 401
    for body in ({}, {"language": "uk", "role": "facilitator"}):
        refused = client.patch("/api/me", json=body, headers=shared_world.headers("observer"))
        assert refused.status_code == 422, refused.text


def test_the_setting_is_stored_and_audited_on_each_backend(world: SeededStore) -> None:
    with TestClient(create_app(world.db)) as on_backend:
        assert _me(on_backend, world, "liaison_UA", "ru").status_code == 200
        answers = {caller: on_backend.get(f"/api/corridors/{NO_CORRIDOR}", headers={
            **world.headers(caller), "Accept-Language": "uk"}).json()["detail"]
            for caller in ("liaison_UA", "observer")}
    with world.db.read() as s:
        stored = s.scalars(select(User).where(User.name == "liaison_UA")).one()
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        report = verify_state(s)
    assert stored.language == "ru"
    assert actions[-1] == "user.language_set" and report.ok
    # The liaison's setting is theirs: another caller still gets what they ask for.
    assert answers == {"liaison_UA": EXPECTED["ru"][404], "observer": EXPECTED["uk"][404]}


# -- requests in flight together ---------------------------------------------------------------

def _user_with_language(db_url: str, name: str, language: str) -> str:
    command_line = [sys.executable, "-c", CLI_SCRIPT, "admin", "user", "add", name,
                    "--role", "observer", "--language", language, "--db", db_url, "--json"]
    done = subprocess.run(command_line, check=True, capture_output=True, text=True)
    answer: dict[str, Any] = json.loads(done.stdout)
    assert answer["language"] == language
    return str(answer["token"])


def test_concurrent_requests_keep_their_own_language(
    tmp_path: Path, serve: Callable[[str], ServiceProcess],
) -> None:
    """Against the real server: requests in three languages, interleaved on its worker threads,
    each get their own, a user's setting included."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    plain = cli_token(url, "plain", "observer")
    olena = _user_with_language(url, "olena", "uk")
    server = serve(url)
    # (token, Accept-Language, the language the answer must be in)
    kinds = [(plain, "ru", "ru"), (plain, "uk", "uk"), (plain, "en", "en"),
             (olena, "ru", "uk")]
    jobs = [kinds[i % len(kinds)] for i in range(160)]

    def _ask(job: tuple[str, str, str]) -> tuple[str, str, str]:
        token, accept, wanted = job
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            response = http.get(f"/api/corridors/{NO_CORRIDOR}",
                                headers={"Authorization": f"Bearer {token}",
                                         "Accept-Language": accept})
        return (wanted, response.headers["Content-Language"], response.json()["detail"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(_ask, jobs))
    wrong = [a for a in answers if a[1] != a[0] or a[2] != EXPECTED[a[0]][404]]
    assert not wrong, wrong[:5]


def test_an_event_stream_ends_in_its_requests_language(
    tmp_path: Path, serve: Callable[[str], ServiceProcess],
) -> None:
    """The hub ends the stream from its own task; the reason still reaches the user in theirs."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    token = _user_with_language(url, "olena", "ru")
    server = serve(url)
    received, revoked = "", False
    with httpx.Client(base_url=server.base_url, timeout=30) as http, http.stream(
            "GET", "/api/events", headers={"Authorization": f"Bearer {token}",
                                           "Accept-Language": "uk"}) as stream:
        assert stream.headers["Content-Language"] == "ru"
        for chunk in stream.iter_text():
            received += chunk
            if received.startswith("retry:") and not revoked:
                # Revoking writes to the log, so the hub looks at every token again.
                subprocess.run([sys.executable, "-c", CLI_SCRIPT, "admin", "user", "revoke",
                                "olena", "--db", url], check=True, capture_output=True)
                revoked = True
            if "event: token_invalid" in received:
                break
    assert 'data: {"detail": "токен доступа больше не действителен"}' in received, received


# -- the migration -----------------------------------------------------------------------------

def _alembic(db_url: str, step: Callable[[Config, str], None], revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(db_url)
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        step(config, revision)
        connection.commit()
    engine.dispose()


def _user_columns(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    columns = {c["name"] for c in inspect(engine).get_columns("users")}
    engine.dispose()
    return columns


def test_the_language_migration_upgrades_and_downgrades(db_url: str) -> None:
    assert "language" in _user_columns(db_url)
    _alembic(db_url, command.downgrade, "0005")
    assert "language" not in _user_columns(db_url)
    assert {"token_hash", "last_used_at"} <= _user_columns(db_url)
    _alembic(db_url, command.upgrade, "0006")
    assert "language" in _user_columns(db_url)


# -- pydantic's messages -----------------------------------------------------------------------

class _Sample(BaseModel):
    name: str = Field(min_length=3)
    count: int = Field(ge=1)
    tags: list[str] = Field(min_length=2)


def _errors(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        _Sample.model_validate(data)
    return {str(e["loc"][0]): e for e in caught.value.errors()}


@pytest.mark.parametrize(("minimum", "ukrainian"), [
    (1, "рядок має містити щонайменше 1 символ"),
    (3, "рядок має містити щонайменше 3 символи"),
    (5, "рядок має містити щонайменше 5 символів"),
])
def test_counts_in_validation_messages_take_the_languages_plural(minimum: int,
                                                                 ukrainian: str) -> None:
    class _Short(BaseModel):
        name: str = Field(min_length=minimum)

    with pytest.raises(ValidationError) as caught:
        _Short.model_validate({"name": ""})
    error = caught.value.errors()[0]
    with use_language("uk"):
        assert describe(error) == ukrainian
    with use_language("en"):
        assert describe(error) == error["msg"]


def test_validation_messages_fill_in_their_context_and_keep_unknown_types_english() -> None:
    errors = _errors({"name": "ab", "count": 0, "tags": ["x"]})
    with use_language("ru"):
        assert describe(errors["count"]) == "значение должно быть не меньше 1"
        assert describe(errors["tags"]) == (
            "список должен содержать не менее 2 элементов, а не 1")
        unknown = {**errors["count"], "type": "no_such_type", "msg": "pydantic's words"}
        assert describe(unknown) == "pydantic's words"
