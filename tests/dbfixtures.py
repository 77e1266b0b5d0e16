"""Store fixtures: every store test runs on an SQLite file and on a throwaway PostgreSQL cluster.

The cluster is started once per test session with the Debian server binaries (``apt-get install
postgresql``), listening on a free loopback port with trust authentication, and removed at the
end. Each test gets its own database cloned from a migrated template, so tests stay independent
without paying for a migration each. Without the binaries the PostgreSQL variants are skipped,
unless ``CORRIDOR_REQUIRE_POSTGRES=1`` (as in CI) makes that a failure.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import pwd
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, cast
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import create_engine, text

from corridor.store import coordination
from corridor.store.coordination import LeadTimes
from corridor.store.db import Database, upgrade
from corridor.store.schemas import (
    AgreementIn,
    CorridorIn,
    NotificationIn,
    PartyIn,
    ProposalIn,
    Role,
    SignatureIn,
    StatusChangeIn,
)
from corridor.store.signing import KeyPair

_TEMPLATE = "corridor_template"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bindir() -> Path | None:
    """The newest installed server's binaries, or ``CORRIDOR_PG_BINDIR``."""
    if override := os.environ.get("CORRIDOR_PG_BINDIR"):
        return Path(override)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


class PostgresCluster:
    """A private PostgreSQL server in a temporary directory, owned by the ``postgres`` user.

    initdb refuses to run as root, so as root every server command runs as ``postgres``.
    ``durable=False`` turns fsync off, which only tests that never crash the server may use.
    """

    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="corridor-pg-"))
        self.data = self.root / "data"
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()}")

    def start(self) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200"
        if not self.durable:
            options += " -F -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin_sql(self, statement: str) -> None:
        """Run one statement on the maintenance database, outside a transaction."""
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(statement))
        engine.dispose()

    def create_database(self, template: str | None = None) -> str:
        """A new empty (or template-cloned) database; returns its URL."""
        name = f"corridor_{next(self._names)}"
        self.admin_sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`create_database`, closing any connection still open."""
        self.admin_sql(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")


def _missing_postgres(reason: str) -> NoReturn:
    if os.environ.get("CORRIDOR_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} and CORRIDOR_REQUIRE_POSTGRES=1", pytrace=False)
    pytest.skip(f"{reason}: install the Debian package 'postgresql' to run these variants")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    bindir = postgres_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        _missing_postgres("PostgreSQL server binaries (initdb, pg_ctl) not found")
    cluster = PostgresCluster(bindir)
    cluster.start()
    template_url = cluster.create_database()
    engine = create_engine(template_url)
    upgrade(engine)
    engine.dispose()
    cluster.admin_sql(f"ALTER DATABASE {template_url.rsplit('/', 1)[1]} RENAME TO {_TEMPLATE}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty store on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database(template=_TEMPLATE)
    yield url
    cluster.drop_database(url)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database.open(db_url, migrate=False)
    yield db
    db.dispose()


# -- a small coordination world, built through the store's own rules ---------------------------

ROLES = ("facilitator", "liaison_UA", "liaison_RU", "operator", "observer")
#: Mariupol - Zaporizhzhia, through Polohy.
LINE = {"type": "LineString", "coordinates": [[37.55, 47.1], [36.2, 47.5], [35.14, 47.84]]}
WINDOW = {"start": "2022-03-08T10:00:00+03:00", "end": "2022-03-08T21:00:00+03:00",
          "tz": "Europe/Moscow"}


def agreed_window(zone: str = "Europe/Kyiv") -> dict[str, str]:
    """A ceasefire from yesterday for a month, so that movements notified now fall inside it."""
    tz = ZoneInfo(zone)
    start = dt.datetime.now(tz).replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    end = start + dt.timedelta(days=31)
    # Each end in the offset the zone has at that moment (summer time may begin in between).
    return {"start": start.isoformat(), "end": end.astimezone(tz).isoformat(), "tz": zone}


@dataclass
class SeededStore:
    """Parties UA, RU (each with a signing key) and ICRC, and one user per role."""

    db: Database
    keys: dict[str, KeyPair]
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def proposal(self) -> int:
        with self.db.write() as s:
            return coordination.create_proposal(s, "test", ProposalIn.model_validate({
                "proposer_id": "RU", "origin": "Kyiv", "destination": "Gomel",
                "waypoints": ["Kyiv", "Ivankiv", "Gomel"], "windows": [WINDOW]})).id

    def agreement(self, signed_by: tuple[str, ...] = ()) -> int:
        with self.db.write() as s:
            agreement = coordination.create_agreement(s, "test", AgreementIn.model_validate({
                "corridor": {"origin": "Mariupol", "destination": "Zaporizhzhia",
                             "route": LINE},
                "windows": [agreed_window()], "conditions": ["no military escort"],
                "parties": ["UA", "RU"]}))
            for party in signed_by:
                coordination.add_signature(s, "test", agreement.id, SignatureIn(
                    party_id=party, signature=self.keys[party].sign(agreement.document, party)))
            return agreement.id

    def corridor(self, status: str = "proposed") -> int:
        """A corridor walked through the legal transitions up to ``status``."""
        path = {"proposed": [], "agreed": ["agreed"], "open": ["agreed", "open"],
                "suspended": ["agreed", "open", "suspended"],
                "closed": ["agreed", "closed"]}[status]
        agreement_id = self.agreement(signed_by=("UA", "RU"))
        with self.db.write() as s:
            corridor = coordination.create_corridor(s, "test", CorridorIn.model_validate({
                "name": "Mariupol - Zaporizhzhia", "origin": "Mariupol",
                "destination": "Zaporizhzhia", "route": LINE, "agreement_id": agreement_id}))
            for step in path:
                coordination.change_status(s, "test", corridor.id, StatusChangeIn(status=step))
            return corridor.id

    @staticmethod
    def movement(corridor_id: int, *, hours_ahead: float = 72,
                 emergency: bool = False) -> NotificationIn:
        """A movement notification starting ``hours_ahead`` from now."""
        start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours_ahead)
        return NotificationIn.model_validate({
            "corridor_id": corridor_id, "movers": "ICRC convoy with civilians", "people": 400,
            "vehicles": [{"kind": "bus", "count": 8}], "start_at": start.isoformat(),
            "end_at": (start + dt.timedelta(hours=6)).isoformat(), "emergency": emergency})

    def notification(self, corridor_id: int | None = None) -> int:
        corridor_id = corridor_id or self.corridor("open")
        with self.db.write() as s:
            return coordination.notify_movement(
                s, "test", self.movement(corridor_id), lead_times=LeadTimes()).id


def seed_store(db: Database) -> SeededStore:
    keys = {party: KeyPair.generate() for party in ("UA", "RU")}
    tokens: dict[str, str] = {}
    with db.write() as s:
        for party, name, kind in (("UA", "Ukraine", "belligerent"),
                                  ("RU", "Russia", "belligerent"),
                                  ("ICRC", "International Committee of the Red Cross",
                                   "facilitator")):
            coordination.create_party(s, "test", PartyIn.model_validate({
                "id": party, "name": name, "kind": kind,
                "public_key": keys[party].public_key_hex if party in keys else None}))
        for label in ROLES:
            role, _, party = label.partition("_")
            _, tokens[label] = coordination.create_user(
                s, "test", label, cast(Role, role), party or None)
    return SeededStore(db=db, keys=keys, tokens=tokens)


@pytest.fixture
def world(database: Database) -> SeededStore:
    return seed_store(database)


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[SeededStore]:
    """A world on an SQLite file, for API tests whose subject is HTTP, not the backend."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    db = Database.open(url)
    yield seed_store(db)
    db.dispose()


