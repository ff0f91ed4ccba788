"""``with`` for anything that has ``close()``: one mixin instead of a copy per class."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """Use as a context manager: leaving the ``with`` block calls :meth:`close`."""

    def close(self) -> None:
        """Release what the object holds (nothing here)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
