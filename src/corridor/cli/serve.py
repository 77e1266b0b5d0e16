"""``corridor serve``, ``corridor admin ...``, ``corridor audit verify``: the coordination service.

``--db`` takes a SQLAlchemy URL (``sqlite:///FILE``, ``postgresql+psycopg://USER@HOST/DB``) or a
plain file path, meaning an SQLite file. Commands that write migrate the store first, so a fresh
file or an empty PostgreSQL database is ready to use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from corridor.cli import tokens
from corridor.cli._output import report as _report
from corridor.cli.tokens import TOKEN_DAYS, ExpiresOpt, token_lifetime
from corridor.errors import StoreError
from corridor.negotiation.search import negotiate
from corridor.scenario import load_scenario
from corridor.store import coordination
from corridor.store.audit import Anchor, verify_chain
from corridor.store.db import Database
from corridor.store.schemas import PartyIn, Role
from corridor.store.seed import SIGNERS, key_file, proposals_from_negotiation, seed_2022
from corridor.store.signing import KeyPair, fingerprint
from corridor.world import build_world

DbOpt = Annotated[str, typer.Option("--db", help="Database URL, or path of an SQLite file.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
ADMIN_ACTOR = "admin"
DEFAULT_SCENARIO = Path("scenarios/ukraine-2022-03-07.yaml")

admin_app = typer.Typer(help="Administer the coordination store: parties, users, keys, demo.",
                        no_args_is_help=True)
party_app = typer.Typer(help="Parties to the talks.", no_args_is_help=True)
user_app = typer.Typer(help="Users of the API and their bearer tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the hash-chained audit log.", no_args_is_help=True)
admin_app.add_typer(party_app, name="party")
admin_app.add_typer(user_app, name="user")


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``admin`` and ``audit`` to the ``corridor`` command line."""
    app.command("serve")(serve)
    app.add_typer(admin_app, name="admin")
    app.add_typer(audit_app, name="audit")


def serve(
    db: DbOpt = "corridor.db",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    lead_time: Annotated[float, typer.Option(
        "--lead-time-hours", help="Minimum notice for a movement.")] = 48.0,
    emergency_lead_time: Annotated[float, typer.Option(
        "--emergency-lead-time-hours", help="Minimum notice for an emergency movement.")] = 24.0,
    scenario: Annotated[Path | None, typer.Option(
        help="Scenario whose borders, control, hazards and roads the dashboard map draws.")]
    = None,
) -> None:
    """Migrate the store, then serve the API until interrupted."""
    import uvicorn

    from corridor.api.app import Settings, create_app

    database = Database.open(db)
    settings = Settings(lead_times=coordination.LeadTimes(
        normal=dt.timedelta(hours=lead_time), emergency=dt.timedelta(hours=emergency_lead_time)),
        scenario=scenario)
    try:
        # Open event streams never end by themselves; do not wait on them forever at shutdown.
        uvicorn.run(create_app(database, settings), host=host, port=port,
                    timeout_graceful_shutdown=3, log_level="info")
    except SystemExit as exc:
        # uvicorn has logged why it could not start (e.g. the port is taken) and exits 3.
        raise typer.Exit(1 if exc.code else 0) from exc
    finally:
        database.dispose()


@party_app.command("add")
def party_add(
    party_id: Annotated[str, typer.Argument(help="Short code, e.g. UA.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    kind: Annotated[str, typer.Option(help="belligerent, facilitator or observer.")]
    = "belligerent",
    public_key: Annotated[str | None, typer.Option(
        help="Ed25519 public key (64 hex), as printed by `admin keygen`.")] = None,
    db: DbOpt = "corridor.db",
    json: JsonOpt = False,
) -> None:
    """Register a party."""
    body = _validated(PartyIn, {"id": party_id, "name": name, "kind": kind,
                                "public_key": public_key})
    database = Database.open(db)
    with database.write() as session:
        party = coordination.create_party(session, ADMIN_ACTOR, body)
        data = {"id": party.id, "name": party.name, "kind": party.kind,
                "fingerprint": fingerprint(party.public_key) if party.public_key else None}
    database.dispose()
    _report(data, json, f"party {data['id']} added")


def _validated(kind: Any, data: object, field: str = "") -> Any:
    """Command-line input gets the same checks as API input, reported as one line."""
    try:
        return TypeAdapter(kind).validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, (field, *first["loc"]) if field else first["loc"]))
        raise StoreError(str(first["msg"]), field=where) from exc


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Unique user name.")],
    role: Annotated[str, typer.Option(help="facilitator, liaison, operator or observer.")],
    party: Annotated[str | None, typer.Option(help="The party a liaison acts for.")] = None,
    expires_days: ExpiresOpt = TOKEN_DAYS,
    db: DbOpt = "corridor.db",
    json: JsonOpt = False,
) -> None:
    """Create a user and print its bearer token: it is shown this once and stored hashed."""
    checked: Role = _validated(Role, role, "role")
    database = Database.open(db)
    with database.write() as session:
        user, token = coordination.create_user(session, ADMIN_ACTOR, name, checked, party,
                                               lifetime=token_lifetime(expires_days))
        data = {"id": user.id, "name": user.name, "role": user.role, "party": user.party_id,
                "token": token}
    database.dispose()
    _report(data, json, f"user {name} ({role}) added; bearer token (shown once):\n{token}")


