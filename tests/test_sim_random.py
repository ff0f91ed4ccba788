"""Tests for itinerary.sim._random: one uniform draw, the same in every engine."""

from __future__ import annotations

import math

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from itinerary.sim import Delay, _columnar
from itinerary.sim._random import TWO_TO_53, _mix, uniform, unit

U64 = st.integers(0, 2**64 - 1)
SLOTS = st.integers(0, 2**16)


@given(U64, U64, SLOTS)
def test_uniform_is_a_draw_of_the_runs_stream(seed: int, key: int, slot: int) -> None:
    """``uniform(seed, key, slot)`` is draw *slot* of the stream ``_mix(seed ^ key)``."""
    assert uniform(seed, key, slot) == unit(_mix(seed ^ key), slot)


@given(U64, SLOTS)
def test_a_draw_is_strictly_between_0_and_1(stream: int, slot: int) -> None:
    """A draw is in the open interval (0, 1), on a grid of 2**-53."""
    u = unit(stream, slot)
    assert 0.0 < u < 1.0
    assert (u * TWO_TO_53 - 0.5).is_integer()


@given(U64, st.integers(0, 2**15))
def test_a_delay_samples_with_the_one_draw(stream: int, slot: int) -> None:
    """``Delay.sample(h, slot)`` decides with draw *slot* and sizes with draw *slot* + 1."""
    scale = pendulum.duration(hours=1)
    p = 0.5
    delay = Delay.exponential(scale, p=p)
    expected = 0
    if unit(stream, slot) < p:
        value = -delay.params[0] * math.log(unit(stream, slot + 1))  # exponential, in µs
        expected = round(value / 1_000_000) * 1_000_000
    assert delay.sample(stream, slot) == expected


@given(st.lists(U64, min_size=1, max_size=50), SLOTS)
def test_the_array_draw_is_the_scalar_draw(streams: list[int], slot: int) -> None:
    """The numpy engine's draws equal ``unit``'s to the last bit."""
    np = _columnar.numpy()
    assert np is not None
    drawn = _columnar._unit_array(np, np.array(streams, dtype=np.uint64), slot)
    assert drawn.tolist() == [unit(stream, slot) for stream in streams]
