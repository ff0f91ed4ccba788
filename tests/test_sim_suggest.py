"""Tests for itinerary.sim.suggest: plans that keep every rule, found by CP-SAT, ranked by risk."""

from __future__ import annotations

import itertools
import math
import statistics
import sys

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itinerary import Obligation, _time, check
from itinerary.errors import AmbiguousLocalTimeError, MissingExtraError, NonexistentLocalTimeError
from itinerary.places import BUSAN, SEOUL, TOKYO
from itinerary.sim import (
    Between,
    Curfew,
    Delay,
    Disruptions,
    Fulfilment,
    InvalidPlanError,
    Meeting,
    Outcomes,
    Plan,
    Resource,
    Rest,
    Signing,
    Suggestions,
    Travel,
    Window,
    simulate,
    suggest,
)
from itinerary.sim.plan import start_micros
from itinerary.sim.suggest import flexible_from_text
from itinerary.strategies import DST_PLACES, disruptions, plans

H = pendulum.duration(hours=1)
NEW_YORK = DST_PLACES[0]
DELAYS = Disruptions(
    departure=Delay.exponential(pendulum.duration(minutes=40), p=0.5),
    overrun=Delay.exponential(pendulum.duration(minutes=30), p=0.5),
)


def _keeps_every_rule(plan: Plan) -> bool:
    """The engine's word: with no delay at all, no rule holds or drops any step."""
    bare = Plan(tuple(attrs.evolve(s, delay=None) for s in plan.steps), plan.title, plan.rules)
    run = simulate(bare)
    return not run.dropped and not any(run.slip(n).total_seconds() for n in bare.names)


def _moved(plan: Plan, starts: dict[str, int]) -> Plan | None:
    """*plan* with *starts* (µs), or None if the plan or the engine refuse it (brute force)."""
    steps = []
    for step in plan.steps:
        if step.name in starts:
            place = step.origin if isinstance(step, Travel) else step.place  # type: ignore[union-attr]
            at = _time.from_micros(starts[step.name], place.tz)
            field = {Travel: "depart", Meeting: "start", Signing: "at"}[type(step)]
            step = attrs.evolve(step, **{field: at})  # noqa: PLW2901
        steps.append(step)
    try:
        moved = Plan(tuple(steps), plan.title, plan.rules)
        return moved if _keeps_every_rule(moved) else None
    except InvalidPlanError:
        return None


def _starts(found: Suggestions, names: list[str]) -> set[tuple[int, ...]]:
    return {tuple(start_micros(s.plan[n]) for n in names) for s in found}  # type: ignore[arg-type]


def _three_slots() -> Plan:
    """A talk that a window (09:00-15:00), breakfast (09:30-10:30) and a 14:30 flight leave at 11, 12, 13."""
    return Plan([
        Meeting("Breakfast", "A", TOKYO, TOKYO.at("2025-10-29 09:30"), H),
        Meeting("Talk", ("A", "B"), TOKYO, TOKYO.at("2025-10-29 07:00"), H,
                window=Window("09:00", "15:00")),
        Travel("A", TOKYO, SEOUL, TOKYO.at("2025-10-29 14:30"), pendulum.duration(hours=2)),
        Meeting("Dinner", "B", TOKYO, TOKYO.at("2025-10-29 14:15"), H),
    ])  # fmt: skip


TALK = {"Talk": Between(TOKYO.at("2025-10-29 07:00"), TOKYO.at("2025-10-29 18:00"), every=H)}


def test_the_three_slots_left_are_exactly_the_suggestions_ranked_by_risk() -> None:
    """A window, another meeting and a flight leave three slots: suggest returns those, by risk."""
    found = suggest(_three_slots(), TALK, DELAYS, runs=400, top=10)
    assert found.exhaustive
    assert found.scored == 3
    assert found.rejected == 0
    walls = {s.plan["Talk"].start.in_tz("Asia/Tokyo").hour for s in found}  # type: ignore[union-attr]
    assert walls == {11, 12, 13}
    scores = [s.score for s in found]
    assert scores == sorted(scores)
    for s in found:
        assert s.score == pytest.approx(
            sum(s.outcomes.p_late(n) for n in s.plan.names) / len(s.plan)
        )
        assert _keeps_every_rule(s.plan)
        assert not check(simulate(s.plan).log)


