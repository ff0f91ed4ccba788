"""The library's exceptions: one base class, one subclass per kind of mistake.

Every message says what was wrong and where, in the user's terms: place names,
local wall times and positions in a log.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousLocalTimeError",
    "ConcurrencyError",
    "ConsistencyError",
    "InvalidEventError",
    "InvalidPlaceError",
    "InvalidPlanError",
    "InvalidTableError",
    "ItineraryError",
    "LocalTimeError",
    "MissingExtraError",
    "NaiveDatetimeError",
    "NoSuchDateError",
    "NonexistentLocalTimeError",
    "ScenarioError",
    "StoreError",
    "TableError",
    "UnknownPersonError",
    "UnknownPlaceError",
    "UnknownZoneError",
    "VersionError",
    "WallTimeSyntaxError",
]


class ItineraryError(Exception):
    """Base class of every error the library raises on purpose."""


class InvalidEventError(ItineraryError, ValueError):
    """An event (or an obligation) was given values that cannot describe a real fact."""


class InvalidPlanError(ItineraryError, ValueError):
    """A plan (or one of its steps) cannot happen as written; the message names the steps."""


class InvalidTableError(ItineraryError, ValueError):
    """A :class:`~itinerary.display.Table` was given rows that do not fit its headers."""


class InvalidPlaceError(ItineraryError, ValueError):
    """A place was given a name, country or coordinates that cannot be right."""


class UnknownPlaceError(ItineraryError, KeyError):
    """A place name is not in the gazetteer."""

    def __str__(self) -> str:  # KeyError would show the repr() of the message
        return str(self.args[0]) if self.args else ""


class UnknownPersonError(ItineraryError, KeyError):
    """A name was asked about that nobody has, but that is close to a known one.

    ``who`` is the name asked about; ``suggestions`` the known names it is close to.
    """

    def __init__(self, message: str, who: str = "", suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.who = who
        self.suggestions = suggestions

    def __str__(self) -> str:  # KeyError would show the repr() of the message
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[object, ...]:  # keep it picklable across processes
        return (type(self), (str(self), self.who, self.suggestions))


class NaiveDatetimeError(ItineraryError, ValueError):
    """A datetime without a zone was given where an exact instant is needed."""


class UnknownZoneError(ItineraryError, ValueError):
    """A time zone name is not a zone of the IANA database."""


class LocalTimeError(ItineraryError, ValueError):
    """A local wall time cannot be turned into exactly one instant at a place."""


class WallTimeSyntaxError(LocalTimeError):
    """Text meant as a local wall time is not in the one accepted form (see docs/local-time.md)."""


class NoSuchDateError(WallTimeSyntaxError):
    """Text in the wall-time form names a date or clock time no calendar has (2025-11-31).

    ``reason`` says what is wrong with it (``"day is out of range for month"``).
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:  # keep it picklable across processes
        return (type(self), (str(self), self.reason))


class NonexistentLocalTimeError(LocalTimeError):
    """The local wall time was skipped by a clock change (a gap), so it never happened there."""


class AmbiguousLocalTimeError(LocalTimeError):
    """The local wall time happened twice (a fold), so it names two instants."""


class ConcurrencyError(ItineraryError):
    """An append named an expected version that is not the log's current version."""


class VersionError(ItineraryError, ValueError):
    """A log version was asked for that the log does not have."""


class ScenarioError(ItineraryError, ValueError):
    """A scenario file cannot be read; the message names the file, key path, found and expected.

    ``file``, ``key`` (a path such as ``events[3].at``), ``found`` and ``expected`` are kept as
    attributes for programs that want to point at the mistake.
    """

    def __init__(self, file: str, key: str, found: str, expected: str) -> None:
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: found {found}; expected {expected}")
        self.file = file
        self.key = key
        self.found = found
        self.expected = expected

    def __reduce__(self) -> tuple[object, ...]:  # keep it picklable across processes
        return (type(self), (self.file, self.key, self.found, self.expected))


class StoreError(ItineraryError):
    """An event store cannot be opened, read or written.

    For example a damaged row or line, an unknown event type or schema version, or a file
    that is not a store of this library.
    """


class ConsistencyError(ItineraryError):
    """A log records things that cannot all have happened (see :func:`itinerary.check`).

    ``violations`` holds every :class:`~itinerary.consistency.Violation` found; the message
    lists them all, one a line.
    """

    def __init__(self, message: str, violations: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.violations = violations


class MissingExtraError(ItineraryError, ImportError):
    """An optional dependency is not installed; the message says which extra installs it.

    ``name`` is the missing module (as for any ``ImportError``) and ``extra`` the
    extra that brings it: ``pip install "itinerary[notebook]"``.
    """

    def __init__(self, name: str, extra: str, feature: str) -> None:
        super().__init__(
            f'{feature} needs {name}, which is not installed: pip install "itinerary[{extra}]"',
            name=name,
        )
        self.extra = extra
        self.feature = feature

    def __reduce__(self) -> tuple[object, ...]:  # keep it picklable across processes
        return (type(self), (self.name, self.extra, self.feature))


class TableError(ItineraryError, ValueError):
    """A table was asked of something that has no such table (see :mod:`itinerary.frames`).

    An unknown table name (the message lists the value's tables), or a value that is not a
    log, a state, an agenda or the outcomes of a study.
    """
