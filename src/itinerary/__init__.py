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

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from itinerary._time import Disambiguate
from itinerary.agenda import Agenda, AgendaEntry, agenda, format_agenda
from itinerary.consistency import Violation, Violations, assert_consistent, check
from itinerary.display import Table, format_instant
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

try:
    __version__ = _version("itinerary")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
