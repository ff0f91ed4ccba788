"""The ``itinerary`` command's entry point, a module outside the package so that it runs first.

A Ctrl-C while the command line is imported would land inside Python's import machinery,
which can only print it ("Exception ignored in ...") or a traceback of the imports. So the
import runs with Ctrl-C held back (a few hundredths of a second); if one came, the command
ends as Ctrl-C ends any command (click's way): ``Aborted!`` on stderr and exit status 1.
Once the command runs, Ctrl-C raises ``KeyboardInterrupt`` as usual (``follow`` stops on
it), except inside the import machinery (a lazy import), where Python could only print and
drop it: there it is asked for again a few milliseconds later, once the import is done. Once
the command has ended, Python's exit (flushing its streams and logs) is not interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

__all__ = ["main"]

ABORTED = 1
"""The exit status after Ctrl-C, as click gives it once the command runs."""

AGAIN = 0.005
"""Seconds after which a Ctrl-C that came during an import is asked for again."""


def main() -> None:
    """Import the command line with Ctrl-C held back, then run it (or end, if one came)."""
    interrupted: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        interrupted.append(signum)

    try:
        previous = signal.signal(signal.SIGINT, hold)
        try:
            from itinerary.cli import main as command  # noqa: PLC0415 - the import held back
        finally:
            signal.signal(
                signal.SIGINT, _interrupt if previous is signal.default_int_handler else previous
            )
        if interrupted:
            _abort("")
        command(prog_name="itinerary")
    except KeyboardInterrupt:
        # Between the import and click's own handler (entering click's ``__call__``), or
        # after it: the same end as click's.
        _abort("\n")
    except Exception as exc:
        # click turns a Ctrl-C into "Aborted!", but one that lands in a class being built
        # (a lazy import's ``__set_name__``) reaches it as a RuntimeError caused by it.
        if not _interrupted(exc):
            raise
        _abort("\n")
    finally:  # the command is over: a Ctrl-C now would only interrupt Python's exit
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C as Python's own handler, but never inside an import: there, ask again later."""
    if _importing(frame):
        later = threading.Timer(AGAIN, os.kill, (os.getpid(), signum))
        later.daemon = True
        later.start()
        return
    raise KeyboardInterrupt


def _importing(frame: FrameType | None) -> bool:
    """Whether *frame* runs inside the import machinery (where an exception is only printed)."""
    seen = 0
    while frame is not None and seen < 1000:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame, seen = frame.f_back, seen + 1
    return False


def _abort(before: str) -> None:
    """End as click ends a command on Ctrl-C: ``Aborted!`` on stderr, exit status 1."""
    sys.stderr.write(f"{before}Aborted!\n")
    sys.exit(ABORTED)


def _interrupted(exc: BaseException | None) -> bool:
    """Whether *exc* is, or was caused by, a Ctrl-C (``KeyboardInterrupt``)."""
    seen = 0
    while exc is not None and seen < 100:  # a chain, not a cycle, but bounded anyway
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
