"""A guard on Sybil's pytest integration, so that a failing doc example fails as a test."""

from __future__ import annotations

from typing import Any


def report_every_failure() -> None:
    """Keep pytest's own traceback where Sybil's filter would raise ``IndexError``.

    Sybil (10.1 and earlier) re-roots a failing example's traceback at the frame below its
    own ``example.py`` and assumes there is one. A failure raised after the example's code
    ran (in teardown: a warning turned into an error, a server left running) has no such
    frame; ``tb[1]`` then raised ``IndexError`` inside pytest's reporting, an INTERNALERROR
    that ended the whole run with no summary (simplistix/sybil#118, #171). With this guard
    the example fails as a test and the run goes on. ``tests/test_docs.py`` checks it.
    """
    from sybil.integration import pytest as sybil_pytest  # noqa: PLC0415 - at conftest load

    item = sybil_pytest.SybilItem
    original = item._traceback_filter

    def _traceback_filter(self: Any, excinfo: Any) -> Any:
        if len(excinfo.traceback.cut(path=sybil_pytest.example_module_path)) < 2:
            return excinfo.traceback
        return original(self, excinfo)

    item._traceback_filter = _traceback_filter  # type: ignore[method-assign]