def test_a_curfew_and_a_window_leave_known_departures() -> None:
    """A flight under curfews at both ends and a window departs only where none of them bites."""
    leg = Travel("A", TOKYO, BUSAN, TOKYO.at("2025-10-29 18:00"), pendulum.duration(hours=2),
                 window=Window("06:00", "22:00"))  # fmt: skip
    plan = Plan([leg], rules=[Curfew(BUSAN, "23:00", "06:00"), Curfew(TOKYO, "00:00", "05:00")])
    span = Between(TOKYO.at("2025-10-29 18:00"), TOKYO.at("2025-10-30 08:00"), every=H)
    found = suggest(plan, {leg.name: span}, runs=10, top=20)
    hours = sorted(s.plan[leg.name].start.in_tz("Asia/Tokyo").hour for s in found)  # type: ignore[union-attr]
    assert hours == [6, 7, 8, 18, 19, 20]
    assert found.exhaustive


def test_the_changes_say_what_moved_in_local_time() -> None:
    """Each change names the step, its old start and its new one, both in its place's zone."""
    best = suggest(_three_slots(), TALK, runs=10)[0]
    (change,) = best.changes
    assert change.step == "Talk"
    assert change.old == TOKYO.at("2025-10-29 07:00")
    assert change.new == best.plan["Talk"].start  # type: ignore[union-attr]
    assert change.new.timezone_name == "Asia/Tokyo"


def test_two_people_with_no_common_free_hour_name_the_conflict() -> None:
    """Two people who must meet, one busy mornings and one afternoons: the error names both."""
    day = "2025-10-29"
    plan = Plan([
        Meeting("A's morning", "A", TOKYO, TOKYO.at(f"{day} 09:00"), pendulum.duration(hours=4)),
        Meeting("B's afternoon", "B", TOKYO, TOKYO.at(f"{day} 13:00"), pendulum.duration(hours=4)),
        Meeting("Meet", ("A", "B"), TOKYO, TOKYO.at(f"{day} 20:00"), H,
                window=Window("09:00", "17:00")),
    ])  # fmt: skip
    span = Between(TOKYO.at(f"{day} 09:00"), TOKYO.at(f"{day} 16:00"), every=H)
    with pytest.raises(InvalidPlanError) as raised:
        suggest(plan, {"Meet": span})
    message = str(raised.value)
    assert "A's steps" in message
    assert "B's steps" in message
    assert "'Meet'" in message


def test_a_rest_rule_is_named_when_it_is_the_conflict() -> None:
    """A meeting that only fits inside the rest after a long flight: the rest rule is named."""
    leg = Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-29 06:00"), pendulum.duration(hours=2))
    meet = Meeting("Meet", "A", TOKYO, TOKYO.at("2025-10-29 12:00"), H)
    plan = Plan([leg, meet], rules=[Rest(pendulum.duration(hours=1), pendulum.duration(hours=8))])
    span = Between(TOKYO.at("2025-10-29 10:00"), TOKYO.at("2025-10-29 14:00"), every=H)
    with pytest.raises(InvalidPlanError, match=r"A.s steps .*; Rest 8 h after legs of 1 h"):
        suggest(plan, {"Meet": span})


def test_a_step_that_stays_put_and_breaks_a_rule_is_named() -> None:
    """A fixed signing whose obligation is met outside its window: every plan breaks it, named.

    Found by the brute-force property (the solver once checked a fulfilment's window only
    when its signing could move).
    """
    plan = Plan([
        Meeting("M", "A", TOKYO, TOKYO.at("2000-04-02 20:00"), H),
        Signing("Deal", "B", TOKYO, TOKYO.at("2000-04-03 00:00"),
                obligations=[Obligation("open markets", within=H)]),
        Fulfilment("Deal", "open markets", pendulum.duration(), window=Window("00:15", "00:00")),
    ])  # fmt: skip
    span = Between(TOKYO.at("2000-04-02 19:00"), TOKYO.at("2000-04-02 21:00"), every=H)
    with pytest.raises(InvalidPlanError, match=r"conflict: Window 00:15-00:00 of 'Deal: open"):
        suggest(plan, {"M": span}, runs=5)


def test_the_same_seed_ranks_the_same_way_and_reports_paired_errors() -> None:
    """Common random numbers: one seed gives one ranking; each difference has its paired SE."""
    first = suggest(_three_slots(), TALK, DELAYS, runs=300, seed=7, top=3)
    again = suggest(_three_slots(), TALK, DELAYS, runs=300, seed=7, top=3)
    assert [s.changes for s in first] == [s.changes for s in again]
    assert [s.score for s in first] == [s.score for s in again]
    assert first[0].difference == 0
    assert first[0].se == 0
    for s in first[1:]:
        assert s.difference == pytest.approx(s.score - first[0].score)
        assert s.se >= 0
        assert not math.isnan(s.se)


