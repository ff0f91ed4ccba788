"""Sphinx configuration: the docs/ pages, the API reference and the example notebook.

Build the site (warnings are errors, as in CI) with::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

The build needs no network. Links to the Python, attrs and hypothesis docs (intersphinx) are
added only when ``ITINERARY_DOCS_INTERSPHINX=1`` is set, since their inventories are
downloaded.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import re
import shutil
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

from docutils.nodes import Element
from sphinx.addnodes import desc_signature, pending_xref
from sphinx.application import Sphinx
from sphinx.domains.python import PyVariable
from sphinx.environment import BuildEnvironment
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging

import itinerary

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "itinerary"
author = "The itinerary developers"
copyright = "2025, The itinerary developers"  # Sphinx reads this name
release = itinerary.__version__
version = release

extensions = [
    "myst_nb",  # Markdown pages (MyST) and notebooks, executed in a Jupyter kernel
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",  # Google-style docstrings
    "sphinx_autodoc_typehints",  # after napoleon, as its docs ask
    "sphinx.ext.intersphinx",
]

# The public modules, one API page each; adding a module is one line in docs/api.md.
# autosummary writes the pages (docs/api/, not committed) from docs/_templates/.
templates_path = ["_templates"]
autosummary_generate = True
autosummary_ignore_module_all = False  # public names are the module's __all__
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# autodoc: the members of each module's __all__ (exceptions, classes, functions, then
# variables); a name in __all__ without a docstring fails the build (_require_docstrings).
autodoc_default_options = {"members": True, "member-order": "groupwise"}
autodoc_class_signature = "mixed"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
typehints_use_signature = False
typehints_use_signature_return = False
always_document_param_types = False
typehints_document_rtype = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = True

# MyST: the pages link headings by their slugs ("local-time.md#how-a-wall-time-is-written").
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# Notebooks: run every one in a fresh kernel at each build; a cell that raises fails it.
nb_execution_mode = "force"
nb_execution_raise_on_error = False  # a warning (so an error under -W) with the traceback
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_merge_streams = True

# -n (nitpicky): every cross-reference must resolve, except to the libraries below, whose
# inventories are left out so that the build needs no network. With intersphinx on, those
# that it knows become links; the rest stay plain text.
nitpick_ignore_regex = [
    (r"py:.*", r"(datetime|collections|typing|types|concurrent|pathlib|os|enum)(\..*)?"),
    (r"py:.*", r"(pendulum|attrs|attr|immutables|cattrs|hypothesis|numpy|dask|tqdm)(\..*)?"),
    (r"py:.*", r"(pandas|pd|matplotlib|plt|icalendar|IPython)(\..*)?"),  # the notebook extras
    (r"py:.*", r"(pyarrow|pa)(\..*)?"),  # the arrow extra
    (r"py:.*", r"(sqlite3|io|random|json|abc|re)(\..*)?"),
    (r"py:class", r"(int|str|float|bool|bytes|object|None|tuple|list|dict|set|frozenset)"),
    (r"py:class", r"(type|Exception|ValueError|TypeError|KeyError|BaseException)"),
    (r"py:class", r"(Callable|Iterable|Iterator|Mapping|Sequence|Hashable|Any|Literal)"),
    (r"py:class", r"(DateTime|Duration|Timezone|Map|SearchStrategy|DataObject|Random)"),
    (r"py:class", r"(Executor|Future|Path|PathLike|TypeVar|Generic|Protocol)"),
    (r"py:class", r"(DataFrame|Series|Figure|Axes|Calendar)"),
    (r"py:(class|mod|data)", r"(array|calendar|zoneinfo|Ellipsis)(\..*)?"),
    # Private types that signatures name: type variables and the projections' state types.
    (r"py:class", r"(itinerary\.[\w.]*\.)?(S|_T|IndexT|Signed|Ledger|WhereaboutsByName)"),
    (r"py:class", r"(itinerary\.[\w.]*\.)?(Timeline|Program|_Deferred)"),
]
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
if os.environ.get("ITINERARY_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "attrs": ("https://www.attrs.org/en/stable", None),
        "hypothesis": ("https://hypothesis.readthedocs.io/en/latest", None),
    }

html_theme = "furo"
html_title = "itinerary"
html_static_path = ["_static"]
html_css_files = ["itinerary.css"]  # wide tables scroll in their box, DataFrames in the theme

# The example notebook lives in examples/ beside the scenario files it loads; the build
# copies them into docs/examples/ (not committed), so that the notebook runs there as it
# does in examples/.
EXAMPLES = ["asia_tour_2025.ipynb", "asia_tour_2025.toml", "asia_tour_2025_plan.toml"]

_log = logging.getLogger(__name__)

# sphinx-autodoc-typehints 3.6 calls an API that Sphinx 10 removes, once per docstring.
warnings.filterwarnings("ignore", message=r".*\.set_application' is deprecated")


def _copy_examples(_: Sphinx) -> None:
    """Copy the example notebook and its scenario files into docs/examples/, if changed."""
    target = DOCS / "examples"
    target.mkdir(exist_ok=True)
    for name in EXAMPLES:
        source, copy = ROOT / "examples" / name, target / name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copy2(source, copy)


def api_modules() -> list[str]:
    """The modules listed in docs/api.md, in order: one API page each."""
    lines = (DOCS / "api.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.startswith("   itinerary")]


def _home_of(name: str, value: object) -> str:
    """Where the API reference documents ``itinerary.<name>``, relative to the package.

    The module page that lists *name* in its ``__all__``, preferring the module *value* was
    defined in (``errors.InvalidPlanError``, not ``sim.InvalidPlanError``); or the package
    page itself (``Disambiguate``).
    """
    pages = [
        module_name
        for module_name in api_modules()
        if module_name != "itinerary"
        and name in getattr(importlib.import_module(module_name), "__all__", ())
        and getattr(importlib.import_module(module_name), name) is value
    ]
    defined_in = getattr(value, "__module__", None) or ""
    pages.sort(key=lambda page: not (defined_in + ".").startswith(page + "."))
    return f"{pages[0].removeprefix('itinerary.')}.{name}" if pages else name


@functools.cache
def _attr_docs(module_name: str) -> dict[tuple[str, str], list[str]]:
    try:
        return dict(ModuleAnalyzer.for_module(module_name).find_attr_docs())
    except PycodeError:
        return {}


def _defining_doc(name: str, value: object) -> list[str] | None:
    """The docstring (or ``#:`` comment) of the module variable *name* bound to *value*.

    autodoc reads a variable's docstring in the module it documents; a package that
    re-exports a constant (``itinerary.projections.TOUR``) finds it here, where it is defined.
    """
    for module_name, module in sorted(sys.modules.items()):
        if module_name.split(".")[0] != "itinerary" or getattr(module, name, None) is not value:
            continue
        doc = _attr_docs(module_name).get(("", name))
        if doc:
            return doc
    return None


def _require_docstrings(
    _: Sphinx, what: str, name: str, value: object, skip: bool, options: Any
) -> bool | None:
    """Warn (an error under -W) of a public name that autodoc leaves out for want of docs.

    A variable that a module imports is left out too, but the page template adds it back
    (``_reexported_data``) if it has a docstring where it is defined.
    """
    if what != "module" or not skip or name.startswith("_"):
        return None
    if _defining_doc(name, value):
        return None  # a re-exported variable: the page template documents it
    homes = [
        module_name
        for module_name in api_modules()
        if getattr(importlib.import_module(module_name), name, None) is value
        and name in getattr(importlib.import_module(module_name), "__all__", ())
    ]
    _log.warning(
        "public name %s has no docstring (or #: comment), so the API reference leaves it out",
        " and ".join(f"{module_name}.{name}" for module_name in homes) or name,
    )
    return None


def _reexported_docstring(
    _: Sphinx, what: str, name: str, value: object, options: Any, lines: list[str]
) -> None:
    """Give a re-exported constant the docstring it has where it is defined."""
    if what in {"data", "attribute"} and "." in name:
        doc = _defining_doc(name.rsplit(".", 1)[1], value)
        own = [line for line in lines if line.strip()]
        if doc and (
            not own or own == [line for line in doc if line.strip()] or _is_class_doc(value, lines)
        ):
            lines[:] = list(doc)


def _is_class_doc(value: object, lines: list[str]) -> bool:
    """Whether *lines* are the docstring of *value*'s class (an instance has no docstring)."""
    class_doc = inspect.getdoc(type(value)) or ""
    return bool(class_doc) and "\n".join(lines).strip() == inspect.cleandoc(class_doc).strip()


def _reexported_data(module_name: str) -> list[str]:
    """The names of *module_name*'s ``__all__`` that automodule leaves out: variables it imports.

    autodoc documents a module's variables only if their docstring is in that module; the
    API page template adds these with ``autodata`` (their docstring comes from where they
    are defined, see ``_reexported_docstring``).
    """
    module = importlib.import_module(module_name)
    own = _attr_docs(module_name)
    return [
        name
        for name in getattr(module, "__all__", ())
        if ("", name) not in own
        and not inspect.isclass(value := getattr(module, name))
        and not inspect.isroutine(value)
        and not inspect.ismodule(value)
        and _defining_doc(name, value)
    ]


# The package page lists each name of itinerary.__all__ with a link to the module page that
# documents it, and documents in full only the names no module page has.
# The other pages add the variables their module re-exports.
autosummary_context = {
    "homes": {name: _home_of(name, getattr(itinerary, name)) for name in itinerary.__all__},
    "reexported_data": {
        name: _reexported_data(name) for name in api_modules() if name != "itinerary"
    },
}


def _package_name(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> Element | None:
    """Resolve a reference to a name of ``itinerary.__all__`` to where it is documented.

    ``itinerary.EventLog``, ``EventLog`` and ``EventLog.index`` lead to ``itinerary.log``'s
    page, as ``from itinerary import EventLog`` would; any other unresolved reference stays
    an error.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    head, _, tail = target.removeprefix("itinerary.").partition(".")
    home = autosummary_context["homes"].get(head)
    if home is None:
        return None
    resolved = f"itinerary.{home}" + (f".{tail}" if tail else "")
    if resolved == target:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], resolved, node, contnode
    )


def _module_not_function(
    _: Sphinx, what: str, name: str, value: object, options: Any, lines: list[str]
) -> None:
    """Summarise the module ``itinerary.agenda`` in docs/api.md, not the function it exports.

    autosummary finds ``itinerary.agenda`` as an attribute of the package first, and the
    package's ``agenda`` is the function.
    """
    if name in api_modules() and not inspect.ismodule(value):
        lines[:] = (inspect.getdoc(importlib.import_module(name)) or "").splitlines()


def _import_type_checking_names() -> None:
    """Run each module's ``if TYPE_CHECKING:`` imports, so that its annotations resolve.

    sphinx-autodoc-typehints does this itself, but attrs-made methods (whose globals are not
    their module's) make it skip some modules; only the docs build's process is affected.
    """
    for name, module in sorted(sys.modules.items()):
        if name.split(".")[0] != "itinerary" or module is None:
            continue
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            continue
        for block in re.findall(r"\nif TYPE_CHECKING:\n((?:[ \t]+.*\n|\n)+)", source):
            exec(textwrap.dedent(block), module.__dict__)  # the module's own imports


class _ShortValue(PyVariable):
    """A module variable, shown with its value only if that fits on a line."""

    def handle_signature(self, sig: str, signode: desc_signature) -> tuple[str, str]:
        """Drop a value longer than 60 characters (a gazetteer, a table of rules)."""
        if len(self.options.get("value", "")) > 60:
            del self.options["value"]
        return super().handle_signature(sig, signode)


def setup(app: Sphinx) -> None:
    """Copy the examples in, check that public names are documented, resolve their aliases."""
    app.connect("builder-inited", _copy_examples)
    app.connect("builder-inited", lambda _: _import_type_checking_names())
    app.connect("autodoc-skip-member", _require_docstrings)
    # Before napoleon (priority 500), which then reads the docstrings put in place here.
    app.connect("autodoc-process-docstring", _reexported_docstring, priority=100)
    app.connect("autodoc-process-docstring", _module_not_function, priority=100)
    app.connect("missing-reference", _package_name)
    app.add_directive_to_domain("py", "data", _ShortValue, override=True)
