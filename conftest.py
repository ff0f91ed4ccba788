"""Run the examples in the docs, the README and the docstrings as tests (with Sybil).

Every run draws its hypothesis seed, unless ``--hypothesis-seed=N`` gives one, and prints it
in the header: a failure found on a random seed is replayed with that seed.
"""

import random
import signal
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

import pytest
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


@pytest.hookimpl(tryfirst=True)  # before hypothesis' plugin reads the option
def pytest_configure(config: pytest.Config) -> None:
    """Draw the run's hypothesis seed when none is given (or ``--hypothesis-seed=random``).

    And let the commands the tests start see Ctrl-C as a user's would: a shell starts a
    background job (``pytest &``, some CI runners) with SIGINT ignored, every child inherits
    that, and the Ctrl-C tests' commands would never be interrupted. A handler set here is
    reset to the default in each child.
    """
    if config.getoption("hypothesis_seed") in (None, "random"):
        config.option.hypothesis_seed = str(random.SystemRandom().randrange(10**9))
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_report_header(config: pytest.Config) -> str:
    """The seed, and how to run again on it."""
    seed = config.getoption("hypothesis_seed")
    return f"hypothesis seed: {seed} (run again on it with --hypothesis-seed={seed})"