@pytest.mark.parametrize("objective", ["end", "custom"])
def test_other_objectives_rank_and_carry_errors(objective: str) -> None:
    """'end' (P80 of the tour's end) and a function of the outcomes rank and carry SEs too."""
    chosen = (lambda o: o.p_late("Dinner")) if objective == "custom" else objective
    found = suggest(_three_slots(), TALK, DELAYS, runs=200, objective=chosen, top=3)  # type: ignore[arg-type]
    scores = [s.score for s in found]
    assert scores == sorted(scores)
    assert len(found) == 3
    assert all(s.se >= 0 for s in found)
    assert "RANK" in str(found)


def test_a_fall_back_hour_gives_both_readings_and_windows_hold_exactly() -> None:
    """New York's fall-back: 01:00 and 01:30 are candidates twice, each kept if its window fits."""
    day = "2025-11-02"
    meet = Meeting("Talk", "A", NEW_YORK, NEW_YORK.at(f"{day} 00:00"), pendulum.duration(minutes=30),
                   window=Window("01:00", "02:00"))  # fmt: skip
    span = Between(NEW_YORK.at(f"{day} 00:30"), NEW_YORK.at(f"{day} 03:00"),
                   every=pendulum.duration(minutes=30))  # fmt: skip
    assert (
        len(span) == 8
    )  # 00:30, 01:00, 01:30 (-04:00), 01:00, 01:30 (-05:00), 02:00, 02:30, 03:00
    found = suggest(Plan([meet]), {"Talk": span}, runs=10, top=10)
    shown = sorted(s.plan["Talk"].start.isoformat() for s in found)  # type: ignore[union-attr]
    assert shown == [
        "2025-11-02T01:00:00-04:00", "2025-11-02T01:00:00-05:00",
        "2025-11-02T01:30:00-04:00", "2025-11-02T01:30:00-05:00",
    ]  # fmt: skip


def test_a_spring_forward_gap_gives_no_candidate_and_a_window_opens_after_it() -> None:
    """New York's spring-forward: no candidate in the gap; a window opening at 02:00 opens at 03:00."""
    day = "2026-03-08"
    meet = Meeting("Talk", "A", NEW_YORK, NEW_YORK.at(f"{day} 00:00"), pendulum.duration(minutes=30),
                   window=Window("02:00", "04:00"))  # fmt: skip
    span = Between(NEW_YORK.at(f"{day} 01:00"), NEW_YORK.at(f"{day} 04:00"),
                   every=pendulum.duration(minutes=30))  # fmt: skip
    walls = [t.strftime("%H:%M") for t in span.starts]
    assert walls == ["01:00", "01:30", "03:00", "03:30", "04:00"]
    found = suggest(Plan([meet]), {"Talk": span}, runs=10, top=10)
    assert sorted(s.plan["Talk"].start.strftime("%H:%M") for s in found) == ["03:00", "03:30"]  # type: ignore[union-attr]


def test_a_range_in_a_repeated_hour_reads_as_the_grammar_says() -> None:
    """--flexible text: a repeated wall time needs its offset; with it, the range starts there."""
    plan = Plan([Meeting("Talk", "A", NEW_YORK, NEW_YORK.at("2025-11-02 00:00"), H)])
    with pytest.raises(AmbiguousLocalTimeError):
        flexible_from_text(plan, "Talk=2025-11-02 01:30..2025-11-02 03:00")
    with pytest.raises(NonexistentLocalTimeError):
        flexible_from_text(plan, "Talk=2026-03-08 02:30..2026-03-08 04:00")
    name, span = flexible_from_text(plan, "Talk=2025-11-02 01:30-05:00..2025-11-02 03:00")
    assert name == "Talk"
    assert span.earliest.isoformat() == "2025-11-02T01:30:00-05:00"
    with pytest.raises(InvalidPlanError, match="expected 'NAME="):
        flexible_from_text(plan, "Talk 2025-11-02 01:30")


