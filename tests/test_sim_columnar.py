"""Tests for itinerary.sim._columnar: the array engine gives the scalar engine's integers."""

from __future__ import annotations

import importlib.resources
import math
import pathlib
import statistics
import struct
import zoneinfo
from collections.abc import Callable

import numpy as np
import pendulum
import pytest
from benchmarks.sim_workload import DISRUPTIONS, long_tour, synthetic, tour_with_rules
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itinerary.errors import InvalidPlanError
from itinerary.events import Obligation
from itinerary.places import SEOUL, TOKYO
from itinerary.scenarios import load_scenario
from itinerary.sim import (
    Curfew,
    Delay,
    Disruptions,
    Fulfilment,
    Plan,
    Signing,
    Travel,
    _columnar,
    monte_carlo,
)  # fmt: skip
from itinerary.sim._random import _GOLDEN, _MASK, BELOW_ONE, _mix, unit
from itinerary.sim.delays import LONGEST_DRAW
from itinerary.sim.engine import FULFILMENT, compiled
from itinerary.sim.monte_carlo import _chunk, _scalar_chunk
from itinerary.strategies import DST_PLACES, _transitions, delays, disruptions, plans

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
CENTURY_DAYS = LONGEST_DRAW // 86_400_000_000
HEAVY_TAILS = st.one_of(
    st.builds(Delay.exponential, st.integers(1, CENTURY_DAYS).map(lambda d: H(days=d)),
              p=st.just(1.0) | st.floats(0.0, 1.0)),
    st.builds(Delay.lognormal, st.integers(1, 10**9).map(lambda s: H(seconds=s)),
              st.floats(0.0, 19.99), p=st.just(1.0) | st.floats(0.0, 1.0)),
)  # fmt: skip
"""Delays of up to a century, log-normals up to sigma 20: draws cut at the century, and big."""
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


@settings(max_examples=200)
@given(delays() | HEAVY_TAILS, SEEDS, st.sampled_from((0, 1)), st.integers(1, 3000))
@example(Delay.lognormal(H(days=10_000), 19.0), 0, 0, 3000)
@example(Delay.exponential(H(days=CENTURY_DAYS)), 0, 1, 3000)
@example(Delay.lognormal(H(days=36_000), 0.01), 5, 0, 3000)
def test_delays_on_arrays_are_delay_sample_s_to_the_microsecond(
    delay: Delay, seed: int, slot: int, runs: int
) -> None:
    """Every draw the array transform gives (numpy's log, exp, inv_cdf) is Delay.sample's."""
    h = _columnar._mix_array(np, np.uint64(seed) ^ np.arange(runs, dtype=np.uint64))
    found = _columnar._sample(np, delay, h, LONGEST_DRAW, slot).tolist()
    assert found == [delay.sample(int(z), slot) for z in h.tolist()]


@settings(max_examples=100)
@given(
    st.sampled_from(("exponential", "lognormal")),
    st.integers(1, 10**9),
    st.floats(0.01, 19.99),
    st.integers(0, 3_000_000),
)
def test_draws_on_a_half_second_are_in_doubt_or_rounded_as_math_rounds_them(
    kind: str, mean_seconds: int, sigma: float, k: int
) -> None:
    """Draws on a half second: numpy's rounding is math's wherever it is not in doubt.

    Uniforms whose draw lands on a half second, and their neighbours; those in doubt are
    redone in Python.
    """
    delay = (
        Delay.exponential(H(seconds=mean_seconds))
        if kind == "exponential"
        else Delay.lognormal(H(seconds=mean_seconds), sigma)
    )
    target = k + 0.5  # seconds: u whose draw is exactly there, by the inverse transform
    if kind == "exponential":
        centre = math.exp(-target / mean_seconds)
    else:
        z = math.log(target / mean_seconds) / sigma
        centre = 0.5 * math.erfc(-z / math.sqrt(2.0))
    if not 0.0 < centre < 1.0:
        return
    u = np.array([centre])
    for _ in range(40):  # 40 floats either side
        u = np.concatenate([[np.nextafter(u[0], 0.0)], u, [np.nextafter(u[-1], 1.0)]])
    u = u[(u > 0.0) & (u < 1.0)]
    values, doubt = _columnar._transformed(np, delay, u)
    exact = _columnar._transformed_one_by_one(delay, u.tolist())
    assert [v for v, d in zip(values.tolist(), doubt.tolist(), strict=True) if not d] == [
        e for e, d in zip(exact, doubt.tolist(), strict=True) if not d
    ]


def _fulfilment(place: object, after: pendulum.Duration, within: pendulum.Duration) -> Plan:
    return Plan([
        Signing("Pact", "A", place, place.at("2026-03-01 12:00"),  # type: ignore[attr-defined]
                obligations=[Obligation("pay", within=within)]),
        Fulfilment("Pact", "pay", after),
    ])  # fmt: skip


