"""Tests for itinerary.events: the frozen event values and their validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pendulum
import pytest
from hypothesis import given

from itinerary import (
    AgreementSigned,
    Arrived,
    Departed,
    EventLog,
    InvalidEventError,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.events import (
    DUTIES,
    END,
    EVENT_TYPES,
    FIELDS,
    INSTANT,
    NAMES,
    OPTIONAL_PLACE,
    OPTIONAL_TEXT,
    PLACE,
    TEXT,
    VALUE_KINDS,
)
from itinerary.places import SEOUL, TOKYO, WASHINGTON, Place
from itinerary.strategies import event_logs

TRUMP, TAKAICHI = "Donald Trump", "Sanae Takaichi"
NOON = TOKYO.at("2025-10-28 12:00")


def test_the_sketch_constructors_accept_keywords() -> None:
    """Every event can be built with keyword arguments named as in the docs."""
    Arrived(who=TRUMP, place=TOKYO, at=NOON)
    Departed(who=TRUMP, place=TOKYO, at=NOON, to=SEOUL)
    MeetingHeld(
        title="Summit",
        participants=[TRUMP, TAKAICHI],
        place=TOKYO,
        start=NOON,
        end=NOON,
        venue="Akasaka",
    )
    AgreementSigned(
        title="Trade", signatories=[TRUMP], place=TOKYO, at=NOON, venue="Akasaka",
        obligations=[Obligation(what="report", due=NOON + timedelta(days=30))],
    )  # fmt: skip
    ObligationMet(agreement="Trade", what="report", at=NOON)


def test_events_are_frozen_slotted_values() -> None:
    """Events compare by value and cannot be changed after construction."""
    event = Arrived(TRUMP, TOKYO, NOON)
    assert event == Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-28 12:00"))
    assert not hasattr(event, "__dict__")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.who = TAKAICHI  # type: ignore[misc]


def test_lists_become_tuples() -> None:
    """Participants, signatories and obligations are stored as tuples."""
    meeting = MeetingHeld("Summit", [TRUMP, TAKAICHI], TOKYO, NOON, NOON)
    signing = AgreementSigned(
        "Trade", [TRUMP], TOKYO, NOON, obligations=[Obligation("x", due=NOON)]
    )
    assert isinstance(meeting.participants, tuple)
    assert isinstance(signing.obligations, tuple)
    assert MeetingHeld("Solo", TRUMP, TOKYO, NOON, NOON).participants == (TRUMP,)


def test_an_aware_stdlib_datetime_is_accepted_as_the_same_instant() -> None:
    """Any aware datetime is an exact instant; it is kept as a pendulum DateTime."""
    event = Arrived(TRUMP, TOKYO, datetime(2025, 10, 28, 3, tzinfo=UTC))
    assert isinstance(event.at, pendulum.DateTime)
    assert event.at == NOON


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Arrived(TRUMP, TOKYO, datetime(2025, 10, 28, 12)), r"Arrived 'Donald Trump': at is a naive datetime \(2025-10-28 12:00:00\)"),
        (lambda: Departed(TRUMP, TOKYO, "2025-10-28 12:00"), "Departed 'Donald Trump': at must be a timezone-aware datetime, got str"),
        (lambda: Arrived("", TOKYO, NOON), "who must be a non-empty string"),
        (lambda: Arrived(TRUMP, "Tokyo", NOON), "place must be a Place"),
        (lambda: Departed(TRUMP, TOKYO, NOON, to="Seoul"), "to must be a Place"),
        (lambda: MeetingHeld("Summit", [], TOKYO, NOON, NOON), "participants must name at least one person"),
        (lambda: MeetingHeld("Summit", [TRUMP, TRUMP], TOKYO, NOON, NOON), "participants names someone twice"),
        (lambda: MeetingHeld("Summit", [TRUMP, ""], TOKYO, NOON, NOON), "must be a non-empty name"),
        (lambda: MeetingHeld("Summit", [TRUMP], TOKYO, NOON, NOON - timedelta(minutes=1)), r"MeetingHeld 'Summit' in Tokyo ends \(2025-10-28 11:59 \+09:00\) before it starts \(2025-10-28 12:00 \+09:00\)"),
        (lambda: AgreementSigned("Trade", (), TOKYO, NOON), "signatories must name at least one person"),
        (lambda: AgreementSigned("Trade", [TRUMP], TOKYO, NOON, obligations=["report"]), "obligations must hold Obligation values"),
        (lambda: AgreementSigned("Trade", [TRUMP], TOKYO, NOON, obligations=[Obligation("x", due=NOON), Obligation("x", due=NOON)]), "obligation 'x' is listed twice"),
        (lambda: Obligation("report"), "needs exactly one of within="),
        (lambda: Obligation("report", within=pendulum.duration(days=1), due=NOON), "needs exactly one of within="),
        (lambda: Obligation("report", within="6 months"), "within= must be a duration"),
        (lambda: Obligation("report", within=timedelta(0)), "within= must be a positive duration"),
        (lambda: Obligation("report", due=datetime(2026, 4, 28)), "due is a naive datetime"),
        (lambda: ObligationMet("Trade", "report", datetime(2026, 1, 1)), "ObligationMet: at is a naive datetime"),
    ],
)  # fmt: skip
def test_impossible_facts_fail_at_construction(build: object, match: str) -> None:
    """A value that cannot describe a real fact raises InvalidEventError saying what and where."""
    with pytest.raises(InvalidEventError, match=match):
        build()  # type: ignore[operator]


def test_a_period_counts_in_the_signing_places_calendar() -> None:
    """Six months from 31 March 00:30 in Tokyo is 30 September 00:30 Tokyo time."""
    signed = TOKYO.at("2025-03-31 00:30")
    obligation = Obligation("report", within=pendulum.duration(months=6))
    assert obligation.due_after(signed, TOKYO).isoformat() == "2025-09-30T00:30:00+09:00"
    # The same instant signed in Washington is 30 March 11:30 there: due 30 September 11:30.
    assert obligation.due_after(signed, WASHINGTON).isoformat() == "2025-09-30T11:30:00-04:00"


def test_a_due_instant_is_used_as_given() -> None:
    """An obligation with due= has that deadline wherever it was signed."""
    due = SEOUL.at("2026-01-15 18:00")
    assert Obligation("report", due=due).due_after(NOON, TOKYO) == due


def test_every_event_says_when_it_occurred_who_it_is_about_and_what_happened() -> None:
    """occurred_at, people and describe() give the generic view of each event."""
    meeting = MeetingHeld(
        "Summit", [TRUMP, TAKAICHI], TOKYO, NOON, NOON + timedelta(hours=1), venue="Akasaka"
    )
    cases = [
        (Arrived(TRUMP, TOKYO, NOON), NOON, (TRUMP,), "Donald Trump arrives in Tokyo"),
        (Departed(TRUMP, TOKYO, NOON, to=SEOUL), NOON, (TRUMP,), "Donald Trump leaves Tokyo for Seoul"),
        (Departed(TRUMP, TOKYO, NOON), NOON, (TRUMP,), "Donald Trump leaves Tokyo"),
        (meeting, NOON, (TRUMP, TAKAICHI), "Summit (Donald Trump, Sanae Takaichi) at Akasaka"),
        (AgreementSigned("Trade", [TRUMP], TOKYO, NOON), NOON, (TRUMP,), "Trade signed by Donald Trump"),
        (ObligationMet("Trade", "report", NOON), NOON, (), "'report' of Trade met"),
    ]  # fmt: skip
    for event, when, people, text in cases:
        assert (event.occurred_at, event.people, event.describe()) == (when, people, text)


def test_events_an_hour_apart_in_a_fold_are_not_equal() -> None:
    """The two readings of 01:30 in Washington on 2025-11-02 make different events."""
    first = WASHINGTON.at("2025-11-02 01:30", disambiguate="earlier")
    second = WASHINGTON.at("2025-11-02 01:30", disambiguate="later")
    assert first == second  # plain datetime equality ignores fold: the trap
    assert Arrived(TRUMP, WASHINGTON, first) != Arrived(TRUMP, WASHINGTON, second)
    assert len({Arrived(TRUMP, WASHINGTON, first), Arrived(TRUMP, WASHINGTON, second)}) == 2
    assert Arrived(TRUMP, WASHINGTON, first) == Arrived(TRUMP, TOKYO, first).__class__(
        TRUMP, WASHINGTON, TOKYO.local(first)
    )  # one instant on another clock is still the same fact


def test_an_obligation_whose_deadline_is_no_real_instant_is_refused() -> None:
    """A period that runs past the year 9999 fails when the agreement is built, not at replay."""
    with pytest.raises(
        InvalidEventError, match="deadline of obligation 'report' cannot be computed"
    ):
        AgreementSigned(
            "Trade", [TRUMP], TOKYO, NOON,
            obligations=[Obligation("report", within=pendulum.duration(years=9000))],
        )  # fmt: skip


def test_a_missing_attribute_of_an_event_is_still_an_attribute_error() -> None:
    """Reading a field an event does not have raises AttributeError naming it."""
    event = Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))
    with pytest.raises(AttributeError, match="'Arrived' object has no attribute 'title'") as info:
        event.title  # type: ignore[attr-defined]  # noqa: B018 - the read is the test
    assert info.value.name == "title"
    assert getattr(event, "title", None) is None
    blank = object.__new__(Arrived)  # no slot set: nothing to build the instant from
    with pytest.raises(AttributeError, match="no attribute 'at'"):
        blank.at  # noqa: B018


def test_an_event_made_unchecked_computes_its_kept_instant_on_first_read() -> None:
    """An event made without its constructor (the simulator's) reads its microseconds once."""
    from itinerary import _time, _trusted  # noqa: PLC0415
    from itinerary.events import Event  # noqa: PLC0415

    at = TOKYO.at("2025-10-27 17:00")
    event = _trusted.arrived("Donald Trump", TOKYO, at)
    assert event._us == _time.micros(at)  # type: ignore[attr-defined]
    assert Event._us.__get__(event) == _time.micros(at)  # type: ignore[attr-defined]  # kept
    blank = object.__new__(Arrived)
    with pytest.raises(AttributeError, match="no attribute '_us'"):
        blank._us  # type: ignore[attr-defined]  # noqa: B018


def test_the_field_table_names_every_field_in_constructor_order() -> None:
    """FIELDS lists each built-in type's attrs fields in order, each with a known value kind."""
    assert set(FIELDS) == set(EVENT_TYPES)
    for cls, fields in FIELDS.items():
        assert tuple(name for name, _ in fields) == tuple(a.name for a in attrs.fields(cls))
        kinds = [kind for _, kind in fields]
        assert set(kinds) <= set(VALUE_KINDS), cls
        assert kinds.count(INSTANT) == 1, cls
        assert kinds.count(END) <= 1, cls
        if DUTIES in kinds:
            assert PLACE in kinds, cls


_KIND_CHECKS = {
    TEXT: lambda v: type(v) is str and bool(v.strip()),
    OPTIONAL_TEXT: lambda v: v is None or (type(v) is str and bool(v.strip())),
    NAMES: lambda v: type(v) is tuple and bool(v) and all(type(n) is str for n in v),
    PLACE: lambda v: isinstance(v, Place),
    OPTIONAL_PLACE: lambda v: v is None or isinstance(v, Place),
    INSTANT: lambda v: isinstance(v, datetime) and v.tzinfo is not None,
    END: lambda v: isinstance(v, datetime) and v.tzinfo is not None,
    DUTIES: lambda v: type(v) is tuple and all(type(o) is Obligation for o in v),
}


@given(event_logs())
def test_each_field_holds_a_value_of_its_kind(log: EventLog) -> None:
    """Every field of every event holds a value of the kind FIELDS gives it; INSTANT is when."""
    for event in log:
        for name, kind in FIELDS[type(event)]:
            assert _KIND_CHECKS[kind](getattr(event, name)), (type(event).__name__, name)
            if kind == INSTANT:
                assert getattr(event, name) is event.occurred_at
            if kind == END:
                at = next(n for n, k in FIELDS[type(event)] if k == INSTANT)
                assert getattr(event, name) >= getattr(event, at)