@settings(max_examples=25)
@given(
    plan=plans(rules=True, max_steps=6, max_people=3),
    picks=st.lists(st.integers(0, 100), min_size=1, max_size=2, unique=True),
    hours=st.integers(1, 3),
    every=st.sampled_from((30, 45, 60)),
    chaos=disruptions(),
)
def test_the_solver_finds_exactly_the_plans_the_engine_accepts(
    plan: Plan, picks: list[int], hours: int, every: int, chaos: Disruptions
) -> None:
    """Random plans with rules: the feasible plans are exactly those brute force finds.

    Brute force: every combination of candidates, kept when the plan accepts it and, with no
    delay at all, no rule holds or drops a step. Each suggestion's log passes check().
    """
    timed = [s for s in plan.steps if not isinstance(s, Fulfilment)]
    names = list(dict.fromkeys(timed[i % len(timed)].name for i in picks))
    flexible = {}
    for name in names:
        at = plan[name].start  # type: ignore[union-attr]
        flexible[name] = Between(at - pendulum.duration(hours=hours), at + pendulum.duration(hours=hours),
                                 every=pendulum.duration(minutes=every))  # fmt: skip
    brute = set()
    for combo in itertools.product(*(flexible[n].micros() for n in names)):
        if _moved(plan, dict(zip(names, combo, strict=True))) is not None:
            brute.add(combo)
    if not brute:
        with pytest.raises(InvalidPlanError, match="conflict"):
            suggest(plan, flexible, chaos, runs=5, top=1)
        return
    found = suggest(plan, flexible, chaos, runs=5, top=len(brute), limit=len(brute))
    assert found.exhaustive
    assert found.rejected == 0
    assert _starts(found, names) == brute
    for s in found:
        run = simulate(s.plan)
        assert not check(run.log)


def test_without_ortools_suggest_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without OR-Tools, suggest() says to install itinerary[solve]."""
    monkeypatch.setitem(sys.modules, "ortools.sat.python.cp_model", None)
    with pytest.raises(MissingExtraError, match=r"itinerary\[solve\]"):
        suggest(_three_slots(), TALK)


@pytest.mark.parametrize(
    ("flexible", "match"),
    [
        ({}, "flexible must map"),
        ({"Nope": TALK["Talk"]}, "no step called 'Nope'"),
        ({"Talk": "09:00"}, "must be a Between"),
    ],
)
def test_bad_arguments_raise_the_library_error(flexible: object, match: str) -> None:
    """Wrong flexible ranges raise InvalidPlanError saying what is wrong."""
    with pytest.raises(InvalidPlanError, match=match):
        suggest(_three_slots(), flexible)  # type: ignore[arg-type]


def test_a_between_refuses_a_backward_or_empty_step() -> None:
    """Latest before earliest, or a zero step, is refused."""
    at = TOKYO.at("2025-10-29 09:00")
    with pytest.raises(InvalidPlanError, match="before earliest"):
        Between(at, at - H)
    with pytest.raises(InvalidPlanError, match="longer than zero"):
        Between(at, at + H, every=pendulum.duration())


@pytest.mark.parametrize(
    ("keywords", "match"),
    [
        ({"runs": 0}, "runs must be a positive integer"),
        ({"top": True}, "top must be a positive integer"),
        ({"seed": "7"}, "seed must be an integer"),
        ({"objective": "p_late_ish"}, "objective must be 'p_late', 'end' or a function"),
        ({"disruptions": "none"}, "disruptions must be a Disruptions"),
    ],
)
def test_bad_keywords_raise_the_library_error(keywords: dict[str, object], match: str) -> None:
    """Wrong runs, top, seed, objective or disruptions raise InvalidPlanError before any solving."""
    with pytest.raises(InvalidPlanError, match=match):
        suggest(_three_slots(), TALK, **keywords)  # type: ignore[arg-type]


def test_a_curfew_that_leaves_no_departure_is_named() -> None:
    """A flight whose every candidate lands in Busan's curfew: the curfew is named."""
    leg = Travel("A", TOKYO, BUSAN, TOKYO.at("2025-10-29 22:00"), pendulum.duration(hours=2))
    plan = Plan([leg], rules=[Curfew(BUSAN, "23:00", "06:00")])
    span = Between(TOKYO.at("2025-10-29 21:00"), TOKYO.at("2025-10-30 03:00"), every=H)
    with pytest.raises(InvalidPlanError, match=r"conflict: Curfew at Busan 23:00-06:00$"):
        suggest(plan, {leg.name: span}, runs=5)


