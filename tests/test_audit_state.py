"""`corridor audit verify --state`: the tables are checked against the state the audit log
re-derives, so a direct edit of a corridor's status, a user's role or a deleted signature is
found even though the hash chain itself is intact."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from corridor.cli import audit as audit_cli
from corridor.store import coordination
from corridor.store.audit import verify_chain
from corridor.store.audit_state import verify_state
from corridor.store.models import User
from corridor.store.schemas import PartyKeyIn
from corridor.store.signing import KeyPair

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore


def _busy(world: SeededStore) -> int:
    """A store that went through every logged change the check replays; returns a corridor."""
    corridor = world.corridor("open")
    with world.db.write() as s:
        operator = s.query(User).filter_by(name="operator").one().id
        coordination.revoke_token(s, "t", operator)
        coordination.rotate_token(s, "t", operator)
        coordination.set_party_key(s, "t", "UA",
                                   PartyKeyIn(public_key=KeyPair.generate().public_key_hex))
    return corridor


def _tamper(world: SeededStore, sql: str) -> None:
    with world.db.write() as s:
        s.execute(text(sql))


def test_a_store_changed_only_through_the_service_agrees_with_its_log(
    world: SeededStore,
) -> None:
    _busy(world)
    with world.db.read() as s:
        report = verify_state(s)
    assert report.ok, [d.describe() for d in report.differences]
    assert report.entries > 10


@pytest.mark.parametrize(("sql", "table", "logged", "stored"), [
    ("UPDATE corridors SET status = 'closed' WHERE id = {corridor}", "corridors",
     {"status": "open"}, {"status": "closed"}),
    ("UPDATE users SET role = 'facilitator' WHERE name = 'observer'", "users",
     {"role": "observer", "party_id": None}, {"role": "facilitator", "party_id": None}),
    ("DELETE FROM signatures WHERE party_id = 'RU'", "signatures", "signed", None),
    ("UPDATE parties SET public_key = NULL WHERE id = 'RU'", "parties", "key", {
        "public_key": None}),
])
def test_each_direct_table_edit_is_found(world: SeededStore, sql: str, table: str,
                                         logged: object, stored: object) -> None:
    corridor = _busy(world)
    _tamper(world, sql.format(corridor=corridor))
    with world.db.read() as s:
        assert verify_chain(s).ok  # the log itself was not touched
        report = verify_state(s)
    [difference] = report.differences
    assert difference.table == table
    if isinstance(logged, dict):
        assert difference.logged == logged
    else:
        assert difference.logged is not None
    assert difference.stored == stored


def test_a_row_never_logged_is_found(world: SeededStore) -> None:
    _tamper(world, "INSERT INTO users (name, role, token_hash, created_at) VALUES ('mole', "
                   "'facilitator', '" + "0" * 64 + "', CURRENT_TIMESTAMP)")
    with world.db.read() as s:
        [difference] = verify_state(s).differences
    assert difference.table == "users" and difference.logged is None
    assert difference.stored == {"role": "facilitator", "party_id": None}


def _cli() -> typer.Typer:
    app = typer.Typer()
    audit_cli.register(app)
    return app


def test_the_command_exits_1_naming_each_edit(world: SeededStore) -> None:
    corridor = _busy(world)
    url = world.db.engine.url.render_as_string(hide_password=False)
    clean = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url, "--state"])
    assert clean.exit_code == 0, clean.output
    assert "every checked table agrees with the log" in clean.stdout
    _tamper(world, f"UPDATE corridors SET status = 'closed' WHERE id = {corridor}")
    _tamper(world, "DELETE FROM signatures WHERE party_id = 'UA'")
    plain = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url])
    assert plain.exit_code == 0  # the chain alone cannot see it
    found = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url, "--state", "--json"])
    assert found.exit_code == 1
    data = json.loads(found.stdout)
    assert not data["ok"]
    assert sorted((d["table"], d["key"]) for d in data["state"]) == [
        ("corridors", str(corridor)), ("signatures", f"{_agreement_of(world, corridor)}/UA")]


def _agreement_of(world: SeededStore, corridor: int) -> int:
    with world.db.read() as s:
        agreement_id: int = s.execute(text(f"SELECT agreement_id FROM corridors WHERE id = "
                                           f"{corridor}")).scalar_one()
    return agreement_id
