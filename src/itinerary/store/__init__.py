"""Durable event stores: the protocol, SQLite (the default), JSON Lines, PostgreSQL, in memory.

Every store can be followed: ``store.subscribe(after=version)`` yields the events recorded
after a version, those stored first, then new ones (:class:`Subscription`), and a
:class:`Follower` keeps a replayed state up to date from it.

:func:`open_store` picks the store for a path by its suffix: ``.sqlite`` or ``.db`` for
SQLite, ``.jsonl`` for JSON Lines, ``.arrows`` for an Arrow IPC stream of typed columns
(:class:`ArrowStore`, which needs ``pip install "itinerary[arrow]"``); a ``postgresql://`` URL opens a :class:`PostgresStore`
(which needs ``pip install "itinerary[postgres]"``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from itinerary import _lazy
from itinerary.errors import StoreError
from itinerary.store.codec import DEFAULT_CODEC, Codec

if TYPE_CHECKING:  # what type checkers see; at run time, each is imported on first use
    from itinerary.store.base import EventStore, MemoryStore, StoreBase
    from itinerary.store.codec import SCHEMA_VERSIONS, Upcaster
    from itinerary.store.columnar import ArrowStore
    from itinerary.store.follower import Follower
    from itinerary.store.jsonl import JsonlStore, export_jsonl, import_jsonl
    from itinerary.store.postgres import PostgresStore
    from itinerary.store.sqlite import SQLiteStore
    from itinerary.store.subscription import Followable, Recorded, Subscription

__all__ = [
    "ARROW_SUFFIXES",
    "DEFAULT_CODEC",
    "JSONL_SUFFIXES",
    "SCHEMA_VERSIONS",
    "SQLITE_SUFFIXES",
    "ArrowStore",
    "Codec",
    "EventStore",
    "Followable",
    "Follower",
    "JsonlStore",
    "MemoryStore",
    "PostgresStore",
    "Recorded",
    "SQLiteStore",
    "StoreBase",
    "Subscription",
    "Upcaster",
    "export_jsonl",
    "import_jsonl",
    "open_store",
]

SQLITE_SUFFIXES: tuple[str, ...] = (".sqlite", ".sqlite3", ".db")
"""The file suffixes :func:`open_store` opens as a :class:`SQLiteStore`."""

JSONL_SUFFIXES: tuple[str, ...] = (".jsonl",)
"""The file suffixes :func:`open_store` opens as a :class:`JsonlStore`."""

ARROW_SUFFIXES: tuple[str, ...] = (".arrows",)
"""The file suffixes :func:`open_store` opens as an :class:`ArrowStore` (an Arrow IPC stream)."""


def open_store(
    path: str | os.PathLike[str], *, codec: Codec = DEFAULT_CODEC, create: bool = True
) -> SQLiteStore | JsonlStore | ArrowStore | PostgresStore:
    """The store for *path*, chosen by its suffix (``.sqlite``/``.db``, ``.jsonl`` or ``.arrows``).

    A ``postgresql://`` (or ``postgres://``) URL opens a :class:`PostgresStore`.
    """
    from itinerary.store.postgres import PostgresStore, is_url  # noqa: PLC0415 - on first use

    text = os.fspath(path)
    if is_url(text):
        return PostgresStore(text, codec=codec, create=create)
    suffix = os.path.splitext(text)[1].lower()
    if suffix in SQLITE_SUFFIXES:
        from itinerary.store.sqlite import SQLiteStore  # noqa: PLC0415 - on first use

        return SQLiteStore(text, codec=codec, create=create)
    if suffix in JSONL_SUFFIXES:
        from itinerary.store.jsonl import JsonlStore  # noqa: PLC0415 - on first use

        return JsonlStore(text, codec=codec, create=create)
    if suffix in ARROW_SUFFIXES:
        from itinerary.store.columnar import ArrowStore  # noqa: PLC0415 - on first use

        return ArrowStore(text, codec=codec, create=create)
    if suffix == ".parquet":
        raise StoreError(
            f"{text}: a Parquet file is an export for data tools, not a store: keep a log in "
            "an Arrow store (.arrows), and write Parquet with log.to_arrow() or "
            "`itinerary export FILE --to tour.parquet`"
        )
    known = ", ".join(SQLITE_SUFFIXES + JSONL_SUFFIXES + ARROW_SUFFIXES)
    raise StoreError(f"{text}: unknown kind of store {suffix or '(no suffix)'!r}; use {known}")


_HOMES: dict[str, tuple[str, ...]] = {
    "itinerary.store.base": ("EventStore", "MemoryStore", "StoreBase"),
    "itinerary.store.columnar": ("ArrowStore",),
    "itinerary.store.codec": ("SCHEMA_VERSIONS", "Upcaster"),
    "itinerary.store.follower": ("Follower",),
    "itinerary.store.jsonl": ("JsonlStore", "export_jsonl", "import_jsonl"),
    "itinerary.store.postgres": ("PostgresStore",),
    "itinerary.store.sqlite": ("SQLiteStore",),
    "itinerary.store.subscription": ("Followable", "Recorded", "Subscription"),
}
"""Where each name of ``__all__`` is defined: the module its first use imports."""

_SUBMODULES = frozenset(
    {"base", "codec", "columnar", "follower", "jsonl", "postgres", "sqlite", "subscription"}
)
"""The modules that ``itinerary.store.<name>`` imports on first use."""

__getattr__, __dir__ = _lazy.face(__name__, _HOMES, submodules=_SUBMODULES)