def test_more_feasible_plans_than_the_limit_scores_the_limit() -> None:
    """Eleven feasible times and a limit of four: four are scored, and the result says it is not all."""
    plan = Plan([Meeting("Talk", "A", TOKYO, TOKYO.at("2025-10-29 08:00"), H)])
    span = Between(TOKYO.at("2025-10-29 08:00"), TOKYO.at("2025-10-29 18:00"), every=H)
    found = suggest(plan, {"Talk": span}, runs=5, top=10, limit=4)
    assert found.scored == 4
    assert not found.exhaustive
    assert len(found) == 4
    everything = suggest(plan, {"Talk": span}, runs=5, top=20, limit=11)
    assert everything.scored == 11
    assert everything.exhaustive  # one more solve proved there are no more


def test_a_signing_tied_with_an_earlier_step_of_the_plan_is_not_suggested() -> None:
    """A signing at 10:00 after a step of the plan starting at 10:00 would be held: refused.

    Found by review: the engine takes steps that start at one instant in plan order, so the
    solver must not accept a step of no length tied with an earlier step of the plan.
    """
    plan = Plan([
        Meeting("Talk", "A", TOKYO, TOKYO.at("2025-10-29 10:00"), H),
        Signing("Accord", ("A",), TOKYO, TOKYO.at("2025-10-29 09:00")),
    ])  # fmt: skip
    found = suggest(plan, {"Accord": Between(TOKYO.at("2025-10-29 09:30"),
                                             TOKYO.at("2025-10-29 11:00"))}, runs=5, top=10)  # fmt: skip
    starts = sorted(s.plan["Accord"].at.format("HH:mm") for s in found)  # type: ignore[union-attr]
    assert starts == ["09:30", "09:45", "11:00"]
    assert found.rejected == 0
    with pytest.raises(InvalidPlanError, match="conflict"):
        suggest(plan, {"Accord": Between(TOKYO.at("2025-10-29 10:00"),
                                         TOKYO.at("2025-10-29 10:00"))}, runs=5)  # fmt: skip


def test_the_paired_error_is_the_spread_of_the_runs_differences() -> None:
    """Each suggestion's se is stdev(per-run difference in the share of steps late) / sqrt(n)."""
    found = suggest(_three_slots(), TALK, DELAYS, runs=400, seed=3, top=3)
    best = found[0].outcomes

    def late(outcomes: Outcomes, r: int) -> float:
        names = outcomes.plan.names
        return statistics.fmean(outcomes.slips(n)[r] > 0 for n in names)

    for s in found[1:]:
        diffs = [late(s.outcomes, r) - late(best, r) for r in range(400)]
        assert s.difference == pytest.approx(statistics.fmean(diffs))
        assert s.se == pytest.approx(statistics.stdev(diffs) / math.sqrt(400))


@pytest.mark.parametrize("returned", [None, "x", True])
def test_an_objective_that_returns_no_number_is_the_library_error(returned: object) -> None:
    """A callable objective must return a number; anything else is the library's error."""
    with pytest.raises(InvalidPlanError, match="must return a number"):
        suggest(_three_slots(), TALK, runs=5, objective=lambda o: returned)  # type: ignore[arg-type, return-value]


def test_a_flexible_range_reads_like_a_move_and_takes_every() -> None:
    """A place after the time, as --move reads it; every= counted before the candidate cap."""
    name, between = flexible_from_text(
        _three_slots(), "Talk=2025-10-29 09:00 Seoul..2026-06-29 09:00",
        every=pendulum.duration(hours=2),
    )  # fmt: skip
    assert name == "Talk"
    assert between.every == pendulum.duration(hours=2)
    assert between.earliest == SEOUL.at("2025-10-29 09:00")


def test_a_shared_resource_is_held_by_one_step_at_a_time() -> None:
    """Two lifts on one helicopter: the flexible one is suggested only where the other is not."""
    plan = Plan(
        [
            Meeting("Lift A", "A", TOKYO, TOKYO.at("2025-10-29 10:00"), H, uses=["Heli"]),
            Meeting("Lift B", "B", TOKYO, TOKYO.at("2025-10-29 12:00"), H, uses=["Heli"]),
        ],
        resources=[Resource("Heli")],
    )
    window = Between(TOKYO.at("2025-10-29 09:00"), TOKYO.at("2025-10-29 11:30"), every=H / 2)
    found = suggest(plan, {"Lift B": window}, runs=5, top=10)
    starts = sorted(s.plan["Lift B"].start.format("HH:mm") for s in found)  # type: ignore[union-attr]
    assert starts == ["09:00", "11:00", "11:30"]  # 09:30, 10:00 and 10:30 overlap Lift A
    assert found.rejected == 0
    two = attrs.evolve(plan, resources=[Resource("Heli", capacity=2)])
    assert len(suggest(two, {"Lift B": window}, runs=5, top=10)) == 6
