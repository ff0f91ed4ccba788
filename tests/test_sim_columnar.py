"""Tests for itinerary.sim._columnar: the array engine gives the scalar engine's integers."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itinerary.errors import InvalidPlanError
from itinerary.places import SEOUL, TOKYO
from itinerary.scenarios import load_scenario
from itinerary.sim import Curfew, Delay, Disruptions, Plan, Travel, _columnar, monte_carlo
from itinerary.sim.delays import LONGEST_DRAW
from itinerary.sim.engine import compiled
from itinerary.sim.monte_carlo import _chunk, _scalar_chunk
from itinerary.strategies import DST_PLACES, delays, disruptions, plans

H = pendulum.duration
ANY_PLAN = plans(delays=st.none() | delays())
RULED_PLAN = plans(places=st.sampled_from(DST_PLACES), delays=st.none() | delays(), rules=True)
TOUR = load_scenario("examples/asia_tour_2025_plan.toml").plan
TOUR_DELAYS = Disruptions(
    departure=Delay.exponential(H(hours=3), p=0.6),
    overrun=Delay.lognormal(H(minutes=40), sigma=0.8, p=0.5),
    cancel=0.05,
)
SEEDS = st.integers(0, 2**64 - 1)
LEG = Plan(Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-27 09:00"), H(hours=3)))


@settings(max_examples=100)
@given(ANY_PLAN | RULED_PLAN, disruptions(), SEEDS, st.integers(0, 2**40), st.integers(1, 300))
@example(LEG, Disruptions(departure=Delay.exponential(H(minutes=30), p=0.4), cancel=0.5), 7, 0, 50)
@example(TOUR, TOUR_DELAYS, 1, 0, 300)
def test_columns_equal_the_scalar_engine(
    plan: Plan, d: Disruptions, seed: int, first: int, runs: int
) -> None:
    """For any plan, with rules or not: the same slips, causes, late flags, drops and end slips.

    A chunk in which the rules fail (no instant fits them all) is the scalar engine's, which
    names the run.
    """
    program = compiled(plan, d)
    found = _columnar.chunk(program, seed, first, first + runs)
    try:
        expected = _scalar_chunk(program, seed, first, first + runs)
    except InvalidPlanError:
        assert found is None
        return
    assert found == expected
    if not plan.rules and all(s.window is None for s in plan.steps):
        assert not any(any(column) for column in expected[3])


def test_the_tour_with_its_rules_drops_and_holds_on_arrays() -> None:
    """The tour's plan with its rules: the array engine drops steps in some runs, as simulate does."""
    program = compiled(TOUR, TOUR_DELAYS)
    found = _columnar.chunk(program, 3, 0, 500)
    assert found is not None
    assert found == _scalar_chunk(program, 3, 0, 500)
    assert any(any(column) for column in found[3])


def test_rules_that_fit_no_instant_are_left_to_the_scalar_engine() -> None:
    """Two curfews that leave a leg no time at all: chunk() declines, monte_carlo names the run."""
    plan = Plan(LEG.steps, rules=[Curfew(SEOUL, "06:00", "18:00"), Curfew(SEOUL, "18:00", "06:00")])
    program = compiled(plan, Disruptions())
    assert _columnar.chunk(program, 0, 0, 10) is None
    with pytest.raises(InvalidPlanError, match=r"run 0 \(seed"):
        monte_carlo(plan, Disruptions(), runs=10)


@settings(max_examples=30)
@given(
    st.booleans().flatmap(
        lambda rules: plans(
            places=st.sampled_from(DST_PLACES), delays=st.none() | delays(), rules=rules
        )
    ),
    disruptions(),
    st.integers(0, 2**32),
    st.integers(1, 120),
    st.integers(1, 50),
)
def test_monte_carlo_without_numpy_gives_the_same_outcomes(
    plan: Plan, d: Disruptions, seed: int, runs: int, chunk: int
) -> None:
    """A study on arrays equals the study one run at a time, in chunks of any size, rules or not."""
    with_numpy = monte_carlo(plan, d, runs=runs, seed=seed, chunk_size=chunk)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_columnar, "numpy", lambda: None)
        without = monte_carlo(plan, d, runs=runs, seed=seed)
    assert with_numpy == without


def test_a_heavy_tail_is_cut_at_a_century_on_arrays_too() -> None:
    """Log-normal draws of millions of years are cut at a century, as the scalar engine cuts them."""
    program = compiled(LEG, Disruptions(departure=Delay.lognormal(H(days=10_000), 19.0)))
    found = _columnar.chunk(program, 0, 0, 200)
    assert found == _scalar_chunk(program, 0, 0, 200)
    assert max(found[0][0]) == LONGEST_DRAW


def test_values_that_could_overflow_int64_are_left_to_the_scalar_engine() -> None:
    """Century-long delays on thousands of steps could overflow int64: chunk() declines them."""
    legs = [
        Travel("A", *((SEOUL, TOKYO) if i % 2 == 0 else (TOKYO, SEOUL)),
               SEOUL.at("2025-10-27 09:00") + H(hours=4 * i), H(hours=3), name=f"leg {i}")
        for i in range(3000)
    ]  # fmt: skip
    program = compiled(Plan(legs), Disruptions(departure=Delay.fixed(H(days=36_000))))
    assert _columnar.chunk(program, 0, 0, 2) is None


def test_an_empty_chunk_is_the_scalar_engine_s() -> None:
    """No runs: chunk() declines, and _chunk gives empty columns."""
    program = compiled(LEG, Disruptions())
    assert _columnar.chunk(program, 0, 5, 5) is None
    assert _chunk(program, 0, 5, 5) == _scalar_chunk(program, 0, 5, 5)


def test_elapsed_times_beyond_a_century_are_refused() -> None:
    """A fixed delay, an empirical one or a rebooking of a million years is a mistake."""
    with pytest.raises(InvalidPlanError, match="at most a century"):
        Delay.fixed(H(days=999_999_999))
    with pytest.raises(InvalidPlanError, match="at most a century"):
        Delay.empirical([H(days=999_999_999)])
    with pytest.raises(InvalidPlanError, match="at most a century"):
        Disruptions(cancel=1.0, rebook=H(days=999_999_999))
