"""A throwaway PostgreSQL server for tests and benchmarks (Debian's postgresql package).

    with ThrowawayPostgres() as pg:
        url = pg.create_database()        # postgresql+psycopg://postgres@127.0.0.1:PORT/db_…

initdb + pg_ctl with the data directory in a temporary folder, listening on 127.0.0.1 on a
free port (and a private socket directory). PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` OS user via runuser. `fast=True` turns durability off (fsync,
synchronous_commit, full_page_writes): right for tests, wrong for benchmarks.
"""
from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
INSTALL_HINT = "apt-get install -y postgresql   (or: make setup)"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


# argv: parent pid, temporary directory, then the command that stops the server.
_WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, tmp, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    time.sleep(1)
subprocess.run(stop, capture_output=True, timeout=60)
shutil.rmtree(tmp, ignore_errors=True)
"""


def find_pg_bin() -> Path | None:
    """The newest installed PostgreSQL bin directory holding initdb and pg_ctl, or None."""
    candidates = sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")),
                        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    for bindir in reversed(candidates):
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self, *, fast: bool = True, bindir: Path | None = None):
        self.bindir = bindir or find_pg_bin()
        if self.bindir is None:
            raise PostgresUnavailable(f"PostgreSQL server binaries not found ({PG_BIN_GLOB}); install: {INSTALL_HINT}")
        self.fast = fast
        self.port = 0
        self.tmp: Path | None = None
        self._as_user: list[str] = []
        self._watchdog: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        assert self.tmp is not None
        return self.tmp / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [*self._as_user, *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")

    def start(self) -> ThrowawayPostgres:
        self.tmp = Path(tempfile.mkdtemp(prefix="agents-pg-"))
        (self.tmp / "sock").mkdir()
        if os.geteuid() == 0:  # initdb/postgres refuse to run as root
            try:
                pg = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(f"running as root but there is no 'postgres' user; install: {INSTALL_HINT}") from None
            for p in (self.tmp, self.tmp / "sock"):
                os.chown(p, pg.pw_uid, pg.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run(str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        atexit.register(self.stop)  # even if the caller never gets to stop it
        self._start_watchdog()
        for _ in range(5):  # the free port may be taken between probing and binding
            self.port = _free_port()
            try:
                return self.start_server()
            except RuntimeError:
                if "could not bind" not in self.log() and "in use" not in self.log():
                    self.stop()
                    raise
        self.stop()
        raise RuntimeError("could not start PostgreSQL on a free port")

    def _start_watchdog(self) -> None:
        """A small process that stops the server and removes its files once this process is
        gone, even if it was SIGKILLed (a test run killed by a timeout leaves nothing behind)."""
        assert self.tmp is not None
        stop = [*self._as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"]
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.tmp), *stop],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # not killed with our process group: it must outlive us
        )

    def start_server(self) -> ThrowawayPostgres:
        """(Re)start the server on the initialised data directory and the chosen port."""
        assert self.tmp is not None
        options = [f"-p {self.port}", "-h 127.0.0.1", f"-k {self.tmp / 'sock'}", "-c max_connections=200"]
        if self.fast:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.tmp / "log"),
                  "-w", "-t", "60", "-o", " ".join(options), "start")
        return self

    def stop_server(self, mode: str = "immediate") -> None:
        """Stop the server but keep its data ("immediate" is what a crash looks like to clients)."""
        if self.tmp is not None and (self.data_dir / "postmaster.pid").exists():
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass

    def log(self) -> str:
        try:
            return (self.tmp / "log").read_text() if self.tmp else ""
        except OSError:
            return ""

    def create_database(self, name: str | None = None) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = name or f"db_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.tmp is None:
            return
        self.stop_server()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_database_at(url: str) -> str:
    """A fresh database on an existing server (e.g. AGENTS_TEST_PG_URL); needs CREATEDB."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url).set(drivername="postgresql")
    name = f"db_{uuid.uuid4().hex[:12]}"
    dsn = base.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
