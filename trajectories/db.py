"""Database engines for the trajectory store: SQLite (WAL) or PostgreSQL (psycopg 3).

SQLite gets two engines on the same file:

* a *write* engine whose transactions start with `BEGIN IMMEDIATE`, so writers of other
  processes queue on `busy_timeout` instead of failing with SQLITE_BUSY when a read
  transaction tries to upgrade to a write (the store queues its own threads on a lock);
* a *read* engine with deferred transactions: in WAL mode readers never block the writer,
  so a long export or the viewer does not stall a run.

PostgreSQL uses one pooled engine for both (MVCC does the rest).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 8192  # of 4 KiB
PG_CONNECT_TIMEOUT_S = 10


class StoreError(RuntimeError):
    """Base class of trajectory-store errors."""


class DatabaseUrlError(StoreError, ValueError):
    """The database URL is malformed or names an unsupported backend."""


class SchemaMissingError(StoreError):
    """The database has not been created or upgraded to this version's schema."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be reached (server down, connection lost, file not openable)."""


@dataclass(frozen=True)
class Engines:
    url: URL
    write: Engine
    read: Engine

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    def dispose(self) -> None:
        self.write.dispose()
        if self.read is not self.write:
            self.read.dispose()


def safe_url(url: str | URL) -> str:
    """The URL with its password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<malformed URL>"


def parse_url(url: str | URL) -> URL:
    """Parse and normalise a store URL; `postgresql://` means psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(
            f"malformed database URL {url!r}: use sqlite:///PATH or "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB"
        ) from exc
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        elif driver != "psycopg":
            raise DatabaseUrlError(
                f"unsupported PostgreSQL driver {driver!r}: use postgresql+psycopg:// (psycopg 3)"
            )
    elif backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise DatabaseUrlError(
                "an in-memory SQLite database cannot be shared between the store's threads; "
                "use a file: sqlite:///PATH"
            )
    else:
        raise DatabaseUrlError(
            f"unsupported database {backend!r} in {safe_url(parsed)}: use sqlite:///PATH or "
            "postgresql+psycopg://…"
        )
    return parsed


def json_dumps(value: Any) -> str:
    """JSON columns' serializer: orjson (fast; NaN becomes null, which PostgreSQL accepts)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # e.g. an integer beyond 64 bits: the standard library copes
        return json.dumps(value)


JSON_OPTIONS: dict[str, Any] = {"json_serializer": json_dumps, "json_deserializer": orjson.loads}


def _sqlite_engine(url: URL, *, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        **JSON_OPTIONS,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # Write transactions always end in an explicit commit or rollback: no reset needed.
        pool_reset_on_return="rollback" if not immediate else None,
    )
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module (it would issue its own BEGINs).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: consistent after a crash
        # Checkpoint (and fsync) every 32 MB of WAL rather than every 4 MB: fewer stalls.
        cur.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.connection.driver_connection.execute(begin)

    return engine


def make_engines(url: str | URL) -> Engines:
    """Engines for `url`; SQLite files get their parent directory created."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return Engines(parsed, _sqlite_engine(parsed, immediate=True), _sqlite_engine(parsed, immediate=False))
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    engine = create_engine(
        parsed,
        **JSON_OPTIONS,
        pool_pre_ping=True,  # replaces connections the server dropped (restart, idle timeout)
        pool_size=10,
        max_overflow=20,
        connect_args=connect_args,
    )
    return Engines(parsed, engine, engine)


def is_unavailable(exc: DBAPIError) -> bool:
    """Is this error the database being gone (not a constraint or a conflict)?"""
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    module = type(orig).__module__ if orig is not None else ""
    if module.startswith("psycopg"):
        import psycopg

        if isinstance(orig, psycopg.errors.TransactionRollback):
            return False  # deadlock / serialization failure: a conflict, not an outage
        sqlstate = getattr(orig, "sqlstate", None)
        # No SQLSTATE: failed on the client side (refused, reset); 08: connection exception;
        # 57P0x: the server is shutting down or starting.
        return isinstance(orig, (psycopg.OperationalError, psycopg.InterfaceError)) and (
            sqlstate is None or sqlstate.startswith(("08", "57P")))
    if module == "sqlite3":
        text = str(orig).lower()
        return any(k in text for k in ("unable to open", "disk i/o", "readonly", "locked", "not a database"))
    return False


def _is_missing_schema(exc: DBAPIError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in ("42P01", "42703"):  # undefined table / column
        return True
    return type(orig).__module__ == "sqlite3" and ("no such table" in str(orig) or "no such column" in str(orig))


@contextmanager
def translate_errors(url: URL) -> Iterator[None]:
    """Turn a lost, refused or locked database into one `DatabaseUnavailableError`."""
    try:
        yield
    except DBAPIError as exc:
        if _is_missing_schema(exc):
            raise SchemaMissingError(
                f"the database at {safe_url(url)} has no trajectory schema (or an outdated one): "
                f"run `python -m agents db upgrade --db {safe_url(url)}` ({exc.orig})"
            ) from exc
        if not is_unavailable(exc):
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise DatabaseUnavailableError(
            f"cannot use the database at {safe_url(url)}: {reason}. "
            "Is the server running and reachable (or the file writable and not locked)?"
        ) from exc
