"""A throwaway PostgreSQL server in a temporary folder, for tests and benchmarks.

Test scaffolding, not shipped in the wheel: the test suite and the benchmarks start one with
the server binaries the machine has (``initdb``, ``pg_ctl``, ``postgres`` on ``PATH`` or in
``/usr/lib/postgresql/*/bin``), listening on 127.0.0.1 on a free port, with its socket in the
temporary folder, and remove it when stopped. PostgreSQL refuses to run as root, so when this
process is root the server runs as the ``postgres`` system user (with ``runuser``), the
folder handed over to it.

Authentication is ``trust`` for local connections: a URL's password is accepted and ignored.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from types import TracebackType
from typing import Self
from urllib.parse import quote

__all__ = ["LocalServer", "ServerUnavailableError", "find_binaries", "free_port"]

_SEARCHED = "/usr/lib/postgresql/*/bin"


class ServerUnavailableError(RuntimeError):
    """No PostgreSQL server binaries were found, or the server would not start."""


def find_binaries() -> str:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or ServerUnavailableError."""
    found = shutil.which("pg_ctl")
    candidates = [os.path.dirname(os.path.realpath(found))] if found else []
    candidates += sorted(glob.glob(_SEARCHED), key=_major, reverse=True)
    for folder in candidates:
        if all(os.access(os.path.join(folder, name), os.X_OK) for name in _NEEDED):
            return folder
    raise ServerUnavailableError(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or in "
        f"{_SEARCHED}: install the PostgreSQL server (e.g. apt-get install postgresql) to "
        "run the PostgreSQL store's tests and benchmarks"
    )


_NEEDED = ("initdb", "pg_ctl", "postgres")


def _major(folder: str) -> int:
    part = folder.rstrip("/").split("/")[-2]
    return int(part) if part.isdigit() else 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the operating system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalServer:
    """A PostgreSQL server of its own: ``with LocalServer() as server: server.url()``.

    Args:
        durable: Keep PostgreSQL's defaults (``fsync`` on, each commit flushed to disk), as
            a benchmark should; if false (for tests), ``fsync`` and ``synchronous_commit``
            are off, which is faster and loses nothing unless the machine itself crashes.

    """

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.port = 0
        self._bin = ""
        self._folder = ""
        self._running = False

    @property
    def folder(self) -> str:
        """The temporary folder: ``data/`` (the cluster), ``log`` and the socket."""
        return self._folder

    def _as_server_user(self) -> list[str]:
        """The command prefix that runs a binary as the server's user (``postgres`` if root)."""
        if os.geteuid() != 0:
            return []
        runuser = shutil.which("runuser")
        if runuser is None:
            raise ServerUnavailableError("running as root, and there is no runuser command")
        return [runuser, "-u", "postgres", "--"]

    def _run(self, *argv: str) -> None:
        done = subprocess.run(
            [*self._as_server_user(), *argv],
            capture_output=True,
            text=True,
            check=False,
            cwd=self._folder,
        )
        if done.returncode != 0:
            log = os.path.join(self._folder, "log")
            tail = ""
            if os.path.exists(log):
                with open(log, encoding="utf-8", errors="replace") as file:
                    tail = file.read()[-2000:]
            raise ServerUnavailableError(
                f"{os.path.basename(argv[0])} failed ({done.returncode}): "
                f"{done.stderr.strip() or done.stdout.strip()}\n{tail}"
            )

    def start(self) -> Self:
        """Create the cluster in a new temporary folder and start the server on a free port.

        After :meth:`halt`, start the same cluster again, on the same port.
        """
        if self._folder:
            self._pg_ctl_start()
            return self
        self._bin = find_binaries()
        self._folder = tempfile.mkdtemp(prefix="itinerary-pg-")
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailableError(
                    "running as root, and there is no postgres system user to run the server"
                ) from None
            os.chown(self._folder, user.pw_uid, user.pw_gid)
        data = os.path.join(self._folder, "data")
        self._run(
            os.path.join(self._bin, "initdb"),
            "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale",
            "--no-sync",
        )  # fmt: skip
        for attempt in range(5):  # another process may take the free port first
            self.port = free_port()
            try:
                self._pg_ctl_start()
                break
            except ServerUnavailableError:
                if attempt == 4:
                    self._remove()
                    raise
        return self

    def _pg_ctl_start(self) -> None:
        settings = ["-c listen_addresses=127.0.0.1", f"-k {self._folder}", "-c max_connections=200"]
        if not self.durable:
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            os.path.join(self._bin, "pg_ctl"),
            "-D", os.path.join(self._folder, "data"), "-l", os.path.join(self._folder, "log"),
            "-w", "-t", "60", "-o", " ".join([f"-p {self.port}", *settings]), "start",
        )  # fmt: skip
        self._running = True

    def halt(self) -> None:
        """Stop the server at once (as a crash would), keeping its data for :meth:`start`."""
        if self._running:
            self._running = False
            self._run(
                os.path.join(self._bin, "pg_ctl"),
                "-D", os.path.join(self._folder, "data"), "-m", "immediate", "-w", "stop",
            )  # fmt: skip

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        """A ``postgresql://`` URL of *database* on this server (the password is not checked)."""
        auth = "postgres" if password is None else f"postgres:{quote(password, safe='')}"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create the database *name* (letters, digits, underscores); return its URL."""
        if not name.replace("_", "").isalnum() or not name.isascii():
            raise ValueError(f"not a plain database name: {name!r}")
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one SQL *statement* (autocommit); return its rows, ``|`` between values."""
        import psycopg  # noqa: PLC0415 - the postgres extra, needed only here

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(statement.encode())
            if cursor.description is None:
                return ""
            return "\n".join("|".join(str(v) for v in row) for row in cursor.fetchall())

    def stop(self) -> None:
        """Stop the server (immediately: nothing in it is kept) and remove its folder."""
        with contextlib.suppress(ServerUnavailableError):
            self.halt()
        self._remove()

    def _remove(self) -> None:
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"port {self.port}" if self._running else "stopped"
        return f"<LocalServer {state}>"
