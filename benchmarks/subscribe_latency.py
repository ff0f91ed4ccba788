"""Subscription latency, commit to callback: ``python -m benchmarks.subscribe_latency [STORE]``.

A writer process appends N events (default 10,000) to STORE one at a time, a pause apart,
and notes the moment each ``extend`` returned (committed); this process follows the store
with ``store.subscribe()`` and notes the moment each event came out of the iterator (the
"callback"). Both clocks are ``time.monotonic()``, the same system-wide clock on Linux.
Prints the median, p90, p99 and worst latency, and this process's CPU time while following.

STORE is anything ``open_store`` opens (a ``.sqlite`` or ``.jsonl`` path; a server's URL
where the store supports one); default: a new SQLite store in a temporary folder. Events
are appended after what it holds. ``--poll`` sets ``store.poll``, the seconds between two
looks for polling stores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from itinerary import Arrived, Event
from itinerary.places import TOKYO
from itinerary.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def events(n: int, start: int = 0) -> list[Event]:
    """*n* arrivals in Tokyo, a minute apart, named by their number."""
    base = TOKYO.at("2025-10-27 00:00")
    return [Arrived(f"Delegate {start + i}", TOKYO, base.add(minutes=start + i)) for i in range(n)]


def write(target: str, n: int, interval: float, times: str) -> None:
    """The writer process: wait for a line on stdin, append *n* events, save commit times."""
    store = open_store(target)
    start = store.version
    batch = events(n, start)
    sys.stdin.readline()
    committed = []
    for i, event in enumerate(batch):
        store.extend((event,), expected_version=start + i)
        committed.append(time.monotonic())
        if interval:
            time.sleep(interval)
    store.close()
    Path(times).write_text(json.dumps(committed))


def percentile(values: list[float], share: float) -> float:
    """The *share* (0 to 1) percentile of *values*, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(target: str, n: int, interval: float, poll: float | None) -> dict[str, Any]:
    """Follow *target* while a writer process appends *n* events; the latencies in ms."""
    store = open_store(target)
    if poll is not None:
        store.poll = poll
    start = store.version
    with tempfile.TemporaryDirectory() as folder:
        times = str(Path(folder) / "committed.json")
        writer = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.subscribe_latency", target, "--events", str(n),
             "--interval", str(interval), "--write", times],
            stdin=subprocess.PIPE, cwd=ROOT, text=True,
        )  # fmt: skip
        received: list[float] = []
        with store.subscribe(after=start, timeout=60) as subscription:
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.close()
            cpu = time.process_time()
            for recorded in subscription:
                received.append(time.monotonic())
                if recorded.version != start + len(received):
                    raise SystemExit(f"version {recorded.version} out of order")
                if len(received) == n:
                    break
            cpu = time.process_time() - cpu
        if writer.wait(timeout=120) != 0:
            raise SystemExit("the writer failed")
        committed = json.loads(Path(times).read_text())
    store.close()
    if len(received) != n:
        raise SystemExit(f"received {len(received)} of {n} events")
    latencies = [(got - sent) * 1000 for got, sent in zip(received, committed, strict=True)]
    return {
        "store": type(store).__name__,
        "events": n,
        "interval_ms": interval * 1000,
        "poll_ms": store.poll * 1000,
        "median_ms": statistics.median(latencies),
        "p90_ms": percentile(latencies, 0.90),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "subscriber_cpu_s": cpu,
    }


