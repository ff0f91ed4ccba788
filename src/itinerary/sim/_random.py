"""Counter-based random numbers: every draw is a pure function of (seed, key, slot).

A run does not carry a random generator from step to step. Each draw is computed from the
run's seed, a stable 64-bit key of the step's name and a slot number (which of the step's
draws it is), with SplitMix64's finaliser. So two plans that share a step name draw the
same numbers for it (common random numbers for what-if branches), whatever other steps
were added or removed, and run *i* of a Monte Carlo study can be recomputed alone from
``seed_of(seed, i)``, in any process, with any chunking.
"""

from __future__ import annotations

import hashlib

__all__ = ["BELOW_ONE", "TWO_TO_53", "key_of", "seed_of", "uniform", "unit"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
TWO_TO_53 = float(1 << 53)
"""2**53: a uniform is ``((z >> 11) + 0.5) / TWO_TO_53`` for a 64-bit *z*, exact in a float."""
BELOW_ONE = 1.0 - 1.0 / TWO_TO_53
"""The largest float below 1: the draw of the top 53 bits, which would round to 1.0."""


def _mix(z: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers that scatters every bit."""
    z = (z + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def key_of(name: str) -> int:
    """A stable 64-bit key for *name* (Python's ``hash`` of a string changes per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")


def seed_of(seed: int, index: int) -> int:
    """The seed of run *index* of a study seeded with *seed*: a 64-bit integer."""
    return _mix(_mix(seed & _MASK) ^ (index & _MASK))


def uniform(seed: int, key: int, slot: int) -> float:
    """A number in the open interval (0, 1), a pure function of its three arguments."""
    return unit(_mix((seed & _MASK) ^ key), slot)


def unit(stream: int, slot: int) -> float:
    """Draw *slot* of *stream* (a run's stream for one step): a number in (0, 1).

    The one uniform draw: the top 53 bits of the mixed 64, centred in their interval, so
    0 is never drawn; the very top one, which a float rounds to 1.0, is drawn as
    :data:`BELOW_ONE`, so 1 is never drawn either. A stream is ``_mix(seed ^ key)`` for a
    run's seed and a step's key; ``uniform(seed, key, slot)`` is its draw *slot*.
    """
    u = ((_mix(stream ^ slot) >> 11) + 0.5) / TWO_TO_53
    return u if u < 1.0 else BELOW_ONE