@settings(max_examples=60)
@given(
    st.sampled_from(DST_PLACES),
    st.tuples(st.integers(0, 14), st.integers(0, 40), st.integers(0, 47)),
    st.tuples(st.integers(0, 14), st.integers(0, 40), st.integers(1, 47)),
    st.lists(st.integers(-3 * 3600, 3 * 3600), min_size=1, max_size=200),
    st.integers(0, 2**32),
)
def test_fulfilment_times_per_signing_day_are_the_calendar_s(
    place: object,
    after: tuple[int, int, int],
    within: tuple[int, int, int],
    near: list[int],
    seed: int,
) -> None:
    """Fulfilment times found once per signing day and offset equal the calendar sum of each.

    Signings land near the zone's clock changes (within 3 hours of one, to the second) and
    anywhere in the years around them; the sums cross changes too (months, days, hours).
    """
    tz = place.tz  # type: ignore[attr-defined]
    plan = _fulfilment(place, H(months=after[0], days=after[1], hours=after[2]),
                       H(months=within[0], days=within[1], hours=within[2]))  # fmt: skip
    program = compiled(plan, Disruptions())
    op = next(op for op in program.ops if op.kind == FULFILMENT)
    changes = _transitions(tz)
    spread = [_mix(seed ^ k) % (40 * 86_400) for k in range(400)]  # seconds over 40 days
    signed = [changes[(seed + k) % len(changes)] + s * 1_000_000 for k, s in enumerate(near)]
    signed += [changes[seed % len(changes)] + s * 1_000_000 for s in spread]
    met, due = _columnar._met_and_due(np, program, op, np.array(signed, dtype=np.int64))
    expected = [program.met_and_due(op, s) for s in signed]
    assert list(zip(met.tolist(), due.tolist(), strict=True)) == expected


@settings(max_examples=25)
@given(
    plans(min_steps=20, max_steps=40, delays=st.none() | delays() | HEAVY_TAILS)
    | plans(places=st.sampled_from(DST_PLACES), min_steps=10, max_steps=30, rules=True),
    disruptions(delays=delays() | HEAVY_TAILS),
    SEEDS,
    st.integers(0, 2**40),
    st.integers(100, 1500),
)
def test_long_plans_and_large_chunks_equal_the_scalar_engine(
    plan: Plan, d: Disruptions, seed: int, first: int, runs: int
) -> None:
    """Long plans, heavy tails, chunks large enough for the array transforms: scalar columns."""
    program = compiled(plan, d)
    found = _columnar.chunk(program, seed, first, first + runs)
    try:
        expected = _scalar_chunk(program, seed, first, first + runs)
    except InvalidPlanError:
        assert found is None
        return
    if found is not None:
        assert found == expected


@pytest.mark.parametrize("build", [long_tour, synthetic, tour_with_rules])
def test_the_benchmark_plans_run_on_arrays(build: Callable[[], Plan]) -> None:
    """The plans the speed figures are measured on do not fall back to the scalar engine."""
    program = compiled(build(), DISRUPTIONS)
    found = _columnar.chunk(program, 7, 0, 300)
    assert found is not None
    assert found == _scalar_chunk(program, 7, 0, 300)