tokens.register(user_app)


@admin_app.command("seed-2022")
def seed(
    db: DbOpt = "corridor.db",
    scenario: Annotated[Path, typer.Option(help="the 7 March 2022 scenario, whose proposals "
                                                "are routed and judged")] = DEFAULT_SCENARIO,
    keys: Annotated[Path | None, typer.Option(
        "--keys", help="Directory to save the signing parties' private keys in (UA.key, "
                       "RU.key), for `admin sign`; without it they are dropped after signing.")]
    = None,
    json: JsonOpt = False,
) -> None:
    """Load the demo: the 2022 talks, the corridors proposed on 7 March, the one that opened."""
    sc = load_scenario(scenario)
    proposals = proposals_from_negotiation(negotiate(build_world(sc)), sc)
    database = Database.open(db)
    with database.write() as session:
        summary = seed_2022(session, proposals, keys)
    database.dispose()
    counts = dataclasses.asdict(summary)
    key_files = {} if keys is None else {party: str(key_file(keys, party)) for party in SIGNERS}
    text = ", ".join(f"{v} {k}" for k, v in counts.items()) + " loaded"
    text += "".join(f"\nparty {party}'s key: {path}" for party, path in key_files.items())
    _report({**counts, "keys": key_files}, json, text)


@admin_app.command("keygen")
def keygen(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the private key.")],
    json: JsonOpt = False,
) -> None:
    """Create a party's Ed25519 key pair; register the printed public key with the party."""
    if out_file.exists():
        raise StoreError("refusing to overwrite an existing key", source=out_file)
    pair = KeyPair.generate()
    pair.save(out_file)
    data = {"private_key_file": str(out_file), "public_key": pair.public_key_hex,
            "fingerprint": fingerprint(pair.public_key_hex)}
    _report(data, json, f"public key {data['public_key']}\nfingerprint {data['fingerprint']}")


@admin_app.command("sign")
def sign(
    key: Annotated[Path, typer.Option(help="Private key file from `admin keygen`.")],
    agreement: Annotated[Path, typer.Option(
        help="Agreement JSON, as returned by GET /api/agreements/{id}.")],
    party: Annotated[str, typer.Option(help="The party signing, one of the agreement's.")],
    json: JsonOpt = False,
) -> None:
    """Sign an agreement offline as a party; submit the signature to
    /api/agreements/{id}/signatures. The party is part of what is signed."""
    try:
        loaded = jsonlib.loads(agreement.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read the agreement: {exc}", source=agreement) from exc
    document = loaded.get("document", loaded) if isinstance(loaded, dict) else None
    if not isinstance(document, dict) or "agreement_id" not in document:
        raise StoreError("not an agreement: no document with an agreement_id", source=agreement)
    if party not in document.get("parties", []):
        raise StoreError(f"party {party!r} is not a party to this agreement", source=agreement)
    pair = KeyPair.load(key)
    data = {"agreement_id": document["agreement_id"], "signature": pair.sign(document, party),
            "fingerprint": fingerprint(pair.public_key_hex)}
    _report(data, json, data["signature"])


@audit_app.command("verify")
def audit_verify(
    db: DbOpt = "corridor.db",
    anchor: Annotated[list[str] | None, typer.Option(
        help="SEQ:HASH of an entry kept outside the store (an agreement's audit_head, or the "
             "head printed by an earlier run); repeatable. Finds a cut-off or rewritten log.")]
    = None,
    json: JsonOpt = False,
) -> None:
    """Recompute the audit chain: exit 0 if intact, 1 at the first broken link. The head it
    prints is worth keeping elsewhere, to check a later run against with --anchor."""
    anchors = [Anchor.parse(text) for text in anchor or ()]
    database = Database.open(db, migrate=False)
    report = verify_chain(database, anchors)
    database.dispose()
    data = {"ok": report.ok, "entries": report.entries, "broken_seq": report.broken_seq,
            "reason": report.reason, "head": None if report.head is None else str(report.head)}
    _report(data, json, report.describe())
    if not report.ok:
        raise typer.Exit(1)
