"""Contention on a PostgreSQL store: ``python -m benchmarks.pg_contend [PROCESSES] [ATTEMPTS]``.

Starts a local server (``fsync`` off, as the tests' server, then on), and PROCESSES (default
8) processes that each append ATTEMPTS (default 300) events at the version they have just
read; prints the attempts, the events stored, the conflicts (``ConcurrencyError``) and the
time from the start signal to the last report, and checks that every stored event is
distinct and is one some process was told it stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests._pgserver import LocalServer

from itinerary import Arrived, ConcurrencyError
from itinerary.places import TOKYO
from itinerary.store.postgres import PostgresStore

ROOT = Path(__file__).resolve().parent.parent


def _child(url: str, name: str, attempts: int, go: Path) -> None:
    store = PostgresStore(url, create=False)
    at = TOKYO.at("2025-10-27 00:00")
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    won, conflicts = [], 0
    for attempt in range(attempts):
        try:
            store.append(Arrived(f"{name} {attempt}", TOKYO, at), expected_version=store.version)
        except ConcurrencyError:
            conflicts += 1
        else:
            won.append(f"{name} {attempt}")
    store.close()
    print(json.dumps({"won": won, "conflicts": conflicts}), flush=True)


def _run(durable: bool, processes: int, attempts: int) -> None:
    with LocalServer(durable=durable) as server, tempfile.TemporaryDirectory() as folder:
        url = server.url() + "?log=contend"
        PostgresStore(url).close()
        go = Path(folder) / "go"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.pg_contend",
                    "child",
                    url,
                    f"p{n}",
                    str(attempts),
                    str(go),
                ],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
            )
            for n in range(processes)
        ]
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        begin = time.perf_counter()
        go.touch()
        reports = [json.loads(child.communicate()[0]) for child in children]
        took = time.perf_counter() - begin
        with PostgresStore(url, create=False) as store:
            names = [event.who for event in store.load()]
        won = sorted(name for report in reports for name in report["won"])
        assert sorted(names) == won, "an event lost, doubled or stored unannounced"
        conflicts = sum(report["conflicts"] for report in reports)
        print(
            f"fsync {'on ' if durable else 'off'}: {processes * attempts:,} attempts by "
            f"{processes} processes in {took:.1f} s: {len(names):,} stored, {conflicts:,} "
            f"ConcurrencyError, {len(won) + conflicts:,} accounted for, 0 lost, 0 doubled"
        )


def main() -> None:
    """Measure and print."""
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    attempts = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    for durable in (False, True):
        _run(durable, processes, attempts)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
