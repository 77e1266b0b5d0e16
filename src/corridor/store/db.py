"""Opening a store: engine settings per backend, migrations, and transactions.

Writes are serialised on both backends (``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped
advisory lock on PostgreSQL, and a lock within the process). The audit chain needs this: each
entry hashes its predecessor, so two writers must never both read the same chain head, and the
chain order must be commit order. Coordination traffic is low-rate, so correctness wins over
write concurrency here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from corridor.errors import StoreError, UnavailableError
from corridor.i18n import _
from corridor.store.models import AuditEntry

MIGRATIONS = Path(__file__).with_name("migrations")
#: Arbitrary constant naming the advisory lock that serialises writers on PostgreSQL.
_WRITE_LOCK_KEY = 0x636F7272
_WRITE_OPTION = "corridor_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(db: str) -> str:
    """Accept a SQLAlchemy URL, or a bare path meaning an SQLite file."""
    return db if "://" in db else f"sqlite:///{db}"


def make_engine(db: str) -> Engine:
    """Create an engine with the durability settings the store relies on."""
    url = normalise_url(db)
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(
                parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            )
            _configure_sqlite(engine)
        elif parsed.get_backend_name() == "postgresql":
            engine = create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
        else:
            raise StoreError(_("unsupported database {backend!r}; use sqlite:///FILE or "
                               "postgresql+psycopg://...").format(
                                   backend=parsed.get_backend_name()), field="db")
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreError(_("not a database URL: {url!r} ({reason})").format(url=url, reason=exc),
                         field="db") from exc
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, FULL sync so an acknowledged write survives a power cut."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control so writers can start with BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that later upgrades to a write fails with SQLITE_BUSY instead
        # of waiting, so writers ask for the write lock up front.
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the migration scripts shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def _open_failure(engine: Engine, exc: OperationalError) -> Exception:
    """Tell bad input from a runtime failure when a database cannot be opened.

    An SQLite file that cannot be opened is a wrong path (bad input); a server that cannot be
    reached may be back later (a runtime failure).
    """
    message = _("cannot open {url!r}: {reason}").format(url=engine.url,
                                                        reason=str(exc.orig).splitlines()[0])
    if engine.dialect.name == "sqlite":
        return StoreError(message, field="db")
    return UnavailableError(message)


@dataclass
class Database:
    """An engine with the two kinds of session the store uses."""

    engine: Engine

    def __post_init__(self) -> None:
        # Writers of this process queue here first: waiting on a lock is fair and immediate,
        # where SQLite's busy handler polls with growing sleeps, which inflates tail latency.
        # The database-level lock below still orders writers of other processes.
        self._write_queue = threading.Lock()
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    @classmethod
    def open(cls, db: str, *, migrate: bool = True) -> Database:
        """Connect, and bring the schema up to date unless ``migrate`` is off.

        Without migrating, the store must already exist: checking an audit chain must not
        quietly create an empty database where a mistyped path pointed.
        """
        engine = make_engine(db)
        path = engine.url.database
        if not migrate and engine.dialect.name == "sqlite" and path and not Path(path).exists():
            raise StoreError(_("no corridor store at {place}").format(place=path), field="db")
        try:
            if migrate:
                upgrade(engine)
            elif not inspect(engine).has_table(AuditEntry.__tablename__):
                raise StoreError(_("no corridor store at {place}").format(place=repr(engine.url)),
                                 field="db")
        except OperationalError as exc:
            engine.dispose()
            raise _open_failure(engine, exc) from exc
        return cls(engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction for reading; it does not take the store's write lock."""
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and holds the store's single write lock."""
        with self._write_queue, self._writer() as session, session.begin():
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK_KEY})
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the pool's connections, so a command leaves no file or server session open."""
        self.dispose()
