"""The audit chain on both backends: intact after changes, and tampering is found and located."""

from __future__ import annotations

import json
import sys
from itertools import pairwise
from typing import TYPE_CHECKING

import pytest
import typer
from sqlalchemy import func, select, text
from typer.testing import CliRunner

import corridor.cli
from corridor.cli import audit as audit_cli
from corridor.errors import ConflictError, StoreError
from corridor.store import coordination, queries
from corridor.store.audit import GENESIS_HASH, Anchor, compute_entry_hash, head, verify_chain
from corridor.store.db import Database
from corridor.store.models import Agreement, AuditEntry
from corridor.store.schemas import StatusChangeIn

if TYPE_CHECKING:
    from tests.dbfixtures import SeededStore


def _entries(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _tamper(db: Database, sql: str, **params: object) -> None:
    with db.write() as s:
        s.execute(text(sql), params)


def test_every_change_is_logged_and_the_chain_verifies(world: SeededStore) -> None:
    world.notification()
    with world.db.read() as s:
        report = verify_chain(s)
        first = s.get(AuditEntry, 1)
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert report.ok and report.entries == len(actions) == _entries(world.db)
    assert first is not None and first.prev_hash == GENESIS_HASH
    assert actions[:3] == ["party.created"] * 3
    assert actions[-1] == "notification.created"
    assert actions.count("corridor.status_changed") == 2


def test_a_refused_change_leaves_no_entry(world: SeededStore) -> None:
    corridor_id = world.corridor("proposed")
    before = _entries(world.db)
    with pytest.raises(ConflictError), world.db.write() as s:
        coordination.change_status(s, "t", corridor_id, StatusChangeIn(status="open"))
    assert _entries(world.db) == before


@pytest.mark.parametrize(("sql", "broken", "reason"), [
    ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4", 4, "entry_hash"),
    ("UPDATE audit_log SET entity_id = '99' WHERE seq = 5", 5, "entry_hash"),
    ("DELETE FROM audit_log WHERE seq = 4", 5, "expected seq 4"),
    ("DELETE FROM audit_log WHERE seq = 1", 2, "expected seq 1"),
])
def test_edited_or_deleted_rows_are_located(world: SeededStore, sql: str, broken: int,
                                            reason: str) -> None:
    _tamper(world.db, sql)
    with world.db.read() as s:
        report = verify_chain(s)
    assert not report.ok and report.broken_seq == broken and reason in report.reason


def test_edited_payload_is_located(world: SeededStore) -> None:
    with world.db.write() as s:
        entry = s.get(AuditEntry, 3)
        assert entry is not None
        entry.payload = {**entry.payload, "name": "Somebody else"}
    with world.db.read() as s:
        report = verify_chain(s)
    assert report.broken_seq == 3 and "payload" in report.reason


def test_inserted_row_is_located_even_with_well_formed_hashes(world: SeededStore) -> None:
    """A forger who renumbers the tail and hashes the new row correctly still breaks a link."""
    with world.db.read() as s:
        genuine = s.get(AuditEntry, 3)
        assert genuine is not None
        forged_from = {c.key: getattr(genuine, c.key) for c in AuditEntry.__table__.columns}
    _tamper(world.db, "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3")
    _tamper(world.db, "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000")
    with world.db.write() as s:
        forged = AuditEntry(**{**forged_from, "actor": "mallory"})
        forged.entry_hash = compute_entry_hash(forged)
        s.add(forged)
    with world.db.read() as s:
        report = verify_chain(s)
    assert report.broken_seq == 4 and "does not match entry 3" in report.reason


def _cli() -> typer.Typer:
    app = typer.Typer()
    audit_cli.register(app)
    return app


def test_cli_reports_ok_then_the_first_broken_link(world: SeededStore) -> None:
    url = world.db.engine.url.render_as_string(hide_password=False)
    ok = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url, "--json"])
    assert ok.exit_code == 0 and '"ok": true' in ok.stdout
    _tamper(world.db, "UPDATE audit_log SET action = 'party.deleted' WHERE seq = 2")
    broken = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url])
    assert broken.exit_code == 1 and "broken at seq 2" in broken.stdout


