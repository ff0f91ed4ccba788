"""Tests for itinerary._lazy and the lazy faces of itinerary, itinerary.sim and itinerary.store."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import json
import subprocess
import sys
import types

import pytest

import itinerary
from itinerary import _lazy

FACES = ["itinerary", "itinerary.sim", "itinerary.store"]

MODULE_LIMIT = 20
"""The most of the package's modules that ``import itinerary`` (or ``itinerary --help``) loads."""


def _loaded_after(code: str) -> list[str]:
    """The package's modules loaded in a fresh interpreter after running *code*."""
    probe = "import json, sys\n" + code + "\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    names = json.loads(done.stdout.splitlines()[-1])
    return [name for name in names if name == "itinerary" or name.startswith("itinerary.")]


def test_importing_the_package_loads_few_of_its_modules() -> None:
    """``import itinerary`` loads at most 20 of the package's modules (today: the face alone)."""
    loaded = _loaded_after("import itinerary")
    assert len(loaded) <= MODULE_LIMIT, loaded
    assert "itinerary.store.postgres" not in loaded


def test_the_command_lines_help_loads_few_of_the_packages_modules() -> None:
    """``itinerary --help`` loads at most 20 of the package's modules: no store, no simulator."""
    loaded = _loaded_after(
        "from itinerary.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert len(loaded) <= MODULE_LIMIT, loaded
    assert not [name for name in loaded if name.startswith(("itinerary.store", "itinerary.sim"))]


def test_a_first_use_imports_only_the_names_home() -> None:
    """``from itinerary.sim import Plan`` loads the plan, not the engine or Monte Carlo."""
    loaded = _loaded_after("from itinerary.sim import Plan")
    assert "itinerary.sim.plan" in loaded
    assert "itinerary.sim.monte_carlo" not in loaded


@pytest.mark.parametrize("face", FACES)
def test_every_public_name_resolves_to_its_homes_value(face: str) -> None:
    """Each name of ``__all__`` is the very object its home module defines."""
    package = importlib.import_module(face)
    homes = {name: home for home, names in package._HOMES.items() for name in names}
    for name in package.__all__:
        value = getattr(package, name)
        if name in homes:
            assert value is getattr(importlib.import_module(homes[name]), name), name


@pytest.mark.parametrize("face", FACES)
def test_star_import_gives_all_the_public_names(face: str) -> None:
    """``from <face> import *`` binds every name of its ``__all__``."""
    namespace: dict[str, object] = {}
    exec(f"from {face} import *", namespace)  # the statement under test
    assert set(package_names := importlib.import_module(face).__all__) <= set(namespace)
    assert len(package_names) == len(set(package_names))


@pytest.mark.parametrize("face", FACES)
def test_the_homes_the_type_checking_imports_and_all_agree(face: str) -> None:
    """What type checkers see (``if TYPE_CHECKING:``) is what ``__getattr__`` imports, no more."""
    package = importlib.import_module(face)
    checked: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(inspect.getsource(package))):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    names = {alias.asname or alias.name for alias in statement.names}
                    checked.setdefault(statement.module or "", set()).update(names)
    homes = {home: set(names) for home, names in package._HOMES.items()}
    assert checked == homes
    defined_here = set(package.__all__) - {name for names in homes.values() for name in names}
    assert all(name in vars(package) for name in defined_here), defined_here


@pytest.mark.parametrize("face", FACES)
def test_dir_lists_names_not_imported_yet(face: str) -> None:
    """``dir()`` of a face lists all of its ``__all__`` (for completion in a notebook)."""
    assert set(importlib.import_module(face).__all__) <= set(dir(importlib.import_module(face)))


@pytest.mark.parametrize("face", FACES)
def test_an_unknown_name_is_an_attribute_error(face: str) -> None:
    """A name a face does not have raises AttributeError naming the module, as any module does."""
    with pytest.raises(AttributeError, match=rf"module '{face}' has no attribute 'Nope'"):
        getattr(importlib.import_module(face), "Nope")  # noqa: B009 - the lookup under test


def test_the_version_comes_from_the_distributions_metadata() -> None:
    """``itinerary.__version__`` is the installed distribution's version."""
    assert itinerary.__version__ == importlib.metadata.version("itinerary")
    assert "__version__" in dir(itinerary)


def test_the_package_still_offers_its_modules_as_attributes() -> None:
    """``import itinerary`` then ``itinerary.sim`` works, as when the package imported them all."""
    loaded = _loaded_after("import itinerary\nassert itinerary.sim.Plan and itinerary.places.TOKYO")
    assert "itinerary.sim.plan" in loaded


def test_a_function_is_not_hidden_by_its_module() -> None:
    """After ``import itinerary.agenda``, ``itinerary.agenda`` is still the function."""
    loaded = _loaded_after(
        "import itinerary.agenda, itinerary.sim.monte_carlo, types\n"
        "from itinerary import agenda\n"
        "from itinerary.sim import monte_carlo\n"
        "assert isinstance(agenda, types.FunctionType) and agenda is itinerary.agenda\n"
        "assert isinstance(monte_carlo, types.FunctionType)\n"
        "assert itinerary.sim.monte_carlo is monte_carlo"
    )
    assert {"itinerary.agenda", "itinerary.sim.monte_carlo"} <= set(loaded)


def test_face_keeps_a_value_after_its_first_use() -> None:
    """A name is imported once: the next use is an ordinary attribute of the package."""
    module = types.ModuleType("itinerary_test_face")
    sys.modules[module.__name__] = module
    try:
        getattr_, dir_ = _lazy.face(
            module.__name__, {"json": ("dumps",)}, computed={"answer": lambda: 42}
        )
        assert getattr_("dumps") is json.dumps
        assert vars(module)["dumps"] is json.dumps
        assert getattr_("answer") == 42
        assert {"answer", "dumps"} <= set(dir_())
    finally:
        del sys.modules[module.__name__]
