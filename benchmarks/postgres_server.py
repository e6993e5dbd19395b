"""A throwaway PostgreSQL server from Debian's `postgresql` package, for the test suite and
`make bench`: a new data directory, on a free loopback port, trusted local connections only,
stopped and deleted after use.

PostgreSQL refuses to run as root, so as root (CI) its commands run as the `postgres` user
the package creates, in a directory under the system temp dir that user can reach.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"
DEBIAN_BINARIES = "/usr/lib/postgresql/*/bin"
START_SECONDS = 120


def binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: on PATH, else the newest Debian version's."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(glob.glob(DEBIAN_BINARIES), key=lambda p: int(Path(p).parent.name))
    return Path(versions[-1]) if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy's URL with the driver dagster-postgres installs (psycopg2)."""
        return f"postgresql+psycopg2://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, name: str = "", template: str = "template1") -> str:
        """A new database, a copy of `template`: its URL. Each user of the server gets its own
        tables; copying a template that has them is faster than creating them again."""
        import psycopg2

        name = name or f"db_{uuid.uuid4().hex[:12]}"
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=SERVER_USER, dbname="postgres"
        )
        connection.autocommit = True  # CREATE DATABASE refuses to run in a transaction
        try:
            connection.cursor().execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            connection.close()
        return self.url(name)


def _as_server_user(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    user = {"user": SERVER_USER} if os.geteuid() == 0 else {}
    return subprocess.run(command, check=True, capture_output=True, text=True, **user, **kwargs)


@contextlib.contextmanager
def postgres_server(bin_dir: Path, durable: bool = False) -> Iterator[PostgresServer]:
    """A running server until the block exits. Not `durable`: no fsync (tests; a crash of the
    test machine loses nothing of value)."""
    folder = Path(tempfile.mkdtemp(prefix="crw-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER, SERVER_USER)
    data = folder / "data"
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SERVER_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                str(START_SECONDS),
                "start",
            ]
        )
        yield PostgresServer(port=port, folder=folder)
    finally:
        if (data / "postmaster.pid").exists():
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)
