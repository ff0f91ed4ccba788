"""Sealed rows read a batch at a time (issue 26's review): each row must still be one JSON value.

A sealed store's loader parses a batch of rows in one ``json.loads`` call. A checksum only
says a row is what its writer sealed, not that the writer was this library: a row that is
not one JSON value by itself (or not UTF-8) must be refused, naming its version, exactly as
the row-at-a-time path refuses it, whatever its neighbours hold. Each test runs on SQLite
and PostgreSQL, by ``load`` and by ``read_after`` (the tail read).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from itinerary import EventLog, _trusted
from itinerary.errors import StoreError
from itinerary.events import Obligation
from itinerary.places import TOKYO
from itinerary.store import DEFAULT_CODEC, EventStore, PostgresStore, SQLiteStore, _sealed
from itinerary.store._sealed import BATCH, checksum
from tests._pgserver import LocalServer
from tests.pg_server import new_log_url
from tests.store_contract import batch, exact

KINDS = ["sqlite", "postgres"]
SETTINGS = settings(
    deadline=None, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _store(kind: str, folder: str, server: LocalServer, size: int) -> EventStore:
    """A new *kind* store holding ``batch("A", size)`` (arrivals named ``A 0``, ``A 1``...)."""
    store: EventStore
    if kind == "sqlite":
        store = SQLiteStore(Path(folder) / "t.sqlite")
    else:
        store = PostgresStore(new_log_url(server))
    store.extend(batch("A", size))
    return store


def _rows(store: EventStore) -> dict[int, bytes]:
    """Each version's sealed data."""
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as db:
            found = dict(db.execute("SELECT version, data FROM itinerary_events"))
        db.close()
        return found
    assert isinstance(store, PostgresStore)
    with psycopg.connect(store.path.split("?", 1)[0]) as conn:
        rows = conn.execute(f'SELECT version, data FROM "{store.log}".itinerary_events')
        return {version: bytes(data) for version, data in rows}


def _reseal(store: EventStore, changed: dict[int, bytes]) -> None:
    """Write *changed* data into arrival rows, each with a checksum that matches it."""
    for version, data in changed.items():
        crc = checksum(version, "Arrived", 1, data)
        if isinstance(store, SQLiteStore):
            with sqlite3.connect(store.path) as db:
                db.execute(
                    "UPDATE itinerary_events SET data = ?, crc = ? WHERE version = ?",
                    (data, crc, version),
                )
            db.close()
        else:
            assert isinstance(store, PostgresStore)
            with psycopg.connect(store.path.split("?", 1)[0], autocommit=True) as conn:
                conn.execute(
                    f'UPDATE "{store.log}".itinerary_events SET data = %s, crc = %s '
                    "WHERE version = %s",
                    (data, crc, version),
                )


def _refused(
    kind: str,
    server: LocalServer,
    size: int,
    change: Callable[[dict[int, bytes]], dict[int, bytes]],
) -> list[str]:
    """The messages of loading, then tail-reading, a store whose rows *change* rewrote."""
    messages = []
    with tempfile.TemporaryDirectory() as folder:
        store = _store(kind, folder, server, size)
        _reseal(store, change(_rows(store)))
        for read in (store.load, lambda: store.read_after(0)):
            with pytest.raises(StoreError) as caught:
                read()
            messages.append(str(caught.value))
        store.close()
    return messages


@pytest.mark.parametrize("kind", KINDS)
@SETTINGS
@given(data=st.data())
@example(data=None)  # the reproducer: a name's string opened in one row, closed in the next
def test_rows_whose_json_spans_two_rows_are_refused_naming_the_first(
    kind: str, data: st.DataObject | None, postgres_server: LocalServer
) -> None:
    """Row *v* + ``],[`` + row *v + 1*'s head, then row *v + 1*'s rest: refused, naming *v*.

    Row *v* is sealed as its own JSON, ``],[``, then the head of row *v + 1*; row *v + 1* as
    the rest: neither row is one JSON value.

    Found in review: the batch's one parse read the two rows as two arrivals, the second
    one named ``A ],[1`` (a string opened in one row and closed in the next), and the load
    succeeded where the row-at-a-time path refuses version *v* as "not JSON".
    """
    if data is None:
        size, v, cut = 3, 1, 4  # b'["A 1' | b'",1,...]': the cut is inside the name
    else:
        size = data.draw(st.integers(2, 6), label="size")
        v = data.draw(st.integers(1, size - 1), label="v")
        cut = data.draw(st.integers(1, 10), label="cut")

    def change(rows: dict[int, bytes]) -> dict[int, bytes]:
        head, tail = rows[v + 1][:cut], rows[v + 1][cut:]
        return {v: rows[v] + b"],[" + head, v + 1: tail}

    for message in _refused(kind, postgres_server, size, change):
        assert f"version {v}: " in message, message


