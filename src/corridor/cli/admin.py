"""``corridor admin ...``: parties, users, signing keys, scenarios and the demo store.

Commands that write migrate the store first, so a fresh file or an empty PostgreSQL database is
ready to use. What they print with ``--json`` is documented in the README.
"""

from __future__ import annotations

import dataclasses
import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from corridor.cli import tokens
from corridor.cli._options import DbOpt, JsonOpt, ScenarioArg, with_language
from corridor.cli._output import report
from corridor.cli.tokens import ADMIN_ACTOR, TOKEN_DAYS, ExpiresOpt, token_lifetime
from corridor.errors import ScenarioError, StoreError
from corridor.i18n import LanguageCode, _
from corridor.scenario import load_scenario
from corridor.settings import DEFAULTS
from corridor.store import coordination
from corridor.store.db import Database
from corridor.store.engine import tabled_from_scenario
from corridor.store.importing import import_scenario, prepare
from corridor.store.schemas import PartyIn, Role
from corridor.store.seed import SIGNERS, key_file, seed_2022
from corridor.store.signing import KeyPair, fingerprint
from corridor.world import build_world

DEFAULT_SCENARIO = Path("scenarios/ukraine-2022-03-07.yaml")


def register(app: typer.Typer) -> None:
    """Add ``admin`` and its subcommands to the ``corridor`` command line."""
    party = typer.Typer(help="Parties to the talks.", no_args_is_help=True)
    party.command("add")(with_language(party_add))
    user = typer.Typer(help="Users of the API and their bearer tokens.", no_args_is_help=True)
    user.command("add")(with_language(user_add))
    tokens.register(user)
    admin = typer.Typer(help="Administer the coordination store: parties, users, keys, demo.",
                        no_args_is_help=True)
    admin.add_typer(party, name="party")
    admin.add_typer(user, name="user")
    admin.command("seed-2022")(with_language(seed))
    admin.command("import")(with_language(import_cmd))
    admin.command("keygen")(with_language(keygen))
    admin.command("sign")(with_language(sign))
    app.add_typer(admin, name="admin")


def party_add(
    party_id: Annotated[str, typer.Argument(help="Short code, e.g. UA.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    kind: Annotated[str, typer.Option(help="belligerent, facilitator or observer.")]
    = "belligerent",
    public_key: Annotated[str | None, typer.Option(
        help="Ed25519 public key (64 hex), as printed by `admin keygen`.")] = None,
    db: DbOpt = DEFAULTS.db,
    json: JsonOpt = False,
) -> None:
    """Register a party."""
    body = _validated(PartyIn, {"id": party_id, "name": name, "kind": kind,
                                "public_key": public_key})
    with Database.open(db) as database, database.write() as session:
        party = coordination.create_party(session, ADMIN_ACTOR, body)
        data = {"id": party.id, "name": party.name, "kind": party.kind,
                "fingerprint": fingerprint(party.public_key) if party.public_key else None}
    report(data, json, _("party {party} added").format(party=data["id"]))


def _validated(kind: Any, data: object, field: str = "") -> Any:
    """Command-line input gets the same checks as API input, reported as one line."""
    try:
        return TypeAdapter(kind).validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, (field, *first["loc"]) if field else first["loc"]))
        raise StoreError(str(first["msg"]), field=where) from exc


def user_add(
    name: Annotated[str, typer.Argument(help="Unique user name.")],
    role: Annotated[str, typer.Option(help="facilitator, liaison, operator or observer.")],
    party: Annotated[str | None, typer.Option(help="The party a liaison acts for.")] = None,
    language: Annotated[str | None, typer.Option(
        help="en, uk or ru: the language the service answers this user in (without it, each "
             "request's Accept-Language decides).")] = None,
    expires_days: ExpiresOpt = TOKEN_DAYS,
    db: DbOpt = DEFAULTS.db,
    json: JsonOpt = False,
) -> None:
    """Create a user and print its bearer token: it is shown this once and stored hashed."""
    checked: Role = _validated(Role, role, "role")
    speaks: str | None = _validated(LanguageCode | None, language, "language")
    lifetime = token_lifetime(expires_days)
    with Database.open(db) as database, database.write() as session:
        user, token = coordination.create_user(session, ADMIN_ACTOR, name, checked, party,
                                               lifetime=lifetime, language=speaks)
        data = {"id": user.id, "name": user.name, "role": user.role, "party": user.party_id,
                "language": user.language, "token": token}
    report(data, json, _("user {name} ({role}) added; bearer token (shown once):\n{token}").format(
        name=name, role=role, token=token))


