"""Ways to read a PostgreSQL store's rows: ``python -m benchmarks.pg_fetch [N]``.

Writes N events (default 300,000) to a PostgresStore on a local server the script starts,
then times fetching the rows alone (no decoding) through a server-side cursor at several
chunk sizes, one client-side ``fetchall``, and ``COPY ... TO STDOUT (FORMAT BINARY)``, and
last the store's whole ``load()`` twice: what ``PostgresStore.load`` reads with is chosen
from these figures (docs/performance.md).
"""

from __future__ import annotations

import sys
import time

import psycopg
from tests._pgserver import LocalServer

from benchmarks.store_scale import events
from itinerary.store.postgres import PostgresStore

QUERY = "SELECT version, type, schema, data, crc FROM scale.itinerary_events ORDER BY version"


def main() -> None:
    """Measure and print."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    log = events(n)
    with LocalServer(durable=True) as server:
        url = server.url() + "?log=scale"
        with PostgresStore(url) as store:
            for begin in range(0, n, 10_000):
                store.extend(log[begin : begin + 10_000], expected_version=begin)
        with psycopg.connect(server.url(), autocommit=True) as conn:
            for itersize in (2_000, 10_000, 100_000):
                with conn.transaction():
                    begin = time.perf_counter()
                    with conn.cursor(name="rows", binary=True) as cursor:
                        cursor.itersize = itersize
                        cursor.execute(QUERY)
                        count = sum(1 for _ in cursor)
                    took = time.perf_counter() - begin
                print(
                    f"server-side cursor, {itersize:>7,} a round trip  {took:6.2f} s  {count:,} rows"
                )
            begin = time.perf_counter()
            with conn.cursor(binary=True) as cursor:
                count = len(cursor.execute(QUERY).fetchall())
            print(f"client-side cursor, one fetchall          {time.perf_counter() - begin:6.2f} s")
            begin = time.perf_counter()
            with (
                conn.cursor() as cursor,
                cursor.copy(f"COPY ({QUERY}) TO STDOUT (FORMAT BINARY)") as copy,
            ):
                copy.set_types(["int8", "text", "int4", "bytea", "int8"])
                count = sum(1 for _ in copy.rows())
            print(f"COPY TO STDOUT (FORMAT BINARY), rows()    {time.perf_counter() - begin:6.2f} s")
        for _ in range(2):
            begin = time.perf_counter()
            with PostgresStore(url, create=False) as store:
                assert store.load().version == n
            print(f"PostgresStore.load() (decoding included)  {time.perf_counter() - begin:6.2f} s")


if __name__ == "__main__":
    main()