def test_cli_exits_2_on_a_bad_url(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(corridor.cli, "app", _cli())
    monkeypatch.setattr(sys, "argv", ["corridor", "audit", "verify", "--db", "nosuch://x"])
    with pytest.raises(SystemExit) as exit_info:
        corridor.cli.main()
    assert exit_info.value.code == 2
    assert "unsupported database 'nosuch'" in capsys.readouterr().err


def test_chain_can_be_checked_given_the_database(world: SeededStore) -> None:
    assert verify_chain(world.db).ok
    _tamper(world.db, "DELETE FROM audit_log WHERE seq = 2")
    assert verify_chain(world.db).broken_seq == 3


def _head(world: SeededStore) -> Anchor:
    with world.db.read() as s:
        anchor = head(s)
    assert anchor is not None
    return anchor


def test_the_head_names_the_newest_entry(world: SeededStore) -> None:
    world.notification()
    with world.db.read() as s:
        newest = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    report = verify_chain(world.db)
    assert newest is not None
    assert report.head == _head(world) == Anchor(newest.seq, newest.entry_hash)
    assert Anchor.parse(str(report.head)) == report.head
    spaced = f"{newest.seq}: " + " ".join(newest.entry_hash[i:i + 16] for i in range(0, 64, 16))
    assert Anchor.parse(spaced.upper()) == report.head


def test_a_cut_off_tail_is_found_only_with_an_anchor(world: SeededStore) -> None:
    world.notification()
    anchor = _head(world)
    _tamper(world.db, "DELETE FROM audit_log WHERE seq > :keep", keep=anchor.seq - 2)
    assert verify_chain(world.db).ok  # the chain alone cannot tell
    report = verify_chain(world.db, [anchor])
    assert report.broken_seq == anchor.seq and "cut off" in report.reason
    assert report.entries == anchor.seq - 2


def test_a_log_rewritten_with_fresh_hashes_is_found_with_an_anchor(world: SeededStore) -> None:
    """Editing an entry and re-hashing everything after it passes the chain, not an anchor."""
    world.notification()
    anchor = _head(world)
    with world.db.write() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        entries[2].actor = "mallory"
        for previous, entry in pairwise(entries[1:]):
            entry.prev_hash = previous.entry_hash
            entry.entry_hash = compute_entry_hash(entry)
            s.flush()
    assert verify_chain(world.db).ok
    report = verify_chain(world.db, [anchor])
    assert report.broken_seq == anchor.seq and "anchor" in report.reason


@pytest.mark.parametrize("text", ["", "3", "0:" + "a" * 64, "3:" + "a" * 63, "x:" + "a" * 64,
                                  "3:" + "g" * 64])
def test_a_malformed_anchor_is_refused(text: str) -> None:
    with pytest.raises(StoreError, match="is not SEQ:HASH") as refused:
        Anchor.parse(text)
    assert refused.value.field == "anchor"


def test_every_agreement_anchors_the_log_as_it_stood(world: SeededStore) -> None:
    before = _head(world)
    agreement_id = world.agreement()
    with world.db.read() as s:
        document = queries.get(s, Agreement, agreement_id).document
    assert document["audit_head"] == str(before)
    world.notification()
    assert verify_chain(world.db, [Anchor.parse(document["audit_head"])]).ok


def test_cli_prints_the_head_and_checks_held_anchors(world: SeededStore) -> None:
    url = world.db.engine.url.render_as_string(hide_password=False)
    first = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url, "--json"])
    held = json.loads(first.stdout)["head"]
    assert held == str(_head(world))
    _tamper(world.db, "DELETE FROM audit_log WHERE seq = :last", last=_head(world).seq)
    cut = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url, "--anchor", held])
    assert cut.exit_code == 1 and "cut off" in cut.stdout
    bad = CliRunner().invoke(_cli(), ["audit", "verify", "--db", url, "--anchor", "newest"])
    assert isinstance(bad.exception, StoreError) and bad.exception.field == "anchor"
