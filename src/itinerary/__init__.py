"""itinerary: event-sourced, timezone-aware simulation of multi-country itineraries.

Write down what happened on a tour as events in local wall time, record them in an
immutable :class:`EventLog`, and :func:`replay` the log to ask where everyone was, what had
been signed and which deadlines were pending, as of any instant:

>>> from itinerary import Arrived, Departed, EventLog, replay
>>> from itinerary.places import KUALA_LUMPUR, TOKYO
>>> log = EventLog([
...     Departed("Donald Trump", KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),
...     Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 16:30")),
... ])
>>> replay(log, as_of=TOKYO.at("2025-10-27 12:00")).where("Donald Trump").in_transit
True
>>> replay(log, as_of=TOKYO.at("2025-10-27 17:00")).where("Donald Trump").place.name
'Tokyo'

A whole tour loads from a scenario file (:func:`load_scenario`); :func:`check` lists what a
log records that cannot all have happened; :mod:`itinerary.sim` simulates plans under
delays. The modules: ``places``, ``events``, ``log``, ``projections``, ``agenda``,
``consistency``, ``scenarios``, ``store``, ``sim``, ``strategies`` and ``testing``; in a
notebook, ``display`` (tables, also for ``print()``), ``frames`` (pandas), ``plot`` (a
timeline) and ``ical`` (a calendar file). The docs are in docs/index.md (build the site with
``pip install ".[docs]"`` then ``python -m sphinx docs docs/_build/html``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from itinerary import _lazy

if TYPE_CHECKING:  # what type checkers see; at run time, __getattr__ imports each on first use
    from itinerary._table import Table
    from itinerary._text import format_instant
    from itinerary._time import Disambiguate
    from itinerary.agenda import Agenda, AgendaEntry, agenda, format_agenda
    from itinerary.consistency import Violation, Violations, assert_consistent, check
    from itinerary.errors import (
        AmbiguousLocalTimeError,
        ConcurrencyError,
        ConsistencyError,
        InvalidEventError,
        InvalidPlaceError,
        InvalidPlanError,
        InvalidTableError,
        ItineraryError,
        LocalTimeError,
        MissingExtraError,
        NaiveDatetimeError,
        NonexistentLocalTimeError,
        NoSuchDateError,
        ScenarioError,
        StoreError,
        TableError,
        UnknownPersonError,
        UnknownPlaceError,
        UnknownZoneError,
        VersionError,
        WallTimeSyntaxError,
    )
    from itinerary.events import (
        AgreementSigned,
        Arrived,
        Departed,
        Event,
        MeetingHeld,
        Obligation,
        ObligationMet,
    )
    from itinerary.log import EventLog
    from itinerary.places import Place
    from itinerary.projections import (
        Deadline,
        Projection,
        ProjectionLike,
        State,
        Whereabouts,
        compose,
        fold,
        project,
        replay,
    )
    from itinerary.scenarios import (
        Scenario,
        dumps_scenario,
        load_scenario,
        loads_scenario,
        save_scenario,
    )
    from itinerary.store import Follower, Recorded, Subscription

    __version__: str

__all__ = [
    "Agenda",
    "AgendaEntry",
    "AgreementSigned",
    "AmbiguousLocalTimeError",
    "Arrived",
    "ConcurrencyError",
    "ConsistencyError",
    "Deadline",
    "Departed",
    "Disambiguate",
    "Event",
    "EventLog",
    "Follower",
    "InvalidEventError",
    "InvalidPlaceError",
    "InvalidPlanError",
    "InvalidTableError",
    "ItineraryError",
    "LocalTimeError",
    "MeetingHeld",
    "MissingExtraError",
    "NaiveDatetimeError",
    "NoSuchDateError",
    "NonexistentLocalTimeError",
    "Obligation",
    "ObligationMet",
    "Place",
    "Projection",
    "ProjectionLike",
    "Recorded",
    "Scenario",
    "ScenarioError",
    "State",
    "StoreError",
    "Subscription",
    "Table",
    "TableError",
    "UnknownPersonError",
    "UnknownPlaceError",
    "UnknownZoneError",
    "VersionError",
    "Violation",
    "Violations",
    "WallTimeSyntaxError",
    "Whereabouts",
    "agenda",
    "assert_consistent",
    "check",
    "compose",
    "dumps_scenario",
    "fold",
    "format_agenda",
    "format_instant",
    "load_scenario",
    "loads_scenario",
    "project",
    "replay",
    "save_scenario",
]

_HOMES: dict[str, tuple[str, ...]] = {
    "itinerary._time": ("Disambiguate",),
    "itinerary.agenda": ("Agenda", "AgendaEntry", "agenda", "format_agenda"),
    "itinerary.consistency": ("Violation", "Violations", "assert_consistent", "check"),
    "itinerary._table": ("Table",),
    "itinerary._text": ("format_instant",),
    "itinerary.errors": (
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
        "NonexistentLocalTimeError",
        "NoSuchDateError",
        "ScenarioError",
        "StoreError",
        "TableError",
        "UnknownPersonError",
        "UnknownPlaceError",
        "UnknownZoneError",
        "VersionError",
        "WallTimeSyntaxError",
    ),
    "itinerary.events": (
        "AgreementSigned",
        "Arrived",
        "Departed",
        "Event",
        "MeetingHeld",
        "Obligation",
        "ObligationMet",
    ),
    "itinerary.log": ("EventLog",),
    "itinerary.places": ("Place",),
    "itinerary.projections": (
        "Deadline",
        "Projection",
        "ProjectionLike",
        "State",
        "Whereabouts",
        "compose",
        "fold",
        "project",
        "replay",
    ),
    "itinerary.scenarios": (
        "Scenario",
        "dumps_scenario",
        "load_scenario",
        "loads_scenario",
        "save_scenario",
    ),
    "itinerary.store": ("Follower", "Recorded", "Subscription"),
}
"""Where each name of ``__all__`` is defined: the module its first use imports."""

_SUBMODULES = frozenset(
    {"consistency", "display", "errors", "events", "log", "places", "projections", "scenarios",
     "sim", "store"}
)  # fmt: skip
"""The modules that ``itinerary.<name>`` imports on first use, as ``import itinerary`` once did."""


def _version() -> str:
    """The installed distribution's version, from its metadata (read on first use)."""
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - 30 ms

    try:
        return version("itinerary")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


__getattr__, __dir__ = _lazy.face(
    __name__, _HOMES, submodules=_SUBMODULES, computed={"__version__": _version}
)
