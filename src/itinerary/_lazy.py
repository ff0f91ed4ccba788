"""Lazy package faces: each public name is imported from the module that defines it, on first use.

``import itinerary`` (or ``itinerary.sim``, ``itinerary.store``) then loads the package alone;
``from itinerary import EventLog`` imports :mod:`itinerary.log` and what it needs. This is a
module ``__getattr__`` and ``__dir__`` (PEP 562), as attrs and whenever use them. Type checkers
read the same names from each package's ``if TYPE_CHECKING:`` imports; tests/test__lazy.py
checks that those imports, the package's ``__all__`` and its homes agree.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from types import ModuleType

__all__ = ["face"]


def face(
    package: str,
    homes: Mapping[str, tuple[str, ...]],
    *,
    submodules: frozenset[str] = frozenset(),
    computed: Mapping[str, Callable[[], object]] | None = None,
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of *package*, whose names live in *homes*.

    *homes* maps each module (its full name) to the names the package takes from it; the
    first use of a name imports its module and keeps the value in the package, so that the
    next use is an ordinary attribute. A name of *submodules* imports ``package.name``; a
    name of *computed* is its function's result (``__version__``).

    A submodule never hides the public name it shares: importing ``itinerary.sim.monte_carlo``
    binds the module as the package's ``monte_carlo`` attribute, but the package keeps (or
    will import) the function, as it did when it imported every module at once
    (``sys.modules`` still holds the module). For this the package's module type becomes a
    subclass of :class:`types.ModuleType` that refuses that one binding.
    """
    module = sys.modules[package]
    namespace = module.__dict__
    home_of = {name: home for home, names in homes.items() for name in names}
    extra = dict(computed or {})

    class Face(ModuleType):
        """A package whose public names are imported on first use."""

        def __setattr__(self, name: str, value: object) -> None:
            if name in home_of and isinstance(value, ModuleType):
                return  # the import system binding a submodule over the public name
            super().__setattr__(name, value)

    def __getattr__(name: str) -> object:  # noqa: N807 - the module hook's own name
        home = home_of.get(name)
        if home is not None:
            value = getattr(importlib.import_module(home), name)
        elif name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in extra:
            value = extra[name]()
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807 - the module hook's own name
        # The public face and the module's dunders, not what it imports for itself (the
        # ``TYPE_CHECKING`` flag, ``annotations``).
        dunders = (name for name in namespace if name.startswith("__"))
        public = namespace.get("__all__", ())
        return sorted({*dunders, *public, *home_of, *submodules, *extra})

    module.__class__ = Face
    return __getattr__, __dir__
