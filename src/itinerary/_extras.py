"""Optional dependencies, imported when first needed and named when missing.

The core never imports an optional extra at module level; a feature that needs one calls
:func:`require` where it needs it, and a user without it gets a
:class:`~itinerary.errors.MissingExtraError` that says what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from itinerary.errors import MissingExtraError

__all__ = ["require"]


def require(name: str, *, extra: str, feature: str) -> ModuleType:
    """The module *name*, or :class:`MissingExtraError` naming *extra* to install for *feature*.

    >>> require("no_such_module_at_all", extra="notebook", feature="to_pandas()")
    Traceback (most recent call last):
    ...
    itinerary.errors.MissingExtraError: to_pandas() needs no_such_module_at_all, which is not installed: pip install "itinerary[notebook]"
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise MissingExtraError(name, extra, feature) from exc