def follower_cost(n: int, size: int, shuffled: bool = False) -> dict[str, Any]:
    """Seconds per event a :class:`Follower` spends keeping ``replay`` up to date.

    *n* mixed events (``benchmarks.store_scale.events``) are appended to a memory store
    *size* at a time; after each batch the follower steps and its state is read. With
    *shuffled*, every 10th batch is recorded late (it occurred before those already read),
    which makes the next replay sort afresh. For comparison, the cost of replaying the
    whole log from scratch once at the end.
    """
    from benchmarks.store_scale import events as mixed  # noqa: PLC0415 - only this measure
    from itinerary import EventLog, Follower, replay  # noqa: PLC0415
    from itinerary.store import MemoryStore  # noqa: PLC0415

    log = mixed(n)
    batches = [log[i : i + size] for i in range(0, n, size)]
    if shuffled:
        for i in range(10, len(batches), 10):
            batches[i - 1], batches[i] = batches[i], batches[i - 1]
    store = MemoryStore()
    follower = Follower(store)
    begin = time.perf_counter()
    for batch in batches:
        store.extend(batch)
        follower.step()
        follower.state  # noqa: B018 - computing the state is what is measured
    spent = time.perf_counter() - begin
    begin = time.perf_counter()
    fresh = replay(EventLog(store.load()))
    once = time.perf_counter() - begin
    state = follower.state
    assert dict(state.whereabouts) == dict(fresh.whereabouts)
    assert state.agreements == fresh.agreements
    return {"events": n, "batch": size, "shuffled": shuffled,
            "follower_us_per_event": spent / n * 1e6, "replay_once_us_per_event": once / n * 1e6}  # fmt: skip


def idle_cpu(target: str, seconds: float, poll: float | None) -> float:
    """The share of a core a caught-up subscriber of *target* uses while nothing is written."""
    store = open_store(target)
    if poll is not None:
        store.poll = poll
    with store.subscribe(after=store.version) as subscription:
        cpu, wall = time.process_time(), time.monotonic()
        subscription.poll(timeout=seconds)
        share = (time.process_time() - cpu) / (time.monotonic() - wall)
    store.close()
    return share


def main(argv: Sequence[str] | None = None) -> None:
    """Measure, and print the figures (and write them as JSON with ``--json``)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.subscribe_latency", description=__doc__
    )
    parser.add_argument(
        "store", nargs="?", help="a store path or URL (default: a new SQLite store)"
    )
    parser.add_argument("--events", type=int, default=10_000, help="how many events (10,000)")
    parser.add_argument("--interval", type=float, default=0.001,
                        help="seconds the writer pauses after each commit (0.001)")  # fmt: skip
    parser.add_argument("--poll", type=float, help="store.poll, seconds (default: the store's)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--follower", type=int, metavar="BATCH",
                        help="instead: a Follower's replay cost per event, in batches of BATCH")  # fmt: skip
    parser.add_argument("--idle", type=float, metavar="SECONDS",
                        help="instead: the CPU a subscriber uses waiting SECONDS for nothing")  # fmt: skip
    parser.add_argument("--write", help=argparse.SUPPRESS)  # the writer process: its times file
    args = parser.parse_args(argv)
    if args.write:
        write(args.store, args.events, args.interval, args.write)
        return
    if args.follower:
        for shuffled in (False, True):
            cost = follower_cost(args.events, args.follower, shuffled)
            order = "every 10th batch late" if shuffled else "in order"
            print(
                f"Follower, {cost['events']:,} events in batches of {cost['batch']} ({order}): "
                f"{cost['follower_us_per_event']:.1f} µs per event to keep replay() current; "
                f"replaying the whole log once: {cost['replay_once_us_per_event']:.1f} µs per event"
            )
        return
    with tempfile.TemporaryDirectory() as folder:
        target = args.store or str(Path(folder) / "latency.sqlite")
        if args.idle:
            share = idle_cpu(target, args.idle, args.poll)
            print(f"Waiting {args.idle:g} s for nothing: {share:.2%} of a core")
            return
        figures = measure(target, args.events, args.interval, args.poll)
    print(
        f"{figures['store']}, {figures['events']:,} events, one per commit, "
        f"{figures['interval_ms']:g} ms apart, store.poll {figures['poll_ms']:g} ms: "
        f"commit to callback median {figures['median_ms']:.2f} ms, "
        f"p90 {figures['p90_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms, "
        f"worst {figures['max_ms']:.2f} ms; subscriber CPU {figures['subscriber_cpu_s']:.2f} s"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
