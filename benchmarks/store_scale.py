"""Write and load rates of the durable stores: ``python -m benchmarks.store_scale``.

Builds N events (default 1,000,000: arrivals, departures, meetings and signings across the
gazetteer), writes them to a SQLite store in batches, to a PostgreSQL store on a local
server the benchmark starts itself (``--no-postgres`` to leave it out; the server binaries
must be on PATH or in /usr/lib/postgresql/*/bin) and to a JSON Lines export, loads them
back, and reports events/s. It also times the instant decoding alone, to show what share of a
load it is (loading must not be dominated by datetime parsing).

``--write PATH`` only writes the store; ``--load PATH --repeat N`` only loads an existing store,
N times (wall and CPU seconds), so two checkouts can load one store in turn.
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pendulum
from tests._pgserver import LocalServer

from itinerary import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    EventLog,
    MeetingHeld,
    Obligation,
    _time,
)
from itinerary._compat import bulk
from itinerary.places import GAZETTEER
from itinerary.store import DEFAULT_CODEC, SQLiteStore, export_jsonl, import_jsonl
from itinerary.store.codec import decode_instant, encode_instant

T = TypeVar("T")
PEOPLE = ("Donald Trump", "Sanae Takaichi", "Anwar Ibrahim", "Lee Jae-myung", "Xi Jinping")


def events(n: int) -> list[Event]:
    """*n* events of mixed kinds, a minute apart, in the local time of their places."""
    places = list(GAZETTEER.values())
    start = _time.micros(places[0].at("2025-01-01 00:00"))
    out: list[Event] = []
    six_months = pendulum.duration(months=6)
    for i in range(n):
        place = places[i % len(places)]
        at = _time.to_zone(pendulum.from_timestamp((start + i * 60_000_000) / 1e6), place.tz)
        who = PEOPLE[i % len(PEOPLE)]
        kind = i % 8
        if kind in (0, 1, 2):
            out.append(Arrived(who, place, at))
        elif kind in (3, 4):
            out.append(Departed(who, place, at, to=places[(i + 1) % len(places)]))
        elif kind in (5, 6):
            out.append(
                MeetingHeld(f"Meeting {i}", (who, PEOPLE[(i + 1) % 5]), place, at, at.add(hours=1))
            )
        else:
            out.append(
                AgreementSigned(f"Agreement {i}", (who,), place, at,
                                obligations=[Obligation("report", within=six_months)])
            )  # fmt: skip
    return out


def timed(what: str, n: int, fn: Callable[[], T]) -> T:
    """Run *fn*, print its rate for *n* events, and return its result."""
    begin = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - begin
    print(
        f"{what:<42} {seconds:8.2f} s  {n / seconds:>12,.0f} events/s  {seconds / n * 1e6:6.2f} µs/event"
    )
    return result


def _as_format_1(log: list[Event], target: Path) -> None:
    """Write *log* to a format 1 store (JSON objects, no checksums, no dictionary) at *target*."""
    db = sqlite3.connect(target)
    db.execute("CREATE TABLE itinerary_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE itinerary_events (version INTEGER PRIMARY KEY CHECK (version > 0),"
        " type TEXT NOT NULL, schema INTEGER NOT NULL, data TEXT NOT NULL)"
    )
    db.execute("INSERT INTO itinerary_meta VALUES ('format', '1')")
    dumps = DEFAULT_CODEC.dumps
    db.executemany(
        "INSERT INTO itinerary_events VALUES (?, ?, ?, ?)",
        ((version, *dumps(event)) for version, event in enumerate(log, 1)),
    )
    db.commit()
    db.close()


def _postgres(log: list[Event], size: int) -> None:
    """Time a PostgreSQL store's write (in batches of *size*) and load of *log*."""
    from itinerary.store.postgres import PostgresStore  # noqa: PLC0415 - the postgres extra

    n = len(log)
    with LocalServer(durable=True) as server:
        url = server.url() + "?log=scale"

        def write() -> None:
            with PostgresStore(url) as store:
                for begin in range(0, n, size):
                    store.extend(log[begin : begin + size], expected_version=begin)

        timed(f"PostgreSQL write ({size:,} per extend)", n, write)

        def load() -> EventLog:
            with PostgresStore(url, create=False) as store:
                return store.load()

        loaded = timed("PostgreSQL load (checksums)", n, load)
        assert loaded.version == n
        assert loaded[n - 1] == log[n - 1]
        del loaded
        used = server.sql(
            "SELECT pg_total_relation_size('scale.itinerary_events')"
            " + pg_total_relation_size('scale.itinerary_dictionary')"
        )
        print(f"sizes: PostgreSQL {int(used) / n:.0f} B/event (tables and indexes)")


