"""The Arrow store (.arrows) against SQLite, and Parquet: ``python -m benchmarks.columnar_store``.

For each size (default 10k, 100k and 1M events of the suite's workload) it writes the log to
an Arrow store and to a SQLite store, in one extend and in batches of 10,000 (what the
issue's SQLite figures were measured with), loads each back as a log, and reads the Arrow
store's columns alone (no log made: what the loader starts from). The Arrow load is the
whole of ``store.load()``: reading the file, checking each batch's seal and CRC-32, and
making the log, kept as columns (its events are built when read, as for any log loaded
so). For the choice of format it writes the same columns to a Parquet file (zstd) and reads
them back. It prints seconds and the file's bytes per event. In the suite (``python -m benchmarks``) the section
``columnar`` measures the Arrow and Parquet rows; the ``store`` section's SQLite rows sit
next to them in the same run. Needs pyarrow (``pip install "itinerary[arrow]"``).
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.suite import FOLD, WRITE, Config, Result, best, optional
from benchmarks.workload import generate
from itinerary.events import Event
from itinerary.store import open_store

BATCH = 10_000
"""Events per extend in the batched writes."""


def _extend(path: str, events: Sequence[Event], batch: int | None) -> None:
    with open_store(path) as store:
        if batch is None:
            store.extend(events)
            return
        for start in range(0, len(events), batch):
            store.extend(events[start : start + batch], expected_version=start)


def section(events: Sequence[Event], config: Config) -> list[Result]:
    """The suite's section: Arrow store write and load, its columns alone, and Parquet."""
    pyarrow = optional("pyarrow", config, "columnar")
    if pyarrow is None:
        return []
    import pyarrow.parquet as pq  # noqa: PLC0415 - an optional extra

    n = len(events)
    results = []
    with tempfile.TemporaryDirectory(prefix="itinerary-bench-") as folder:
        paths: list[str] = []
        loaded: list[int] = []

        def fresh() -> None:
            paths.append(os.path.join(folder, f"events{len(paths)}.arrows"))

        def load() -> None:
            with open_store(paths[-1], create=False) as store:
                loaded.append(len(store.load()))

        def columns() -> Any:
            with open_store(paths[-1], create=False) as store:
                return store.read_table()

        write_s = best(config, n, lambda: _extend(paths[-1], events, None), fresh)
        size = os.path.getsize(paths[-1])
        load_s = best(config, n, load)
        assert loaded[-1] == n
        read_s = best(config, n, columns)
        table = columns()
        parquet = os.path.join(folder, "events.parquet")
        parquet_write_s = best(
            config, n, lambda: pq.write_table(table, parquet, compression="zstd")
        )
        parquet_read_s = best(config, n, lambda: pq.read_table(parquet))
        per = {"bytes/event": size / n}
        results += [
            Result("columnar", "itinerary", "Arrow store write", n, write_s, WRITE, per),
            Result("columnar", "itinerary", "Arrow store load", n, load_s, FOLD),
            Result("columnar", "itinerary", "Arrow store columns, no events", n, read_s),
            Result(
                "columnar",
                "pyarrow",
                "Parquet write (store columns)",
                n,
                parquet_write_s,
                extra={"bytes/event": os.path.getsize(parquet) / n},
            ),
            Result("columnar", "pyarrow", "Parquet read (store columns)", n, parquet_read_s),
        ]
    return results


def _timed(run: Callable[[], Any]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def compare(n: int, *, seed: int = 2025) -> dict[str, float]:
    """Seconds and bytes per event of the Arrow store and SQLite at *n* events (one run each)."""
    import pyarrow as pa  # noqa: PLC0415 - an optional extra
    import pyarrow.parquet as pq  # noqa: PLC0415 - an optional extra

    from itinerary.store.columnar import writer_options  # noqa: PLC0415 - needs pyarrow

    events = generate(n, seed=seed)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="itinerary-bench-") as folder:
        for suffix in (".arrows", ".sqlite"):  # untimed: first-use costs (imports, caches)
            _extend(os.path.join(folder, f"warm{suffix}"), events[:100], None)
        for suffix, label in ((".arrows", "arrow"), (".sqlite", "sqlite")):
            one = os.path.join(folder, f"one{suffix}")
            batched = os.path.join(folder, f"batched{suffix}")
            out[f"{label} write"] = _timed(lambda: _extend(one, events, None))  # noqa: B023
            out[f"{label} write, 10k a batch"] = _timed(
                lambda: _extend(batched, events, BATCH)  # noqa: B023
            )
            with open_store(one, create=False) as store:
                out[f"{label} load"] = _timed(store.load)
            out[f"{label} bytes/event"] = os.path.getsize(one) / n
        with open_store(os.path.join(folder, "one.arrows"), create=False) as store:
            out["arrow columns, no events"] = _timed(store.read_table)
            table = store.read_table()
        stream = os.path.join(folder, "columns.arrows")

        def write_stream() -> None:
            with pa.ipc.new_stream(stream, table.schema, options=writer_options(pa)) as writer:
                writer.write_table(table)

        out["arrow stream write (columns)"] = _timed(write_stream)
        out["arrow stream read (columns)"] = _timed(lambda: pa.ipc.open_stream(stream).read_all())
        parquet = os.path.join(folder, "events.parquet")
        out["parquet write (columns)"] = _timed(
            lambda: pq.write_table(table, parquet, compression="zstd")
        )
        out["parquet read (columns)"] = _timed(lambda: pq.read_table(parquet))
        out["parquet bytes/event"] = os.path.getsize(parquet) / n
    return out


def sqlite_loads(n: int, repeats: int, *, seed: int = 2025) -> dict[str, float]:
    """Best wall and CPU seconds of *repeats* loads of one SQLite store of *n* events.

    The CPU time (``time.process_time``) moves less than the wall time on a shared machine,
    so two branches compare better by it.
    """
    events = generate(n, seed=seed)
    with tempfile.TemporaryDirectory(prefix="itinerary-bench-") as folder:
        path = os.path.join(folder, "one.sqlite")
        _extend(path, events, None)
        del events
        walls, cpus = [], []
        for _ in range(repeats):
            with open_store(path, create=False) as store:
                gc.collect()
                t0, c0 = time.perf_counter(), time.process_time()
                log = store.load()
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
            assert len(log) == n
            del log
    return {"sqlite load (best wall)": min(walls), "sqlite load (best cpu)": min(cpus)}


def main(argv: Sequence[str] | None = None) -> None:
    """Measure each size and print one line per figure."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.columnar_store", description=__doc__
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated counts")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--sqlite-loads",
        type=int,
        default=0,
        metavar="REPEATS",
        help="only SQLite: write once, load REPEATS times, print the best wall and CPU time",
    )
    args = parser.parse_args(argv)
    for n in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        if args.sqlite_loads:
            figures = sqlite_loads(n, args.sqlite_loads, seed=args.seed)
        else:
            figures = compare(n, seed=args.seed)
        print(f"{n:,} events:")
        for name, value in figures.items():
            unit = "" if "bytes" in name else " s"
            print(f"  {name:<30} {value:10.3f}{unit}")


if __name__ == "__main__":
    main()
