"""Fakes shared by the tests: a terminal that keeps what is written to it, a recording bar."""

import io

from itinerary._closing import Closing


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


class RecordingBar(Closing):
    """A progress bar that keeps what it is told: how it was made, each count, if closed."""

    def __init__(self, total: int | None, *, desc: str, unit: str, enabled: bool = True) -> None:
        self.total, self.desc, self.unit, self.enabled = total, desc, unit, enabled
        self.counts: list[int] = []
        self.closed = False

    def update(self, n: int = 1) -> None:
        """Keep the count."""
        self.counts.append(n)

    def close(self) -> None:
        """Note that the bar was closed."""
        self.closed = True


class BarFactory:
    """A stand-in for ``itinerary._progress.bar`` that makes :class:`RecordingBar` s, kept."""

    def __init__(self) -> None:
        self.bars: list[RecordingBar] = []

    def __call__(
        self, total: int | None, *, desc: str, unit: str, enabled: bool = True
    ) -> RecordingBar:
        """A new recording bar, as if someone were watching."""
        self.bars.append(RecordingBar(total, desc=desc, unit=unit, enabled=enabled))
        return self.bars[-1]

    def shown(self) -> list[RecordingBar]:
        """The bars made enabled: those that would be drawn where someone watches."""
        return [bar for bar in self.bars if bar.enabled]
