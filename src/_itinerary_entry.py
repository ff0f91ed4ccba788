"""The ``itinerary`` command's entry point, a module outside the package so that it runs first.

Importing itinerary takes a few tenths of a second; a Ctrl-C meanwhile would print Python's
traceback of the imports. Here it ends the command as Ctrl-C ends any command (click's way):
``Aborted!`` on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

ABORTED = 1
"""The exit status after Ctrl-C, as click gives it once the command runs."""


def main() -> None:
    """Import the command line and run it; a Ctrl-C while importing ends it quietly."""
    try:
        from itinerary.cli import main as command  # noqa: PLC0415 - the slow import, guarded

        command(prog_name="itinerary")
    except KeyboardInterrupt:
        sys.stderr.write("Aborted!\n")
        sys.exit(ABORTED)