def _unmix(z: int) -> int:
    """The stream *s* with ``_mix(s) == z``: SplitMix64's finaliser, inverted."""

    def unshift(z: int, by: int) -> int:
        x = z
        for _ in range(64 // by + 1):
            x = z ^ (x >> by)
        return x

    z = unshift(z, 31)
    z = (z * pow(0x94D049BB133111EB, -1, 1 << 64)) & _MASK
    z = unshift(z, 27)
    z = (z * pow(0xBF58476D1CE4E5B9, -1, 1 << 64)) & _MASK
    z = unshift(z, 30)
    return (z - _GOLDEN) & _MASK


def test_the_top_draw_is_below_one_on_both_engines() -> None:
    """The top 53 bits all ones would round to 1.0 (inv_cdf refuses it): both draw BELOW_ONE."""
    stream = _unmix(_MASK) ^ 1  # its draw 1 mixes to all ones
    assert _mix(stream ^ 1) == _MASK
    assert unit(stream, 1) == BELOW_ONE < 1.0
    assert _columnar._unit_array(np, np.array([stream], dtype=np.uint64), 1).tolist() == [BELOW_ONE]


def test_a_run_drawing_the_top_uniform_is_the_same_on_both_engines() -> None:
    """Found by review: run 0 of this seed draws the top uniform for its log-normal delay.

    The scalar engine raised (inv_cdf of 1.0) while the array engine gave a slip of 0.
    """
    plan = Plan(Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-27 09:00"), H(hours=3)))
    d = Disruptions(departure=Delay.lognormal(H(minutes=20), 1.0))
    program = compiled(plan, d)
    seed = 2006200074876051498
    assert _columnar.chunk(program, seed, 0, 200) == _scalar_chunk(program, seed, 0, 200)
    outcomes = monte_carlo(plan, d, runs=200, seed=seed)
    (name,) = plan.names
    assert H(microseconds=outcomes.slips(name)[0]) == outcomes.run(0).slips()[name] > H(days=40)


@settings(max_examples=50)
@given(
    st.lists(st.floats(0.0, 1.0, exclude_min=True, exclude_max=True), min_size=1, max_size=300)
    | st.lists(st.floats(5e-324, 1e-10), min_size=1, max_size=300)
)
def test_inv_cdf_on_arrays_is_normal_dist_s_bit_for_bit(ps: list[float]) -> None:
    """The same polynomials in the same order of operations: the very same floats."""
    found = _columnar._inv_cdf_array(np, np.array(ps)).tolist()
    assert found == [statistics.NormalDist().inv_cdf(p) for p in ps]


@settings(max_examples=100)
@given(delays() | HEAVY_TAILS, st.lists(st.floats(-8.0, 8.0), min_size=1, max_size=400),
       st.integers(0, 2**32))  # fmt: skip
@example(Delay.lognormal(H(days=10_000), 19.0), [0.0, 1.0, -1.0], 0)
def test_correlated_delays_on_arrays_are_from_normal_s(
    delay: Delay, given_z: list[float], seed: int
) -> None:
    """A correlated step's delay at each normal, on arrays, is Delay.from_normal's.

    math's erfc, numpy's log, exp and inv_cdf, the draws in doubt redone: to the microsecond.
    """
    spread = [(_mix(seed ^ k) / 2**64 - 0.5) * 16 for k in range(2000)]  # more, over +-8
    z = np.array(given_z + spread)
    found = _columnar._from_normal_array(np, delay, z).tolist()
    assert found == [delay.from_normal(x) for x in z.tolist()]


@settings(max_examples=20)
@given(
    plans(min_steps=5, max_steps=30, delays=st.none() | delays() | HEAVY_TAILS),
    disruptions(delays=delays() | HEAVY_TAILS),
    st.integers(0, 2**32),
    st.integers(100, 2500),
    st.integers(1, 2500),
)
def test_random_chunk_sizes_change_no_outcome(
    plan: Plan, d: Disruptions, seed: int, runs: int, chunk: int
) -> None:
    """A study in chunks of any size equals the study in its default chunks; runs replay.

    Small chunks transform their draws in Python, large ones on arrays.
    """
    try:
        whole = monte_carlo(plan, d, runs=runs, seed=seed)
    except InvalidPlanError:  # a run past the calendar's end: the same in any chunks
        with pytest.raises(InvalidPlanError):
            monte_carlo(plan, d, runs=runs, seed=seed, chunk_size=chunk)
        return
    assert monte_carlo(plan, d, runs=runs, seed=seed, chunk_size=chunk) == whole
    last = runs - 1
    replayed = whole.run(last)
    assert all(whole.slips(n)[last] == replayed.slips()[n] // H(microseconds=1) for n in plan.names
               if not whole.dropped(n)[last])  # fmt: skip


def _zone_file(zone: str) -> bytes:
    """The TZif file zoneinfo reads for *zone*: the first on its TZPATH, else tzdata's."""
    for root in zoneinfo.TZPATH:
        path = pathlib.Path(root, zone)
        if path.is_file():
            return path.read_bytes()
    return importlib.resources.files("tzdata.zoneinfo").joinpath(zone).read_bytes()


def _changes(data: bytes) -> list[tuple[int, int]]:
    """(instant in seconds, UTC offset after it) of each transition in a TZif file (v2+ block)."""
    counts = struct.unpack(">6l", data[20:44])  # isutc, isstd, leap, times, types, chars
    if data[4:5] >= b"2":  # the 64-bit block follows the 32-bit one
        skip = (
            44 + counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0]
        )
        data = data[skip:]
        counts, width = struct.unpack(">6l", data[20:44]), 8
    else:
        width = 4
    n, at = counts[3], 44
    times = struct.unpack(f">{n}{'q' if width == 8 else 'l'}", data[at : at + width * n])
    kinds = data[at + width * n : at + (width + 1) * n]
    offsets = [struct.unpack(">l", data[at + (width + 1) * n + 6 * k :][:4])[0]
               for k in range(counts[4])]  # fmt: skip
    return [(t, offsets[k]) for t, k in zip(times, kinds, strict=True)]


def test_no_zone_changes_its_offset_and_back_between_two_readings() -> None:
    """The array engine reads a zone's offset every _QUARTER around signings (see _steady).

    That is exact only if no zone changes its offset and changes it back within one
    _QUARTER: checked here on the tz database this machine's zoneinfo reads.
    """
    quarter = _columnar._QUARTER // 1_000_000
    closest = []
    for zone in sorted(zoneinfo.available_timezones()):
        changes = _changes(_zone_file(zone))
        for (_, before), (t1, during), (t2, after) in zip(
            changes, changes[1:], changes[2:], strict=False
        ):
            if during != before and after == before:  # changed at t1, and back at t2
                closest.append((t2 - t1, zone))
    assert closest  # the scan reads real changes
    assert min(closest)[0] > quarter, min(closest)
