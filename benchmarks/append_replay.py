"""Append N events one by one, then replay them: events per second (issue 2's figure).

    python benchmarks/append_replay.py [N]     # default N = 200_000

The events are the tour's kind: several people moving between the gazetteer's places,
with a meeting per arrival and a signing with an obligation every 50 events.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import pendulum

from itinerary import AgreementSigned, Arrived, Departed, EventLog, MeetingHeld, Obligation, replay
from itinerary.places import GAZETTEER

PEOPLE = [f"Delegate {i}" for i in range(8)]


def workload(n: int) -> list:
    places = list(GAZETTEER.values())
    start = places[0].at("2025-01-01 08:00")
    events: list = []
    step = 0
    while len(events) < n:
        at = start + timedelta(minutes=30 * step)
        who = PEOPLE[step % len(PEOPLE)]
        here, there = places[step % len(places)], places[(step + 1) % len(places)]
        events.append(Departed(who, here, at, to=there))
        events.append(Arrived(who, there, at + timedelta(hours=2)))
        events.append(
            MeetingHeld("Talks", (who,), there, at + timedelta(hours=3), at + timedelta(hours=4))
        )
        if step % 17 == 0:
            events.append(
                AgreementSigned(
                    f"Agreement {step}", (who,), there, at + timedelta(hours=5),
                    obligations=[Obligation("report", within=pendulum.duration(months=6))],
                )
            )  # fmt: skip
        step += 1
    return events[:n]


def main(n: int) -> None:
    events = workload(n)
    t0 = time.perf_counter()
    log = EventLog()
    for event in events:
        log = log.append(event)
    t1 = time.perf_counter()
    state = replay(log)
    t2 = time.perf_counter()
    replay(log, as_of=state.as_of)  # a second question: served from the kept snapshots
    t3 = time.perf_counter()
    print(f"events: {n:,}")
    print(f"append one by one: {t1 - t0:.2f} s = {n / (t1 - t0):,.0f} events/s")
    print(f"first replay:      {t2 - t1:.2f} s = {n / (t2 - t1):,.0f} events/s")
    print(f"next as_of query:  {(t3 - t2) * 1e3:.2f} ms")
    print(f"agreements: {len(state.agreements):,}, people: {len(state.people)}")
    # A notebook's loop: append a later event, ask again. The index grows in place.
    last = state.as_of
    assert last is not None
    t4 = time.perf_counter()
    for hour in range(1, 6):
        log = log.append(Arrived(PEOPLE[0], GAZETTEER["Tokyo"], last + timedelta(hours=hour)))
        replay(log)
    print(f"5 x (append a later event + replay): {(time.perf_counter() - t4) * 1e3:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
