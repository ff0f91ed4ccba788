"""itinerary: event-sourced, timezone-aware simulation of multi-country itineraries.

Write down what happened on a tour as events in local wall time, record them in an
immutable :class:`EventLog`, and :func:`replay` the log to ask where everyone was, what had
been signed and which deadlines were pending, as of any instant.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from itinerary._time import Disambiguate
from itinerary.errors import (
    AmbiguousLocalTimeError,
    ConcurrencyError,
    InvalidEventError,
    InvalidPlaceError,
    ItineraryError,
    LocalTimeError,
    NaiveDatetimeError,
    NonexistentLocalTimeError,
    UnknownPlaceError,
    UnknownZoneError,
    VersionError,
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

__all__ = [
    "AgreementSigned",
    "AmbiguousLocalTimeError",
    "Arrived",
    "ConcurrencyError",
    "Deadline",
    "Departed",
    "Disambiguate",
    "Event",
    "EventLog",
    "InvalidEventError",
    "InvalidPlaceError",
    "ItineraryError",
    "LocalTimeError",
    "MeetingHeld",
    "NaiveDatetimeError",
    "NonexistentLocalTimeError",
    "Obligation",
    "ObligationMet",
    "Place",
    "Projection",
    "ProjectionLike",
    "State",
    "UnknownPlaceError",
    "UnknownZoneError",
    "VersionError",
    "Whereabouts",
    "compose",
    "fold",
    "project",
    "replay",
]

try:
    __version__ = _version("itinerary")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
