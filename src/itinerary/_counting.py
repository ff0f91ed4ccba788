"""The command line's progress bar for writing a store: a codec that counts what it encodes.

Kept out of :mod:`itinerary.cli` so that ``itinerary --help`` does not import the codec;
``export --progress`` imports it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from itinerary import _progress
from itinerary.events import Event
from itinerary.store.codec import DEFAULT_CODEC, Codec, Intern, Record

__all__ = ["CountingCodec", "codec_for", "counting"]


class CountingCodec(Codec):
    """The default codec, counting each event it encodes on a progress bar (for writing)."""

    def __init__(self) -> None:
        super().__init__()
        self.bar: _progress.Bar | None = None
        self._count = 0

    def _tick(self) -> None:
        self._count += 1
        if self._count == _TICK_EVERY:  # a bar's update costs more than encoding an event
            self.flush()

    def flush(self) -> None:
        """Count on the bar what is not counted yet."""
        if self.bar is not None:
            self.bar.update(self._count)
        self._count = 0

    def encode(self, event: Event) -> Record:
        """The record of *event* (see :meth:`Codec.encode`), counted."""
        record = super().encode(event)
        self._tick()
        return record

    def dumps_row(self, event: Event, intern: Intern) -> tuple[str, int, str]:
        """The positional row of *event* (see :meth:`Codec.dumps_row`), counted."""
        kind, schema, text = super().dumps_row(event, intern)
        if text.startswith("["):  # a row: a record (a JSON object) was counted by encode()
            self._tick()
        return kind, schema, text


_TICK_EVERY = 1024


@contextlib.contextmanager
def counting(codec: Codec, total: int | None, desc: str) -> Iterator[None]:
    """A progress bar of *total* events for a :class:`CountingCodec` (else nothing)."""
    if not isinstance(codec, CountingCodec):
        yield
        return
    with _progress.bar(total, desc=desc, unit="event") as bar:
        codec.bar = bar
        yield
        codec.flush()
    codec.bar = None


def codec_for(progress: bool) -> Codec:
    """A codec that counts on a bar if *progress* and someone is watching; else the default."""
    return CountingCodec() if progress and _progress.watched() else DEFAULT_CODEC
