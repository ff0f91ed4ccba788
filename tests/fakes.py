"""Fakes shared by the tests: a terminal that keeps what is written to it."""

import io


class Terminal(io.StringIO):
    """A standard error that says it is a terminal, and keeps what was written to it."""

    def isatty(self) -> bool:
        """A terminal, as far as anyone asks."""
        return True


class SizelessTerminal(Terminal):
    """A terminal whose descriptor reports 0 columns and 0 lines (some containers' ptys)."""

    def fileno(self) -> int:
        """A descriptor for ``os.get_terminal_size`` (patched by the test to say 0 x 0)."""
        return 2