def seed(
    db: DbOpt = DEFAULTS.db,
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
    # Open the store first: an unreachable one should fail before minutes of routing.
    with Database.open(db) as database:
        proposals = tabled_from_scenario(build_world(sc))
        with database.write() as session:
            summary = seed_2022(session, proposals, keys)
    counts = dataclasses.asdict(summary)
    key_files = {} if keys is None else {party: str(key_file(keys, party)) for party in SIGNERS}
    text = _("{counts} loaded").format(counts=", ".join(f"{v} {k}" for k, v in counts.items()))
    text += "".join("\n" + _("party {party}'s key: {path}").format(party=party, path=path)
                    for party, path in key_files.items())
    report({**counts, "keys": key_files}, json, text)


def import_cmd(
    scenario: ScenarioArg,
    db: DbOpt = DEFAULTS.db,
    json: JsonOpt = False,
) -> None:
    """Load a scenario's parties, places, windows and proposals into the store.

    Proposals are routed and judged first. Idempotent: a second run changes nothing and says
    so; all or nothing.
    """
    sc = load_scenario(scenario)
    # Open the store first: an unreachable one should fail before the routing.
    with Database.open(db) as database:
        try:
            prepared = prepare(build_world(sc))
            with database.write() as session:
                result = import_scenario(session, prepared)
        except ScenarioError as exc:
            # Name the scenario file where the error names only its directory, or nothing.
            if exc.source not in (None, str(sc.base_dir)):
                raise
            raise ScenarioError(exc.message, source=scenario, field=exc.field) from exc
    report(result.to_dict(), json, result.describe())


def keygen(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the private key.")],
    json: JsonOpt = False,
) -> None:
    """Create a party's Ed25519 key pair; register the printed public key with the party."""
    pair = KeyPair.generate()
    try:
        pair.save(out_file)
    except FileExistsError as exc:
        raise StoreError(_("refusing to overwrite an existing key"), source=out_file) from exc
    data = {"private_key_file": str(out_file), "public_key": pair.public_key_hex,
            "fingerprint": fingerprint(pair.public_key_hex)}
    report(data, json, _("public key {key}\nfingerprint {fingerprint}").format(
        key=data["public_key"], fingerprint=data["fingerprint"]))


def sign(
    key: Annotated[Path, typer.Option(help="Private key file from `admin keygen`.")],
    agreement: Annotated[Path, typer.Option(
        help="Agreement JSON, as returned by GET /api/agreements/{id}.")],
    party: Annotated[str, typer.Option(help="The party signing, one of the agreement's.")],
    json: JsonOpt = False,
) -> None:
    """Sign an agreement offline as a party.

    Submit the signature to /api/agreements/{id}/signatures. The party is part of what is
    signed.
    """
    try:
        loaded = jsonlib.loads(agreement.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(_("cannot read the agreement: {error}").format(error=exc),
                         source=agreement) from exc
    document = loaded.get("document", loaded) if isinstance(loaded, dict) else None
    if not isinstance(document, dict) or "agreement_id" not in document:
        raise StoreError(_("not an agreement: no document with an agreement_id"),
                         source=agreement)
    if party not in document.get("parties", []):
        raise StoreError(_("party {party!r} is not a party to this agreement").format(
            party=party), source=agreement)
    pair = KeyPair.load(key)
    data = {"agreement_id": document["agreement_id"], "signature": pair.sign(document, party),
            "fingerprint": fingerprint(pair.public_key_hex)}
    report(data, json, data["signature"])
