"""Progress bars: drawn on a terminal or in a notebook, never into a pipe or captured output."""

import os
import sys
import types
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itinerary import EventLog, _progress, check
from itinerary.events import Arrived, Departed
from itinerary.places import KUALA_LUMPUR, TOKYO
from tests.fakes import RecordingBar, SizelessTerminal, Terminal

LOG = EventLog(
    [
        Arrived("Donald Trump", KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-26 10:00")),
        Departed("Donald Trump", KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),
        Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 16:30")),
    ]
)


def test_nothing_is_written_into_captured_output(capsys: pytest.CaptureFixture[str]) -> None:
    """check(progress=True) under pytest's capture writes no bar, and finds the same."""
    assert check(LOG, progress=True) == check(LOG) == []
    assert capsys.readouterr() == ("", "")


def test_captured_output_is_not_watched() -> None:
    """Standard error as pytest captures it is not a terminal: no bar, and tqdm is not needed."""
    assert not _progress.watched()
    assert isinstance(_progress.bar(10, desc="x", unit="event"), _progress._Off)


def test_a_terminal_shows_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, check(progress=True) draws a bar named check that reaches every event."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert check(LOG, progress=True) == []
    shown = terminal.getvalue()
    assert "check" in shown
    assert "3/3" in shown


def test_progress_false_draws_nothing_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without progress=True nothing is drawn, even on a terminal."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    check(LOG)
    with _progress.bar(5, desc="x", unit="event", enabled=False) as bar:
        bar.update(5)
    assert terminal.getvalue() == ""


def test_a_terminal_of_no_size_still_shows_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pty that reports 0 x 0 (tqdm would hide the bar there) gets a bar 80 columns wide."""
    terminal = SizelessTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((0, 0)))
    with _progress.bar(4, desc="sizeless", unit="event") as bar:
        bar.update(4)
    last = terminal.getvalue().replace("\r", "\n").strip().splitlines()[-1]
    assert "sizeless" in last
    assert "4/4" in last
    assert len(last) <= 80


def test_no_standard_error_is_not_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a standard error at all (pythonw), nothing is drawn."""
    monkeypatch.setattr(sys, "stderr", None)
    assert not _progress.watched()


def _kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend this is a Jupyter kernel: IPython imported, its shell started by IPKernelApp."""
    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)


def test_a_jupyter_kernel_is_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a notebook standard error is no terminal, yet a bar is shown (as a widget)."""
    assert not _progress.watched()
    _kernel(monkeypatch)
    assert _progress.watched()


def test_a_plain_ipython_shell_is_not_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """IPython imported without a kernel (a terminal IPython, a script) is not a notebook."""
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert not _progress.watched()


def test_a_notebook_without_widgets_falls_back_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """If tqdm.auto cannot draw its widget (no ipywidgets), the bar is drawn as text."""
    import tqdm.auto  # noqa: PLC0415 - patched below

    def no_widgets(*args: Any, **kwargs: Any) -> None:
        raise ImportError("IProgress not found. Please update jupyter and ipywidgets.")

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(tqdm.auto, "tqdm", no_widgets)
    with _progress.bar(2, desc="fallback", unit="event") as bar:
        bar.update(2)
    assert "fallback" in terminal.getvalue()
    assert "2/2" in terminal.getvalue()


@given(items=st.lists(st.integers()), every=st.integers(min_value=1, max_value=10))
def test_counted_items_are_the_items_counted_a_chunk_at_a_time(
    items: list[int], every: int
) -> None:
    """counted() gives the items unchanged and counts them all, in chunks of *every* at most."""
    bar = RecordingBar(len(items), desc="x", unit="item")
    assert list(_progress.counted(items, bar, every)) == items
    assert sum(bar.counts) == len(items)
    assert len(bar.counts) == -(-len(items) // every)  # one count a chunk
    assert all(0 < count <= every for count in bar.counts)


def test_counted_never_counts_ahead_of_the_loop() -> None:
    """A chunk is counted only once the loop has taken all of it."""
    bar = RecordingBar(5, desc="x", unit="item")
    seen = []
    for item in _progress.counted(range(5), bar, 2):
        seen.append((item, sum(bar.counts)))
    assert seen == [(0, 0), (1, 0), (2, 2), (3, 2), (4, 4)]
    assert bar.counts == [2, 2, 1]


@given(items=st.lists(st.integers()), every=st.integers(min_value=1, max_value=10))
def test_chunked_items_are_the_items_in_lists_counted_as_done(items: list[int], every: int) -> None:
    """chunked() gives the items in lists of *every* at most, each counted once the loop is back."""
    bar = RecordingBar(len(items), desc="x", unit="item")
    seen = []
    for chunk in _progress.chunked(items, bar, every):
        seen.append((chunk, sum(bar.counts)))
    assert [item for chunk, _ in seen for item in chunk] == items
    assert all(0 < len(chunk) <= every for chunk, _ in seen)
    assert [counted for _, counted in seen] == [every * i for i in range(len(seen))]
    assert sum(bar.counts) == len(items)


def test_chunked_without_a_bar_counts_nothing() -> None:
    """chunked(items, None) only cuts the items into lists."""
    assert list(_progress.chunked(range(5), None, 2)) == [[0, 1], [2, 3], [4]]
