"""Projections: views of a log, each a pure fold, replayed together and at any instant."""

from itinerary.projections._core import (
    SNAPSHOT_EVERY,
    Projection,
    ProjectionLike,
    TimelineView,
    column_order,
    compose,
    fold,
    occurrence_order,
    project,
    tie_key,
    timeline,
)
from itinerary.projections.agreements import AGREEMENTS
from itinerary.projections.deadlines import DEADLINES, Deadline
from itinerary.projections.state import TOUR, State, close_names, replay
from itinerary.projections.whereabouts import WHEREABOUTS, Whereabouts

__all__ = [
    "AGREEMENTS",
    "DEADLINES",
    "SNAPSHOT_EVERY",
    "TOUR",
    "WHEREABOUTS",
    "Deadline",
    "Projection",
    "ProjectionLike",
    "State",
    "TimelineView",
    "Whereabouts",
    "close_names",
    "column_order",
    "compose",
    "fold",
    "occurrence_order",
    "project",
    "replay",
    "tie_key",
    "timeline",
]
