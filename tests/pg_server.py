"""The PostgreSQL server the tests start themselves: one per session, a new log per test.

Imported by conftest.py, so any test module can ask for ``postgres_server`` (the session's
server) or ``postgres_url`` (a new, empty log on it). Without the server binaries the
fixture fails with a message saying what to install: these tests never skip.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from itinerary.store import PostgresStore
from tests._pgserver import LocalServer

_LOGS = itertools.count(1)


def new_log_url(server: LocalServer, *, password: str | None = None) -> str:
    """The URL of a log of its own (``?log=t<pid>_<n>``) on *server*, not created yet."""
    return server.url(password=password) + f"?log=t{os.getpid()}_{next(_LOGS)}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[LocalServer]:
    """A throwaway PostgreSQL server on 127.0.0.1, stopped and removed after the session."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: LocalServer) -> str:
    """The URL of a new, empty log on the session's server."""
    return new_log_url(postgres_server)


class OnSessionServer:
    """For a store contract class: each store a log of its own on the session's server."""

    server: LocalServer

    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _server(cls, postgres_server: LocalServer) -> None:
        """The session's server, for make_store."""
        cls.server = postgres_server

    def make_store(self, directory: object) -> PostgresStore:
        """A new log on the session's server (*directory* is not used)."""
        return PostgresStore(new_log_url(self.server))

    def reopen(self, store: PostgresStore) -> PostgresStore:
        """A new connection to the same log."""
        return PostgresStore(store.path, create=False)
