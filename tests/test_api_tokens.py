"""Tokens expire, can be revoked and rotated, record their last use, and stop working at once,
open event streams included."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from corridor.api.app import create_app
from corridor.store.models import AuditEntry, User, utcnow
from tests.dbfixtures import CLI_SCRIPT

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore, ServiceProcess


@pytest.fixture
def client(world: SeededStore) -> Iterator[TestClient]:
    with TestClient(create_app(world.db)) as test_client:
        yield test_client


def _user(world: SeededStore, name: str) -> User:
    with world.db.read() as s:
        return s.scalars(select(User).where(User.name == name)).one()


def _me(client: TestClient, token: str) -> httpx.Response:
    return client.get("/api/me", headers={"Authorization": f"Bearer {token}"})


def test_new_tokens_expire_and_an_expired_one_is_401(client: TestClient,
                                                     world: SeededStore) -> None:
    expires = _user(world, "operator").token_expires_at
    assert expires is not None
    assert dt.timedelta(days=89) < expires - utcnow() <= dt.timedelta(days=90)
    with world.db.write() as s:
        s.execute(update(User).where(User.name == "operator")
                  .values(token_expires_at=utcnow() - dt.timedelta(seconds=1)))
    response = _me(client, world.tokens["operator"])
    assert response.status_code == 401
    assert response.json()["detail"] == "bearer token expired; ask for a new one"


def test_last_use_is_recorded(client: TestClient, world: SeededStore) -> None:
    assert _user(world, "observer").last_used_at is None
    before = utcnow()
    assert _me(client, world.tokens["observer"]).status_code == 200
    used = _user(world, "observer").last_used_at
    assert used is not None and before <= used <= utcnow()
    listed = client.get("/api/users", headers=world.headers("facilitator")).json()["items"]
    shown = {u["name"]: u["last_used_at"] for u in listed}["observer"]
    assert dt.datetime.fromisoformat(shown) == used


def test_a_facilitator_revokes_and_the_token_fails_at_once(client: TestClient,
                                                           world: SeededStore) -> None:
    target = _user(world, "liaison_UA").id
    assert client.post(f"/api/users/{target}/revoke",
                       headers=world.headers("operator")).status_code == 403
    assert _me(client, world.tokens["liaison_UA"]).status_code == 200
    revoked = client.post(f"/api/users/{target}/revoke", headers=world.headers("facilitator"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    response = _me(client, world.tokens["liaison_UA"])
    assert response.status_code == 401 and response.json()["detail"] == "bearer token revoked"
    again = client.post(f"/api/users/{target}/revoke", headers=world.headers("facilitator"))
    assert again.status_code == 409
    reissued = client.post(f"/api/users/{target}/token", headers=world.headers("facilitator"))
    assert _me(client, reissued.json()["token"]).json()["name"] == "liaison_UA"


def test_a_user_rotates_their_own_token(client: TestClient, world: SeededStore) -> None:
    old = world.tokens["operator"]
    rotated = client.post("/api/me/token", headers={"Authorization": f"Bearer {old}"})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert _me(client, old).status_code == 401
    assert _me(client, new).json()["name"] == "operator"
    with world.db.read() as s:
        assert all(new not in json.dumps(row.payload) for row in s.scalars(
            select(AuditEntry)))


def _cli(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CLI_SCRIPT, *args, "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def test_admin_revokes_and_rotates_from_the_command_line(
    db_url: str, serve: Callable[[str], ServiceProcess], user_token: Callable[..., str]
) -> None:
    token = user_token(db_url, "olena", "observer")
    server = serve(db_url)
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        with http.stream("GET", "/api/events", headers=auth) as stream:
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            _cli("admin", "user", "revoke", "olena", "--db", db_url)
            # The open stream notices before it sends anything more, and ends.
            rest = list(lines)
        assert "event: token_invalid" in rest
        assert http.get("/api/me", headers=auth).status_code == 401
        rotated = _cli("admin", "user", "rotate", "olena", "--expires-days", "0", "--db",
                       db_url)
        assert rotated["expires_at"] is None
        fresh = {"Authorization": f"Bearer {rotated['token']}"}
        assert http.get("/api/me", headers=fresh).json()["name"] == "olena"
    assert server.stop() == 0
