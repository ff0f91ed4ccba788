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


def test_the_index_links_every_page_and_names_every_command() -> None:
    """The index: install first, then a link to every page and to each command's section."""
    import re  # noqa: PLC0415 - this test only

    from itinerary.cli import main  # noqa: PLC0415 - this test only

    docs = Path(__file__).resolve().parent.parent / "docs"
    index = (docs / "index.md").read_text(encoding="utf-8")
    assert index.index("## Install") < index.index("```python") < index.index("## The guide")
    toctree = index.split("```{toctree}")[1].split("```")[0]
    pages = [line.strip() for line in toctree.splitlines()[1:] if line.strip() and ":" not in line]
    linked = set(re.findall(r"\]\(([\w/.-]+?)\.(?:md|ipynb)\)", index))
    assert set(pages) <= linked
    headings = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in (docs / "cli.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    for command in main.commands:
        anchors = re.findall(rf"\[`itinerary {command}\b[^`]*`\]\(cli\.md#([\w-]+)\)", index)
        assert anchors, f"the index does not link `itinerary {command}`"
        assert set(anchors) <= headings