def _load_only(path: str, repeat: int) -> None:
    """Load the store at *path* *repeat* times, printing the wall and CPU time of each."""
    for _ in range(repeat):
        gc.collect()
        begin = time.process_time()
        loaded = timed(
            "SQLite load", SQLiteStore(path, create=False).version,
            lambda: SQLiteStore(path, create=False).load(),
        )  # fmt: skip
        print(f"{'':<42} {time.process_time() - begin:8.2f} s of CPU")
        del loaded


def _write_only(path: str, log: list[Event], size: int) -> None:
    """Write *log* to a new SQLite store at *path*, *size* events per extend."""
    with SQLiteStore(path) as store:
        for begin in range(0, len(log), size):
            store.extend(log[begin : begin + size], expected_version=begin)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store_scale", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--batch", type=int, default=10_000, help="events per SQLite and PostgreSQL extend"
    )
    parser.add_argument(
        "--postgres",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time a PostgreSQL store on a local server (fsync on, as by default)",
    )
    parser.add_argument(
        "--write",
        metavar="PATH",
        help="only build the events and write them to a new store at PATH",
    )
    parser.add_argument(
        "--load",
        metavar="PATH",
        help="only load the existing store at PATH, --repeat times (to compare two checkouts "
        "on one store, alternating)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="loads for --load")
    args = parser.parse_args()
    if args.load:
        _load_only(args.load, args.repeat)
        return
    n = args.events
    if args.write:
        _write_only(args.write, events(n), args.batch)
        return
    print(f"building {n:,} events...")
    log = events(n)
    with tempfile.TemporaryDirectory() as directory:
        sqlite_path = Path(directory) / "scale.sqlite"
        jsonl_path = Path(directory) / "scale.jsonl"

        def write_sqlite() -> None:
            with SQLiteStore(sqlite_path) as store:
                for begin in range(0, n, args.batch):
                    store.extend(log[begin : begin + args.batch], expected_version=begin)

        timed(f"SQLite write ({args.batch:,} per extend)", n, write_sqlite)
        loaded = timed(
            "SQLite load (format 2, checksums)",
            n,
            lambda: SQLiteStore(sqlite_path, create=False).load(),
        )
        assert loaded.version == n
        assert loaded[n - 1] == log[n - 1]
        del loaded
        if args.postgres:
            _postgres(log, args.batch)
        old_path = Path(directory) / "format-1.sqlite"
        _as_format_1(log, old_path)
        loaded = timed(
            "SQLite load (format 1, every field checked)",
            n,
            lambda: SQLiteStore(old_path, create=False).load(),
        )
        assert loaded.version == n
        assert loaded[n - 1] == log[n - 1]
        timed("JSONL export (one batch)", n, lambda: export_jsonl(log, jsonl_path))
        loaded = timed("JSONL import", n, lambda: import_jsonl(jsonl_path))
        assert loaded.version == n
        assert loaded[n - 1] == log[n - 1]
        print(f"sizes: SQLite {sqlite_path.stat().st_size / n:.0f} B/event, "
              f"JSONL {jsonl_path.stat().st_size / n:.0f} B/event")  # fmt: skip
    stored = [encode_instant(e.occurred_at) for e in log]

    def decode_all() -> None:
        with bulk():  # as in a load
            [decode_instant(s) for s in stored]

    timed("instant decoding alone (1 per event)", n, decode_all)
    texts = [e.occurred_at.isoformat() for e in log[: min(n, 100_000)]]
    timed("for comparison: pendulum.parse", len(texts), lambda: [pendulum.parse(t) for t in texts])


if __name__ == "__main__":
    main()
