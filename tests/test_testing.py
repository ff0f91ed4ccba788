"""Tests for itinerary.testing: the stateful tour machine runs as is and when subclassed."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from itinerary import EventLog, replay
from itinerary.places import SEOUL, TOKYO
from itinerary.testing import Reference, TourMachine

TestTour = TourMachine.TestCase


class _TwoCities(TourMachine):
    PEOPLE = ("Ann", "Bo")
    PLACES = (TOKYO, SEOUL)
    START = TOKYO.at("1948-05-01 22:00")  # Japan's first summer time starts that night


def test_a_subclass_with_its_own_people_places_and_start_runs() -> None:
    """Subclasses change who travels where and when, and the same checks hold."""
    run_state_machine_as_test(
        _TwoCities, settings=settings(max_examples=20, stateful_step_count=30)
    )


def test_the_reference_model_of_an_empty_log_knows_nothing() -> None:
    """The reference model of nothing agrees with replay of nothing."""
    reference = Reference(EventLog(), 0)
    assert reference.whereabouts("Ann") == ()
    assert reference.signed == []
    assert reference.deadlines() == set()
    assert replay(EventLog()).people == ()
