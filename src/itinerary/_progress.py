"""Progress bars for long work, shown only where someone is watching.

One helper for every bar the library draws (loading a store, exporting, checking a big
log, a Monte Carlo study). :func:`bar` draws with ``tqdm.auto``: a text bar on a terminal, a
widget in a Jupyter notebook. It draws nothing, and does not even import tqdm, when
standard error is not a terminal (a pipe, a file, a test's captured output) and the code is
not running in a Jupyter kernel: a log file or a test never receives bar text.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import IO, Any, Protocol, Self, TypeVar

from itinerary._closing import Closing

__all__ = ["Bar", "bar", "chunked", "counted", "watched"]

T = TypeVar("T")


class Bar(Protocol):
    """A progress bar: count finished work with :meth:`update`; a context manager."""

    def update(self, n: int = 1) -> None:
        """Count *n* more units of work as done."""
        ...

    def close(self) -> None:
        """Stop drawing (the finished bar stays on a terminal)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class _Off(Closing):
    """The bar drawn where nobody watches: it counts nothing and writes nothing."""

    def update(self, n: int = 1) -> None:
        """Nothing to count."""

    def close(self) -> None:
        """Nothing to close."""


class _Shown(_Off):
    """A tqdm bar behind the :class:`Bar` protocol."""

    def __init__(self, tqdm_bar: Any) -> None:
        self._bar = tqdm_bar

    def update(self, n: int = 1) -> None:
        """Count *n* more units of work as done."""
        self._bar.update(n)

    def close(self) -> None:
        """Stop drawing."""
        self._bar.close()


def _in_jupyter_kernel() -> bool:
    """Whether this is a Jupyter kernel (IPython is never imported to find out)."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    config = getattr(shell, "config", None)
    return config is not None and "IPKernelApp" in config


def watched(stream: IO[str] | None = None) -> bool:
    """Whether a person would see a bar on *stream* (standard error by default).

    True on a terminal, and in a Jupyter kernel (where the bar is a widget); false for a
    pipe, a file, or pytest's captured output.
    """
    stream = sys.stderr if stream is None else stream
    if _in_jupyter_kernel():
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):  # a closed or detached stream
        return False


_FALLBACK_SIZE = (80, 24)


def _sizeless(stream: IO[str]) -> bool:
    """Whether the terminal *stream* writes to says it has no columns or no lines."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):  # no descriptor: tqdm finds its own way
        return False
    return size.columns == 0 or size.lines == 0


def bar(total: int | None, *, desc: str, unit: str, enabled: bool = True) -> Bar:
    """A progress bar for *total* units of work, or one that draws nothing.

    It draws only if *enabled* and :func:`watched`; on standard error as it is when called.
    """
    if not enabled or not watched():
        return _Off()
    from tqdm.auto import tqdm  # noqa: PLC0415 - only when a bar is drawn

    options: dict[str, Any] = {"total": total, "desc": desc, "unit": unit, "file": sys.stderr}
    if not _in_jupyter_kernel() and _sizeless(sys.stderr):
        # A terminal of 0 x 0 (some containers' ptys): tqdm would hide the bar, so say a size.
        options["ncols"], options["nrows"] = _FALLBACK_SIZE
    try:
        return _Shown(tqdm(**options))
    except ImportError:  # a notebook without ipywidgets: tqdm.auto cannot draw its widget
        from tqdm.std import tqdm as text_tqdm  # noqa: PLC0415 - the fallback

        return _Shown(text_tqdm(**options))


def chunked(items: Iterable[T], bar: Bar | None, every: int = 10_000) -> Iterator[list[T]]:
    """*items* in lists of *every* (the last one shorter), each counted on *bar*, if any.

    A chunk is counted once the loop comes back for the next (or finds there is none): the
    bar never counts an item ahead of the work done with its chunk.
    """
    source = iter(items)
    while chunk := list(itertools.islice(source, every)):
        yield chunk
        if bar is not None:
            bar.update(len(chunk))


def counted(items: Iterable[T], bar: Bar, every: int = 10_000) -> Iterator[T]:
    """*items* as they are, counted on *bar* a chunk of *every* items at a time.

    A chunk is counted once the loop has taken all of it (the last one when the loop asks
    for more and there is none): the bar never counts an item ahead of the work, and the
    loop pays for the bar once a chunk, not once an item.
    """
    return itertools.chain.from_iterable(chunked(items, bar, every))
