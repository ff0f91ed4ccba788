"""What an idle ``itinerary follow --as-of-now`` costs a tick: ``python -m benchmarks.follow_tick``.

Follows a memory store holding N events (default 100,000) as ``follow --as-of-now`` does
and times ten one-second ticks with no new event (the wait itself left out): with
``--mixed``, ``benchmarks.store_scale``'s events (five people), otherwise arrivals of N
different people. Prints the time to the first screen and the median and worst tick.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import time

from benchmarks import store_scale, subscribe_latency
from itinerary import EventLog, cli
from itinerary.store import Follower, MemoryStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--mixed", action="store_true", help="store_scale's mixed events")
    args = parser.parse_args()
    events = (store_scale.events if args.mixed else subscribe_latency.events)(args.events)
    follower = Follower(MemoryStore(EventLog(events)), cli._now_view)
    ticks: list[float] = []

    def idle(timeout: float | None = 0.0) -> list[object]:
        ticks.append(time.perf_counter())
        if len(ticks) > 11:
            raise KeyboardInterrupt
        return []

    follower.step_each = idle  # type: ignore[method-assign]
    cli._echo = lambda text: None  # type: ignore[assignment]
    started = time.perf_counter()
    with contextlib.suppress(KeyboardInterrupt):
        cli._follow(follower, as_of_now=True)
    gaps = sorted(b - a for a, b in itertools.pairwise(ticks[1:]))
    print(
        f"follow --as-of-now, {args.events} events: first screen {ticks[0] - started:.2f} s; "
        f"a tick: median {gaps[len(gaps) // 2] * 1e3:.2f} ms, worst {gaps[-1] * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