@pytest.mark.parametrize("kind", KINDS)
@SETTINGS
@given(
    junk=st.binary(min_size=1, max_size=6).filter(lambda b: not _is_utf8(b)),
    v=st.integers(1, 3),
)
@example(junk=b"\xed\xa0\x80", v=1)  # a lone surrogate, UTF-8 encoded: json.loads takes it
def test_a_row_that_is_not_utf8_is_refused_naming_its_version(
    kind: str, junk: bytes, v: int, postgres_server: LocalServer
) -> None:
    """Bytes that are not UTF-8 inside a sealed row's name: refused, naming the row's version.

    Found in review: ``json.loads`` of bytes decodes them with ``surrogatepass``, so the
    batch path loaded a name holding a lone surrogate that the row-at-a-time path (strict
    UTF-8) refuses as "not JSON".
    """

    def change(rows: dict[int, bytes]) -> dict[int, bytes]:
        name = f'"A {v - 1}"'.encode()
        return {v: rows[v].replace(name, name[:-1] + junk + b'"')}

    for message in _refused(kind, postgres_server, 3, change):
        assert f"version {v}: " in message, message


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("kind", KINDS)
@SETTINGS
@given(
    space=st.text(" \t\n\r", min_size=1, max_size=3),
    lead=st.booleans(),
    odd_neighbour=st.booleans(),
)
@example(space=" ", lead=True, odd_neighbour=True)  # refused alone, loaded in a batch
def test_whether_a_row_loads_does_not_depend_on_its_batch(
    kind: str, space: str, lead: bool, odd_neighbour: bool, postgres_server: LocalServer
) -> None:
    """A row of valid JSON with whitespace around it loads as itself, whatever its neighbours.

    Found in review: a row starting with whitespace loaded in a batch of plain rows (one
    ``json.loads``) but was refused as "not JSON" when a neighbour sent the batch down the
    row-at-a-time path (its scanner starts exactly at the row's first character). Here the
    neighbour is a sealed record (a JSON object, as format 1 wrote), which only that path
    reads.
    """
    with tempfile.TemporaryDirectory() as folder:
        store = _store(kind, folder, postgres_server, 3)
        rows = _rows(store)
        padded = space.encode() + rows[1] if lead else rows[1] + space.encode()
        changed = {1: padded}
        if odd_neighbour:
            _, _, record = DEFAULT_CODEC.encode(batch("A", 3)[2])
            changed[3] = json.dumps(record).encode()
        _reseal(store, changed)
        assert exact(store.load()) == exact(EventLog(batch("A", 3)))
        assert store.read_after(0) == batch("A", 3)
        store.close()


