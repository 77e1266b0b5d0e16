"""The administration commands: parties, users, keys, offline signing and the demo seed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from corridor.cli import admin
from corridor.errors import StoreError
from corridor.store import coordination
from corridor.store.db import Database
from corridor.store.models import Party, User
from corridor.store.schemas import AgreementIn, SignatureIn
from corridor.store.signing import KeyPair
from tests.conftest import SCENARIO_DIR


def _app() -> typer.Typer:
    app = typer.Typer()
    admin.register(app)
    return app


def _cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(_app(), list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_keys_made_and_used_offline_are_accepted_by_the_store(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    for party, name in (("UA", "Ukraine"), ("RU", "Russia")):
        key = _cli("admin", "keygen", "--out", str(tmp_path / f"{party}.pem"), "--json")
        added = _cli("admin", "party", "add", party, "--name", name, "--public-key",
                     key["public_key"], "--db", db, "--json")
        assert added["fingerprint"] == key["fingerprint"]
    database = Database.open(db)
    with database.write() as s:
        agreement = coordination.create_agreement(s, "t", AgreementIn.model_validate({
            "corridor": {"origin": "Sumy", "destination": "Poltava",
                         "waypoints": ["Sumy", "Poltava"]},
            "windows": [{"start": "2022-03-08T10:00:00+03:00", "tz": "Europe/Moscow"}],
            "parties": ["UA", "RU"]}))
        document = agreement.document
    exported = tmp_path / "agreement.json"
    exported.write_text(json.dumps({"id": agreement.id, "document": document}))
    with database.write() as s:
        for party in ("UA", "RU"):
            signed = _cli("admin", "sign", "--key", str(tmp_path / f"{party}.pem"),
                          "--agreement", str(exported), "--party", party, "--json")
            coordination.add_signature(s, "t", agreement.id, SignatureIn(
                party_id=party, signature=signed["signature"]))
    with database.read() as s:
        assert coordination.verify(s, agreement.id).valid
    database.dispose()


def test_user_token_is_printed_once_and_works(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    _cli("admin", "party", "add", "UA", "--name", "Ukraine", "--db", db, "--json")
    user = _cli("admin", "user", "add", "olena", "--role", "liaison", "--party", "UA",
                "--db", db, "--json")
    database = Database.open(db, migrate=False)
    with database.read() as s:
        stored = s.get(User, user["id"])
    database.dispose()
    assert stored is not None and stored.token_hash == coordination.hash_token(user["token"])


@pytest.mark.parametrize(("args", "message"), [
    (["admin", "user", "add", "x", "--role", "general"], "Input should be 'facilitator'"),
    (["admin", "user", "add", "x", "--role", "liaison"], "liaison must be bound"),
    (["admin", "party", "add", "ua", "--name", "lower case"], "String should match pattern"),
])
def test_bad_admin_input_is_a_located_error(tmp_path: Path, args: list[str],
                                            message: str) -> None:
    result = CliRunner().invoke(_app(), [*args, "--db", str(tmp_path / "s.db")])
    assert isinstance(result.exception, StoreError) and message in str(result.exception)


def _seed(tmp_path: Path, db: str, *extra: str) -> dict[str, Any]:
    return _cli("admin", "seed-2022", "--db", str(tmp_path / db), "--scenario",
                str(SCENARIO_DIR / "ukraine-2022-03-07.yaml"), "--json", *extra)


def test_seed_command_loads_the_demo(tmp_path: Path) -> None:
    summary = _seed(tmp_path, "demo.db")
    assert summary == {"parties": 3, "rounds": 3, "proposals": 6, "positions": 6,
                       "agreements": 1, "corridors": 1, "keys": {}}


def test_seed_command_keeps_the_party_keys_and_never_overwrites_them(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    summary = _seed(tmp_path, "demo.db", "--keys", str(keys))
    assert sorted(summary["keys"]) == ["RU", "UA"]
    database = Database.open(f"sqlite:///{tmp_path / 'demo.db'}", migrate=False)
    try:
        with database.read() as session:
            registered = {p.id: p.public_key for p in session.scalars(select(Party))}
    finally:
        database.dispose()
    for party, path in summary["keys"].items():
        assert KeyPair.load(Path(path)).public_key_hex == registered[party]
    before = (keys / "UA.key").read_bytes()
    scenario = str(SCENARIO_DIR / "ukraine-2022-03-07.yaml")
    again = CliRunner().invoke(_app(), ["admin", "seed-2022", "--db", str(tmp_path / "other.db"),
                                        "--scenario", scenario, "--keys", str(keys)])
    assert isinstance(again.exception, StoreError) and "UA.key" in str(again.exception)
    assert (keys / "UA.key").read_bytes() == before
