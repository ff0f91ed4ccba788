"""Tests for itinerary.sim.plan: Plan's checks, its names, and replace/without/with_."""

from __future__ import annotations

import attrs
import pendulum
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from itinerary import Obligation
from itinerary.errors import InvalidPlanError
from itinerary.places import BUSAN, KUALA_LUMPUR, SEOUL, TOKYO, WASHINGTON
from itinerary.sim import Fulfilment, Meeting, Plan, Signing, Travel
from itinerary.strategies import plans

H = pendulum.duration
LEG = Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-28 07:00"), H(hours=3))
SUMMIT = Meeting("Summit", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 12:00"), H(hours=1))
PACT = Signing(
    "Pact", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 13:00"),
    obligations=[Obligation("pay", within=H(months=6))],
)  # fmt: skip
PAID = Fulfilment("Pact", "pay", H(months=5))
PLAN = Plan([LEG, SUMMIT, PACT, PAID], title="Tokyo")


def test_a_plan_knows_its_steps() -> None:
    """A plan has its steps' names in order, its people, and looks steps up by name."""
    assert PLAN.names == ("A: Seoul -> Tokyo", "Summit", "Pact", "Pact: pay")
    assert PLAN.people == ("A", "B")
    assert PLAN["Summit"] is SUMMIT
    assert "Summit" in PLAN
    assert "Lunch" not in PLAN
    assert len(PLAN) == 4
    assert list(PLAN) == [LEG, SUMMIT, PACT, PAID]


def test_one_step_is_a_plan() -> None:
    """A single step is accepted in place of a list."""
    assert Plan(SUMMIT).steps == (SUMMIT,)


@given(plans(), st.data())
def test_without_and_with_are_inverse(plan: Plan, data: st.DataObject) -> None:
    """Removing a step no other needs (not a leg), then adding it back, gives the same steps.

    (with_ adds at the end: with zero-length steps at one instant, the order would matter.)
    """
    starts = [(p, s.start) for s in plan if not isinstance(s, Fulfilment) for p in s.people]
    assume(len(set(starts)) == len(starts))
    needed = {s.agreement for s in plan if isinstance(s, Fulfilment)}
    names = [
        n
        for n in plan.names
        if not isinstance(plan[n], Travel)
        and not (isinstance(plan[n], Signing) and plan[n].title in needed)
    ]
    assume(names)
    name = data.draw(st.sampled_from(names))
    smaller = plan.without(name)
    assert name not in smaller
    assert set(smaller.with_(plan[name]).steps) == set(plan.steps)


@given(plans(), st.data())
def test_replace_with_itself_is_the_same_plan(plan: Plan, data: st.DataObject) -> None:
    """Replacing any step by itself gives an equal plan."""
    name = data.draw(st.sampled_from(plan.names))
    assert plan.replace(name, plan[name]) == plan


def test_replace_keeps_the_name() -> None:
    """A replacement with a derived name takes the old name; one with its own name keeps it."""
    moved = Meeting("Summit at noon", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 11:00"), H(hours=1))
    assert PLAN.replace("Summit", moved)["Summit"].start == moved.start
    named = attrs.evolve(moved, name="Brunch")
    replaced = PLAN.replace("Summit", named)
    assert "Brunch" in replaced
    assert "Summit" not in replaced


def _message(steps: list[object]) -> str:
    with pytest.raises(InvalidPlanError) as info:
        Plan(steps)
    return str(info.value)


def test_one_person_in_two_places() -> None:
    """Overlapping steps of one person are refused, naming both."""
    lunch = Meeting("Lunch", "B", TOKYO, TOKYO.at("2025-10-28 12:30"), H(hours=1))
    message = _message([SUMMIT, lunch])
    assert "B is in two steps at once" in message
    assert "'Summit'" in message
    assert "'Lunch'" in message


def test_travel_from_where_one_is_not() -> None:
    """A leg from a place its traveller is not at is refused, naming the leg and the step before."""
    onward = Travel("A", BUSAN, SEOUL, BUSAN.at("2025-10-28 18:00"), H(hours=1))
    message = _message([LEG, onward])
    assert "'A: Busan -> Seoul' departs from Busan" in message
    assert "after 'A: Seoul -> Tokyo'" in message


def test_meeting_where_one_is_not() -> None:
    """A meeting at a place a participant is not at is refused, naming the meeting."""
    dinner = Meeting("Dinner", "A", SEOUL, SEOUL.at("2025-10-28 19:00"), H(hours=1))
    assert "'Dinner' is at Seoul, but A is in Tokyo" in _message([LEG, dinner])


def test_flying_faster_than_an_airliner() -> None:
    """A leg faster than an airliner is refused, naming the leg."""
    rocket = Travel("A", WASHINGTON, KUALA_LUMPUR, WASHINGTON.at("2025-10-28 07:00"), H(hours=2))
    message = _message([rocket])
    assert "'A: Washington -> Kuala Lumpur'" in message
    assert "faster than any airliner" in message


def test_fulfilment_of_an_unknown_obligation() -> None:
    """A fulfilment of an obligation its agreement does not list is refused, naming it."""
    message = _message([PACT, Fulfilment("Pact", "save", H(months=1))])
    assert "'Pact: save'" in message
    assert "lists no obligation 'save'" in message


def test_fulfilment_of_an_unknown_agreement() -> None:
    """A fulfilment of an agreement no signing signs is refused, naming it."""
    message = _message([Fulfilment("Treaty", "pay", H(months=1))])
    assert "'Treaty: pay' fulfils an obligation of 'Treaty'" in message


def test_an_obligation_met_twice() -> None:
    """Two fulfilments of one obligation are refused, naming both."""
    again = Fulfilment("Pact", "pay", H(months=4), name="Paid early")
    message = _message([PACT, PAID, again])
    assert "'Pact: pay' and 'Paid early'" in message


def test_duplicate_names() -> None:
    """Two steps with one name are refused, naming it."""
    other = Meeting("Summit", "C", SEOUL, SEOUL.at("2025-10-28 12:00"), H(hours=1))
    assert "two steps are named 'Summit'" in _message([SUMMIT, other])


def test_an_agreement_signed_twice() -> None:
    """Two signings of one agreement are refused, naming both."""
    again = attrs.evolve(PACT, at=TOKYO.at("2025-10-29 13:00"), name="Pact again")
    assert "'Pact' and 'Pact again'" in _message([PACT, again])


def test_not_a_step() -> None:
    """Anything but a step in a plan is refused, saying where."""
    assert "Plan.steps[1] is a str" in _message([SUMMIT, "lunch"])
    with pytest.raises(InvalidPlanError, match="title"):
        Plan([SUMMIT], title="")


@pytest.mark.parametrize("method", ["replace", "without", "__getitem__"])
def test_unknown_step_names(method: str) -> None:
    """replace/without/[] of a name the plan lacks name it and list the plan's steps."""
    arguments = ("Sumit", SUMMIT) if method == "replace" else ("Sumit",)
    with pytest.raises(InvalidPlanError, match=r"no step called 'Sumit'.*'Summit'"):
        getattr(PLAN, method)(*arguments)


def test_removing_a_signing_its_fulfilment_needs() -> None:
    """without() of a signing with a planned fulfilment is refused, naming the fulfilment."""
    with pytest.raises(InvalidPlanError, match="'Pact: pay'"):
        PLAN.without("Pact")


def test_a_set_of_travellers_is_sorted_so_runs_repeat() -> None:
    """A set has no order of its own: it is sorted, so the leg's name and draws never vary."""
    leg = Travel({"Carol", "Alice", "Bob"}, SEOUL, TOKYO, SEOUL.at("2025-10-29 09:00"),
                 pendulum.duration(hours=2, minutes=30))  # fmt: skip
    assert leg.who == ("Alice", "Bob", "Carol")
    assert leg.name == "Alice, Bob, Carol: Seoul -> Tokyo"


@pytest.mark.parametrize(
    "call",
    [
        lambda plan: plan[["Summit"]],
        lambda plan: plan.without(["Summit"]),
        lambda plan: plan.replace("Summit", "a meeting"),
    ],
)
def test_plan_methods_refuse_what_is_not_a_name_or_a_step(call: object) -> None:
    """A list for a name, or a string for a step: InvalidPlanError, not TypeError."""
    plan = Plan([Meeting("Summit", "A", TOKYO, TOKYO.at("2025-10-28 10:00"),
                         pendulum.duration(hours=1))])  # fmt: skip
    with pytest.raises(InvalidPlanError):
        call(plan)  # type: ignore[operator]
