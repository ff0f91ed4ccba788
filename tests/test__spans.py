"""Stays and journeys over time: the whereabouts projection, cut where it changes."""

from collections import defaultdict
from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings

from itinerary import EventLog, _time, load_scenario, replay
from itinerary._spans import Span, horizon, spans
from itinerary.strategies import event_logs

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml"


def test_the_tours_spans() -> None:
    """Trump's tour is five stays and three journeys; the others are each one open stay."""
    found = spans(load_scenario(EXAMPLE).log)
    trump = [(s.kind, s.start_place.name) for s in found if s.who == "Donald Trump"]
    assert trump == [
        ("stay", "Kuala Lumpur"),
        ("travel", "Kuala Lumpur"),
        ("stay", "Tokyo"),
        ("travel", "Tokyo"),
        ("stay", "Busan"),
        ("travel", "Busan"),
        ("stay", "Gyeongju"),
    ]
    journey = next(s for s in found if s.kind == "travel")
    assert journey.destination is not None
    assert journey.destination.name == "Tokyo"
    assert [s.end for s in found if s.who == "Emperor Naruhito"] == [None]


def test_horizon_is_the_latest_recorded_instant() -> None:
    """The tour's horizon is the APEC summit's end, later than any event's start."""
    log = load_scenario(EXAMPLE).log
    assert horizon(log) == log[-1].end
    assert horizon(EventLog()) is None


@settings(max_examples=40)
@given(event_logs(max_events=25))
def test_spans_agree_with_replay(log: EventLog) -> None:
    """Each person's spans follow on one another, and replay at a span's start agrees with it."""
    by_person: dict[str, list[Span]] = defaultdict(list)
    for span in spans(log):
        by_person[span.who].append(span)
    for who, own in by_person.items():
        for before, after in pairwise(own):
            assert before.end is not None
            assert _time.micros(before.end) == _time.micros(after.start)
        assert own[-1].end is None
        for span in own:
            if span.end is not None and _time.micros(span.end) == _time.micros(span.start):
                continue  # superseded at the same instant
            where = replay(log, as_of=span.start).where(who)
            if span.kind == "stay":
                assert where.place == span.place
            else:
                assert where.in_transit
                assert where.origin == span.origin
