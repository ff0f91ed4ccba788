"""How long ``itinerary follow --after 0`` takes to catch up: ``python -m benchmarks.follow_catchup``.

Writes N events (default 5,000) to STORE (default: a new SQLite store in a temporary folder;
a ``.jsonl`` path or a PostgreSQL URL works too), then one last arrival of a person of its
own, runs ``python -m itinerary follow --after 0 STORE`` and times, from the moment the
command said "Following" (the interpreter started and the store opened), how long until it
printed the line of that last version; then stops it with Ctrl-C (SIGINT). ``--mixed``
writes the mixed events of ``benchmarks.store_scale`` (five people) instead of arrivals of
N different people (one line printed per event).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import store_scale, subscribe_latency
from itinerary import Arrived
from itinerary.places import TOKYO
from itinerary.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def fill(target: str, n: int, mixed: bool) -> int:
    """Append the events and the last arrival to *target*; return the store's version."""
    events = store_scale.events(n) if mixed else subscribe_latency.events(n)
    events.append(Arrived("Last Delegate", TOKYO, TOKYO.at("2030-01-01 00:00")))
    store = open_store(target)
    try:
        for start in range(0, len(events), 1000):
            store.extend(events[start : start + 1000])
        return store.version
    finally:
        store.close()


def follow_time(target: str, version: int) -> float:
    """Seconds from "Following" to the line of *version*, for ``follow --after 0``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    child = subprocess.Popen(
        [sys.executable, "-m", "itinerary", "follow", "--after", "0", target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stderr is not None
        assert child.stdout is not None
        said = child.stderr.readline()
        assert said.startswith("Following"), said
        started = time.monotonic()
        last = f"version {version}: "
        for line in child.stdout:
            if line.startswith(last):
                return time.monotonic() - started
        raise RuntimeError(f"follow ended before version {version}: {child.stderr.read()}")
    finally:
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("store", nargs="?", help="a store to write to (default: a new SQLite)")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--mixed", action="store_true", help="store_scale's mixed events")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        target = args.store or str(Path(folder) / "follow.sqlite")
        version = fill(target, args.events, args.mixed)
        seconds = follow_time(target, version)
    print(
        f"follow --after 0: {version} events caught up in {seconds:.2f} s "
        f"({seconds / version * 1e6:.0f} µs an event)"
    )


if __name__ == "__main__":
    main()
