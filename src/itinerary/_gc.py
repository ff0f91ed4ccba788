"""Pausing the cyclic garbage collector while many acyclic objects are built at once."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["bulk"]


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while a load or a replay builds many objects.

    Events, instants and projection states hold no reference cycles, so collecting while
    they are built finds nothing, yet each full collection rescans every object built so far:
    about a third of a first replay of a million events, and a quarter of a large load. The
    collector runs again as before on leaving the block, even on an error.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
