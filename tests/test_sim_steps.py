"""Tests for itinerary.sim.steps: the frozen steps, their default names, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import attrs
import pendulum
import pytest
from hypothesis import given

from itinerary import Obligation
from itinerary.errors import InvalidPlanError, ItineraryError
from itinerary.places import KUALA_LUMPUR, SEOUL, TOKYO
from itinerary.sim import Delay, Fulfilment, Meeting, Signing, Step, Travel
from itinerary.sim.steps import STEP_KINDS, end_place, start_place, with_start
from itinerary.strategies import plans

H = pendulum.duration
AT = TOKYO.at("2025-10-28 10:00")
NAIVE = datetime(2025, 10, 28, 10)  # naive on purpose


def test_default_names() -> None:
    """A leg is named for its travellers and places; a meeting or signing for its title."""
    leg = Travel(("A", "B"), SEOUL, TOKYO, SEOUL.at("2025-10-28 07:00"), H(hours=3))
    assert leg.name == "A, B: Seoul -> Tokyo"
    assert leg.describe() == "A, B travel from Seoul to Tokyo"
    assert Meeting("Summit", "A", TOKYO, AT, H(hours=1)).name == "Summit"
    assert Signing("Pact", "A", TOKYO, AT).name == "Pact"
    assert Fulfilment("Pact", "pay", H(months=5)).name == "Pact: pay"
    assert Meeting("Summit", "A", TOKYO, AT, H(hours=1), name="Lunch").name == "Lunch"


def test_each_step_says_its_kind() -> None:
    """step.kind names a leg, a meeting, a signing and a fulfilment, in STEP_KINDS' order."""
    steps = (
        Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-28 07:00"), H(hours=3)),
        Meeting("Summit", "A", TOKYO, AT, H(hours=1)),
        Signing("Pact", "A", TOKYO, AT),
        Fulfilment("Pact", "pay", H(months=5)),
    )
    assert tuple(step.kind for step in steps) == STEP_KINDS
    assert STEP_KINDS == ("travel", "meeting", "signing", "fulfilment")
    assert "kind" not in attrs.fields_dict(Travel)  # a fact of the class, not a field


def test_one_name_is_one_person() -> None:
    """A single name is one traveller, not a tuple of its letters."""
    assert Travel("Anwar", KUALA_LUMPUR, TOKYO, AT, H(hours=7)).who == ("Anwar",)


def test_steps_are_frozen_values() -> None:
    """Steps are immutable, compare by value, and durations by their parts."""
    meeting = Meeting("Summit", "A", TOKYO, AT, H(hours=1))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        meeting.title = "Other"  # type: ignore[misc]
    assert meeting == Meeting("Summit", ("A",), TOKYO, AT, timedelta(hours=1))
    assert Fulfilment("P", "x", H(months=6)) != Fulfilment("P", "x", timedelta(days=180))


@given(plans())
def test_steps_rebuild_from_their_fields(plan: object) -> None:
    """Every step plans() draws is rebuilt equal from its own fields."""
    for step in plan:  # type: ignore[attr-defined]
        assert attrs.evolve(step) == step