@pytest.mark.parametrize("kind", KINDS)
def test_damage_past_the_first_batch_is_named_by_every_read(
    kind: str, postgres_server: LocalServer
) -> None:
    """Past the first batch, a row the columns refuse and a row whose checksum fails are named.

    By ``load`` (with a progress bar, and up to a version), and by ``read_after`` from
    inside the first batch and from the second (its rows counted from there): each message
    names the damaged row's version. The signing's obligations share a name, which only
    the columns' check (``EventLog.from_columns``) refuses.
    """
    signed = TOKYO.at("2025-10-28 12:00")
    duties = (Obligation("Pay", due=signed.add(days=1)), Obligation("Pay", due=signed.add(days=2)))
    bad = _trusted.agreement_signed("Deal", ("A",), TOKYO, signed, None, duties)
    refused = BATCH + 3
    with tempfile.TemporaryDirectory() as folder:
        store = _store(kind, folder, postgres_server, BATCH + 2)
        store.extend([bad, *batch("B", 4)])
        reads: list[Callable[[], object]] = [
            lambda: store.load(progress=True),
            lambda: store.load(upto=refused),
            lambda: store.read_after(5),
            lambda: store.read_after(BATCH + 1),
        ]
        for read in reads:
            with pytest.raises(StoreError, match=f"version {refused}: .*listed twice"):
                read()
        _reseal(store, {refused + 2: _rows(store)[refused + 2] + b" "})  # and its crc moved
        if isinstance(store, SQLiteStore):
            with sqlite3.connect(store.path) as db:
                db.execute(
                    "UPDATE itinerary_events SET crc = crc + 1 WHERE version = ?", (refused + 2,)
                )
            db.close()
        else:
            assert isinstance(store, PostgresStore)
            with psycopg.connect(store.path.split("?", 1)[0], autocommit=True) as conn:
                conn.execute(
                    f'UPDATE "{store.log}".itinerary_events SET crc = crc + 1 WHERE version = %s',
                    (refused + 2,),
                )
        assert store.read_after(refused, limit=1) == batch("B", 1)
        with pytest.raises(StoreError, match=f"version {refused + 2}: damaged: its checksum"):
            store.read_after(refused)
        store.close()


_TOKENS = [b"]", b"[", b",", b'"', b"],[", b'"],["', b" ", b"\\", b"0", b"{", b"}", b"null"]
_TOKENS += [b"NaN", b"1e400", b"\xed\xa0\x80", b"\xff"]


@st.composite
def _edits(draw: st.DrawFn) -> tuple[int, int, int, list[tuple[int, bytes, bool]]]:
    """A store's size, a row *v*, a cut and edits of rows *v* and *v + 1*.

    The cut moves that many bytes of row *v + 1*'s head onto row *v* (0: none); each edit is
    ``(position, token, replace)``, applied to the two rows in turn.
    """
    size = draw(st.integers(2, 5), label="size")
    v = draw(st.integers(1, size - 1), label="v")
    cut = draw(st.integers(0, 12), label="cut")
    edits = draw(
        st.lists(st.tuples(st.integers(0, 80), st.sampled_from(_TOKENS), st.booleans()), max_size=4)
    )
    return size, v, cut, edits


def _edited(
    rows: dict[int, bytes], v: int, cut: int, edits: list[tuple[int, bytes, bool]]
) -> dict[int, bytes]:
    first, second = bytearray(rows[v]), bytearray(rows[v + 1])
    if cut:
        first, second = first + b"],[" + second[:cut], second[cut:]
    for k, (position, token, replace) in enumerate(edits):
        data = first if k % 2 == 0 else second
        at = min(position, len(data))
        data[at : at + (len(token) if replace else 0)] = token
    return {v: bytes(first), v + 1: bytes(second)}


def _outcome(store: EventStore) -> object:
    try:
        return [(repr(e), e) for e in store.read_after(0)]
    except StoreError as exc:
        return str(exc)


@settings(deadline=None, max_examples=150)
@given(drawn=_edits())
@example(drawn=(3, 1, 4, []))  # a name's string opened in row 1, closed in row 2
@example(drawn=(3, 1, 0, [(5, b"\xed\xa0\x80", False)]))  # a raw surrogate in row 1's name
@example(drawn=(3, 1, 0, [(0, b" ", False)]))  # whitespace before row 1's JSON
def test_a_batch_loads_what_its_rows_load_one_at_a_time(
    drawn: tuple[int, int, int, list[tuple[int, bytes, bool]]],
) -> None:
    """Neighbouring sealed rows cut and edited at will, resealed: a batch loads as its rows do.

    The oracle is the row-at-a-time path (each row parsed alone): the same events, or the
    same message.
    """
    size, v, cut, edits = drawn
    with tempfile.TemporaryDirectory() as folder:
        store = _store("sqlite", folder, None, size)  # type: ignore[arg-type]
        _reseal(store, _edited(_rows(store), v, cut, edits))
        found = _outcome(store)
        with mock.patch.object(_sealed, "_batch", return_value=False):
            expected = _outcome(store)
        store.close()
    assert found == expected
