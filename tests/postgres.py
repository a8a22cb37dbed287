"""A throwaway PostgreSQL server for tests: initdb in a temporary directory, started on a
free loopback port, stopped and deleted at the end of the test session.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
``postgres`` user (Debian's package creates it; created here when missing). The server
binaries come from PATH or Debian's ``/usr/lib/postgresql/<version>/bin``; without them the
PostgreSQL tests are skipped with a message saying how to get them (``.ci/run`` installs
Debian's ``postgresql`` package when it runs as root).

Use the ``postgres_url`` fixture: each call of it gives a new empty database (a schema of
its own on the session's server), dropped after the test.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

__all__ = ["PostgresServer", "find_binaries", "postgres_server", "postgres_url"]

#: The unprivileged user the server runs as when the tests run as root.
SERVER_USER = "postgres"
#: The database superuser made by initdb (trust authentication, loopback only).
DB_USER = "estim"


def find_binaries() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    candidates = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                           reverse=True)]
    for directory in candidates:
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _server_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as, or None to run it as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", SERVER_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(SERVER_USER)
    return entry.pw_uid, entry.pw_gid


class PostgresServer:
    """One PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="estim-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._user = _server_user()

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self._user is not None:
            kwargs = {"user": self._user[0], "group": self._user[1], "extra_groups": []}
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True,
                              text=True, timeout=60, cwd=self.root, **kwargs)  # type: ignore[call-overload]

    def start(self) -> None:
        if self._user is not None:
            os.chown(self.root, *self._user)
        done = self._run("initdb", "-D", str(self.data), "-U", DB_USER, "--auth=trust",
                         "-E", "UTF8", "--locale=C", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        # Loopback only, Unix socket in the data directory, a small footprint. fsync stays
        # on: the durability tests kill the client, and the server must behave as deployed.
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.data} -c shared_buffers=16MB "
                   "-c max_connections=40")
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w",
                         "-t", "30", "-o", options, "start")
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{log}")

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=DB_USER,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # our own fixed statements

    def new_url(self) -> str:
        """The SQLAlchemy URL of a new empty database: a schema of its own, first on the
        search path (a schema costs a millisecond; a CREATE DATABASE copies a template,
        about a second on a loaded machine)."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._admin(f"CREATE SCHEMA {name}")
        return (f"postgresql+psycopg://{DB_USER}@127.0.0.1:{self.port}/postgres"
                f"?options=-csearch_path%3D{name}")

    def drop(self, url: str) -> None:
        """Drop what :meth:`new_url` made, with everything in it."""
        self._admin(f"DROP SCHEMA IF EXISTS {url.rsplit('%3D', 1)[1]} CASCADE")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    pytest.importorskip("psycopg", reason="psycopg (the 'test' extra) is not installed")
    bindir = find_binaries()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH "
                    "or in /usr/lib/postgresql/*/bin: apt-get install postgresql (.ci/run "
                    "does when run as root)")
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[Callable[[], str]]:
    """A factory of new empty databases on the session's server, dropped after the test."""
    made: list[str] = []

    def create() -> str:
        made.append(postgres_server.new_url())
        return made[-1]

    yield create
    for url in made:
        postgres_server.drop(url)
