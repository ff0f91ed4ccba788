"""Run the examples in the docs, the README and the docstrings as tests (with Sybil)."""

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser
from tests._sybil import report_every_failure

report_every_failure()  # a doc example that fails in teardown fails as a test

pytest_plugins = ["pytester"]  # tests/test_docs.py runs a session of its own

_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

pytest_collect_file = (
    Sybil(
        parsers=[PythonCodeBlockParser(doctest_optionflags=_FLAGS), SkipParser()],
        patterns=["docs/*.md", "README.md"],
        name="docs",
    )
    + Sybil(
        parsers=[DocTestParser(optionflags=_FLAGS)],
        patterns=["src/itinerary/*.py", "src/itinerary/**/*.py"],
        name="docstrings",
    )
).pytest()