BAD: list[tuple[str, Callable[[], Step], str]] = [
    ("naive start", lambda: Meeting("Summit", "A", TOKYO, NAIVE, H(hours=1)), "Meeting 'Summit': start is a naive"),
    ("naive depart", lambda: Travel("A", SEOUL, TOKYO, NAIVE, H(hours=3)), "Travel 'A: Seoul -> Tokyo': depart is a naive"),
    ("naive signing", lambda: Signing("Pact", "A", TOKYO, NAIVE), "Signing 'Pact': at is a naive"),
    ("text instant", lambda: Signing("Pact", "A", TOKYO, "2025-10-28 10:00"), "Signing 'Pact': at must be"),  # type: ignore[arg-type]
    ("place as text", lambda: Travel("A", "Seoul", TOKYO, AT, H(hours=3)), "Travel 'A: Seoul -> Tokyo': origin must be a Place"),  # type: ignore[arg-type]
    ("number as people", lambda: Travel(3, SEOUL, TOKYO, AT, H(hours=3)), "Travel '3: Seoul -> Tokyo': who must name"),  # type: ignore[arg-type]
    ("nobody", lambda: Meeting("Summit", (), TOKYO, AT, H(hours=1)), "Meeting 'Summit': participants must name"),
    ("someone twice", lambda: Signing("Pact", ("A", "A"), TOKYO, AT), "Signing 'Pact': signatories names someone twice"),
    ("blank name", lambda: Meeting("Summit", ("A", " "), TOKYO, AT, H(hours=1)), "Meeting 'Summit': every one of participants"),
    ("empty title", lambda: Meeting("", "A", TOKYO, AT, H(hours=1)), "title must be a non-empty string"),
    ("going nowhere", lambda: Travel("A", TOKYO, TOKYO, AT, H(hours=1)), "Travel 'A: Tokyo -> Tokyo': travels from Tokyo to Tokyo"),
    ("negative leg", lambda: Travel("A", SEOUL, TOKYO, AT, H(hours=-3)), "Travel 'A: Seoul -> Tokyo': duration must not be negative"),
    ("monthly leg", lambda: Travel("A", SEOUL, TOKYO, AT, H(months=1)), "Travel 'A: Seoul -> Tokyo': duration must be elapsed time"),
    ("monthly meeting", lambda: Meeting("Summit", "A", TOKYO, AT, H(years=1)), "Meeting 'Summit': duration must be elapsed time"),
    ("text duration", lambda: Meeting("Summit", "A", TOKYO, AT, "1h"), "Meeting 'Summit': duration must be a duration"),  # type: ignore[arg-type]
    ("negative after", lambda: Fulfilment("Pact", "pay", H(days=-1)), "Fulfilment 'Pact: pay': after must be a non-negative"),
    ("number after", lambda: Fulfilment("Pact", "pay", 5), "Fulfilment 'Pact: pay': after must be"),  # type: ignore[arg-type]
    ("wrong delay", lambda: Meeting("Summit", "A", TOKYO, AT, H(hours=1), delay=H(hours=1)), "Meeting 'Summit': delay must be a Delay"),  # type: ignore[arg-type]
    ("empty name", lambda: Meeting("Summit", "A", TOKYO, AT, H(hours=1), name=""), "name must be a non-empty string"),
    ("bad obligations", lambda: Signing("Pact", "A", TOKYO, AT, obligations=["pay"]), "Signing 'Pact': obligations must be"),  # type: ignore[list-item]
    ("fixed due", lambda: Signing("Pact", "A", TOKYO, AT, obligations=[Obligation("pay", due=AT + H(days=30))]), "Signing 'Pact': obligation 'pay' has a fixed due="),
    ("listed twice", lambda: Signing("Pact", "A", TOKYO, AT, obligations=[Obligation("pay", within=H(days=1))] * 2), "Signing 'Pact': an obligation is listed twice"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "build", "message"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_steps_name_themselves(case: str, build: Callable[[], Step], message: str) -> None:
    """Every wrong argument raises InvalidPlanError with a message naming the step."""
    with pytest.raises(InvalidPlanError) as info:
        build()
    assert message in str(info.value), case
    assert isinstance(info.value, ItineraryError)


def test_delay_overrides_are_kept() -> None:
    """A step's own delay= is kept as given."""
    delay = Delay.fixed(H(minutes=20))
    assert Signing("Pact", "A", TOKYO, AT, delay=delay).delay == delay


@given(plans(max_steps=6))
def test_a_step_moved_to_its_own_start_is_itself_and_keeps_its_places(plan: object) -> None:
    """with_start moves a step's start, and nothing else; an obligation met cannot move."""
    for step in plan.steps:  # type: ignore[attr-defined]
        if isinstance(step, Fulfilment):
            assert start_place(step) is None
            with pytest.raises(InvalidPlanError, match="no start of its own"):
                with_start(step, pendulum.datetime(2025, 1, 1))
            continue
        assert with_start(step, step.start) == step
        later = with_start(step, step.start + timedelta(hours=1))
        assert later.start == step.start + timedelta(hours=1)  # type: ignore[union-attr]
        assert (start_place(later), end_place(later)) == (start_place(step), end_place(step))
        assert end_place(step) == (step.destination if isinstance(step, Travel) else step.place)
