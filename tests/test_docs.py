"""The harness that runs the docs' examples: a failing example fails as a test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

_GUARD = Path(__file__).with_name("_sybil.py")

_CONFTEST = """
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

from tests._sybil import report_every_failure

report_every_failure()
pytest_collect_file = Sybil(parsers=[PythonCodeBlockParser()], patterns=["*.md"]).pytest()
"""

# An object whose finaliser raises: pytest reports the "unraisable" exception in the
# example's teardown, after its code ran (as a Dask cluster that failed to start did).
_DOC = """
```python
class Leaky:
    def __del__(self):
        raise RuntimeError("left behind")

leak = Leaky()
del leak
```

```python
assert 1 + 1 == 2
```
"""


def test_an_example_failing_in_teardown_fails_as_a_test(pytester: pytest.Pytester) -> None:
    """The example fails, the next one still runs, and the run ends with a summary."""
    pytester.syspathinsert(pytester.path)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "__init__.py").write_text("")
    (pytester.path / "tests" / "_sybil.py").write_text(_GUARD.read_text(encoding="utf-8"))
    pytester.makeconftest(_CONFTEST)
    pytester.makefile(".md", doc=textwrap.dedent(_DOC))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1, failed=1)
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*FAILED doc.md*Unraisable*"])