# -- a real server process ---------------------------------------------------------------------

#: The service's commands on a bare Typer app, so the process runs exactly ``corridor serve``.
CLI_SCRIPT = ("import typer; from corridor.cli import admin, serve; "
              "app = typer.Typer(); serve.register(app); admin.register(app); app()")


class ServiceProcess:
    """``corridor serve`` in a child process on a free loopback port."""

    def __init__(self, db_url: str, log: Path, *extra: str,
                 open_files: int | None = None) -> None:
        """``open_files`` sets the child's open-file limit (soft and hard), as a small
        ``ulimit -n`` would."""
        self.db_url = db_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")

        def _limit() -> None:
            if open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

        self.process = subprocess.Popen(
            [sys.executable, "-c", CLI_SCRIPT, "serve", "--db", db_url,
             "--port", str(self.port), *extra],
            stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=_limit)
        self._wait_ready(log)

    def _wait_ready(self, log: Path, attempts: int = 300) -> None:
        for _ in range(attempts):
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.base_url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server not ready: {log.read_text(errors='replace')}")

    def stop(self) -> int:
        """Interrupt as Ctrl-C would and wait for a clean exit."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            self._log.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        self.process.kill()
        self.process.wait(timeout=30)
        self._log.close()


def cli_token(db_url: str, name: str, role: str, party: str | None = None) -> str:
    """Create a user with ``corridor admin user add --json`` and return its token."""
    command = [sys.executable, "-c", CLI_SCRIPT, "admin", "user", "add", name, "--role", role,
               "--db", db_url, "--json", *(["--party", party] if party else [])]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    token: str = json.loads(done.stdout)["token"]
    return token


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededStore]:
    """One SQLite world for a whole module, for tests that each create what they need."""
    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('world') / 'api.db'}")
    yield seed_store(db)
    db.dispose()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServiceProcess, str]]:
    """A running server on a fresh SQLite store, and a facilitator's token for it."""
    root = tmp_path_factory.mktemp("service")
    url = f"sqlite:///{root / 'service.db'}"
    token = cli_token(url, "facilitator", "facilitator")
    server = ServiceProcess(url, root / "server.log")
    yield server, token
    server.stop()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], ServiceProcess]]:
    """Start ``corridor serve`` on a store; anything still running is killed afterwards."""
    started: list[ServiceProcess] = []

    def _start(db_url: str) -> ServiceProcess:
        started.append(ServiceProcess(db_url, tmp_path / "server.log"))
        return started[-1]

    yield _start
    for server in started:
        if server.process.poll() is None:
            server.kill()


@pytest.fixture
def user_token() -> Callable[..., str]:
    """``corridor admin user add`` as a function: (db_url, name, role, party) -> token."""
    return cli_token
