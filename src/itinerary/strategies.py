"""Hypothesis strategies for property-testing itineraries: places, times, tours, logs, plans.

In hypothesis' house style: each function is a plural noun returning a strategy; arguments
with defaults are keyword-only; arguments that vary take strategies, not values; bad arguments
raise :class:`hypothesis.errors.InvalidArgument` when the function is called, not when a test
draws from it; and each docstring says what the strategy shrinks towards.

>>> from hypothesis import given, settings
>>> from itinerary.consistency import check
>>> from itinerary.strategies import itineraries
>>> @settings(max_examples=10, database=None)
... @given(itineraries(max_events=12))
... def test_generated_tours_are_consistent(log):
...     assert check(log) == []
>>> test_generated_tours_are_consistent()

Importing this module also registers :func:`places` and :func:`event_logs` with
``st.from_type`` (the ``hypothesis`` entry point does the same whenever hypothesis is imported
in an environment where itinerary is installed).
"""

from __future__ import annotations

import functools
import math
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from itinerary import _time
from itinerary.errors import InvalidPlanError, UnknownZoneError
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
from itinerary.places import GAZETTEER, Place, great_circle_km
from itinerary.sim.delays import Correlated, Delay, Disruptions, Risk
from itinerary.sim.plan import Plan, order_key
from itinerary.sim.rules import Curfew, Drop, Rest, Rule, Window
from itinerary.sim.steps import Fulfilment, Meeting, Signing, Step, Travel

if TYPE_CHECKING:
    from pendulum import DateTime

__all__ = [
    "DST_PLACES",
    "delays",
    "disruptions",
    "event_logs",
    "itineraries",
    "local_times",
    "places",
    "plans",
    "registers",
]

_MINUTE = 60_000_000  # µs

NAMES = (
    "Donald Trump",
    "Sanae Takaichi",
    "Anwar Ibrahim",
    "Lee Jae-myung",
    "Xi Jinping",
    "Emperor Naruhito",
)
"""The default people of :func:`itineraries` and :func:`event_logs`, in shrinking order."""

CRUISE_KMH = 800.0
"""The block speed :func:`itineraries` plans journeys at (well under the checker's bound)."""

_OBLIGATIONS = ("identify projects", "provide financing", "report progress", "open markets")
_ACTIONS = st.sampled_from(("meet", "travel", "sign", "fulfil"))
_KINDS = st.sampled_from(("arrive", "depart", "meet", "sign", "fulfil"))
_TITLES = ("Agreement 1", "Agreement 2")
T = TypeVar("T")


@functools.cache
def _zones() -> tuple[str, ...]:
    """Every IANA zone pendulum can load, the gazetteer's zones first (they shrink first)."""
    first = tuple(dict.fromkeys(place.tz for place in GAZETTEER.values()))
    rest = []
    for name in sorted(zoneinfo.available_timezones()):
        if name in first:
            continue
        try:
            _time.check_zone(name)
        except UnknownZoneError:
            continue
        rest.append(name)
    return first + tuple(rest)


def _require_strategy(value: object, name: str) -> None:
    if value is not None and not isinstance(value, SearchStrategy):
        raise InvalidArgument(
            f"{name} must be a hypothesis strategy (e.g. st.just(x) for one value), "
            f"got {type(value).__name__} {value!r}"
        )


def _require_sizes(min_name: str, min_value: object, max_name: str, max_value: object) -> None:
    for name, value in ((min_name, min_value), (max_name, max_value)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidArgument(f"{name} must be a non-negative integer, got {value!r}")
    assert isinstance(min_value, int)
    assert isinstance(max_value, int)
    if min_value > max_value:
        raise InvalidArgument(f"{min_name}={min_value} is greater than {max_name}={max_value}")


def _require_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument(f"{name} must be a positive integer, got {value!r}")


@functools.cache
def _names() -> SearchStrategy[str]:
    """Names of places and countries: a letter or digit, then letters, digits, ' -'."""
    rest = st.text(st.characters(categories=("L", "N"), include_characters=" -'"), max_size=19)
    return st.builds(str.__add__, st.characters(categories=("L", "N")), rest)


def places(
    *, zones: SearchStrategy[str] | None = None, coordinates: bool | None = None
) -> SearchStrategy[Place]:
    """Places: the gazetteer's, and made-up ones in any IANA zone.

    Args:
        zones: IANA zone names for made-up places; by default every zone pendulum can load.
            Given, only made-up places are drawn (the gazetteer's have zones of their own).
        coordinates: ``True`` for places that all have coordinates, ``False`` for places that
            have none, ``None`` (the default) for either.

    Shrinks towards the gazetteer's first place, Washington (or, with *zones* given or
    ``coordinates=False``, a place named ``"0"`` in the first zone, at 0°N 0°E if it has
    coordinates).

    """
    _require_strategy(zones, "zones")
    if coordinates not in (None, True, False):
        raise InvalidArgument(f"coordinates must be True, False or None, got {coordinates!r}")
    # An index into the zones, not sampled_from(zones): its repr would list all of them.
    every = _zones()
    zone_names = st.integers(0, len(every) - 1).map(every.__getitem__) if zones is None else zones
    with_coordinates = st.builds(
        Place,
        _names(),
        _names(),
        zone_names,
        lat=st.floats(-90, 90, allow_nan=False),
        lon=st.floats(-180, 180, allow_nan=False),
    )
    without = st.builds(Place, _names(), _names(), zone_names)
    made_up = {True: with_coordinates, False: without, None: with_coordinates | without}
    if zones is not None or coordinates is False:
        return made_up[coordinates]
    return st.sampled_from(tuple(GAZETTEER.values())) | made_up[coordinates]


def local_times(
    place: Place,
    *,
    min_value: datetime = datetime(1900, 1, 1),
    max_value: datetime = datetime(2099, 12, 31, 23, 59, 59, 999999),
) -> SearchStrategy[DateTime]:
    """Instants as local clocks at *place* showed them, for wall times that exist there.

    A wall time the clocks skipped (a gap) is never drawn; one they showed twice (a fold) may
    be drawn as either of its instants (``fold=0`` or ``fold=1``). Values are pendulum
    ``DateTime`` in *place*'s zone, between the naive wall times *min_value* and *max_value*.

    Shrinks towards 2000-01-01 00:00 local time (or the bound nearest to it).
    """
    if not isinstance(place, Place):
        raise InvalidArgument(f"place must be a Place, got {type(place).__name__} {place!r}")
    for name, value in (("min_value", min_value), ("max_value", max_value)):
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise InvalidArgument(
                f"{name} must be a naive datetime (a wall time at {place.name}), got {value!r}"
            )
    if min_value > max_value:
        raise InvalidArgument(f"min_value={min_value} is after max_value={max_value}")
    return st.datetimes(
        min_value, max_value, timezones=st.just(_time.zone(place.tz)), allow_imaginary=False
    ).map(lambda value: _time.to_zone(value, place.tz))


def _default_places() -> SearchStrategy[Place]:
    return places()


def _local(micros: int, place: Place) -> DateTime:
    """The instant *micros* µs after the epoch, in *place*'s zone."""
    return _time.from_micros(micros, place.tz)


def _default_starts() -> SearchStrategy[datetime]:
    return st.datetimes(datetime(1950, 1, 1), datetime(2049, 12, 31), timezones=st.just(UTC))


# Strategies built once: building one per draw costs more than the draw itself.
_BOOLEANS = st.booleans()


@functools.cache
def _up_to(most: int) -> SearchStrategy[int]:
    return st.integers(0, most)


def _minutes(draw: st.DrawFn, most: int) -> int:
    """A whole number of minutes from 0 to *most*, in µs (shrinks to 0)."""
    return _MINUTE * draw(_up_to(most))


def _pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One of *items* (shrinks to the first)."""
    return items[draw(_up_to(len(items) - 1))] if len(items) > 1 else items[0]


def _some(draw: st.DrawFn, items: Sequence[T], most: int) -> list[T]:
    """At most *most* of *items*, in their order (shrinks to none)."""
    chosen: list[T] = []
    for item in items:
        if len(chosen) < most and draw(_BOOLEANS):
            chosen.append(item)
    return chosen


class _Tour:
    """The generator's bookkeeping while it draws one consistent itinerary."""

    def __init__(self, names: Sequence[str], spots: Sequence[Place], start: int) -> None:
        self.names = list(names)
        self.spots = list(spots)
        self.clock = dict.fromkeys(names, start)  # when each person is next free (µs)
        self.where: dict[str, Place] = {}
        self.open: list[tuple[AgreementSigned, str]] = []  # obligations not yet met
        self.events: list[Event] = []
        self.meetings = 0
        self.agreements = 0

    def group(self, draw: st.DrawFn) -> tuple[Place, list[str]]:
        """Someone, and some of the people at the same place (who can therefore meet)."""
        who = _pick(draw, self.names)
        place = self.where[who]
        others = [name for name in self.names if name != who and self.where[name] == place]
        return place, [who, *_some(draw, others, len(others))]

    def meet(self, draw: st.DrawFn) -> None:
        place, people = self.group(draw)
        start = max(self.clock[who] for who in people) + _minutes(draw, 12 * 60)
        end = start + _minutes(draw, 8 * 60)
        self.meetings += 1
        self.events.append(
            MeetingHeld(
                f"Meeting {self.meetings}",
                tuple(people),
                place,
                _local(start, place),
                _local(end, place),
            )
        )
        for who in people:
            self.clock[who] = end

    def travel(self, draw: st.DrawFn) -> None:
        who = _pick(draw, self.names)
        here = self.where[who]
        there = _pick(draw, [spot for spot in self.spots if spot != here])
        km = great_circle_km(here, there) or 0.0
        shortest = max(10, math.ceil(km / CRUISE_KMH * 60))  # minutes
        leave = self.clock[who] + _minutes(draw, 24 * 60)
        arrive = leave + shortest * _MINUTE + _minutes(draw, 12 * 60)
        bound = there if draw(_BOOLEANS) else None
        self.events.append(Departed(who, here, _local(leave, here), to=bound))
        self.events.append(Arrived(who, there, _local(arrive, there)))
        self.where[who], self.clock[who] = there, arrive

    def sign(self, draw: st.DrawFn) -> None:
        place, people = self.group(draw)
        at = max(self.clock[who] for who in people) + _minutes(draw, 12 * 60)
        signed_at = _local(at, place)
        whats = _some(draw, _OBLIGATIONS, 2)
        obligations = []
        for what in whats:
            if draw(_BOOLEANS):
                months, days = draw(_up_to(12)), draw(_up_to(31))
                within = _time.duration(months=months, days=days or (0 if months else 1))
                obligations.append(Obligation(what, within=within))
            else:
                due = at + _minutes(draw, 365 * 24 * 60) + _MINUTE
                obligations.append(Obligation(what, due=_local(due, place)))
        self.agreements += 1
        signing = AgreementSigned(
            f"Agreement {self.agreements}", tuple(people), place, signed_at, obligations=obligations
        )
        self.events.append(signing)
        self.open += [(signing, what) for what in whats]
        for who in people:
            self.clock[who] = at

    def fulfil(self, draw: st.DrawFn) -> None:
        signing, what = self.open.pop(draw(_up_to(len(self.open) - 1)))
        at = _time.micros(signing.at) + _minutes(draw, 400 * 24 * 60)
        self.events.append(ObligationMet(signing.title, what, _local(at, signing.place)))


@st.composite
def _itineraries(
    draw: st.DrawFn,
    *,
    people: SearchStrategy[str],
    where: SearchStrategy[Place],
    starts: SearchStrategy[datetime],
    max_people: int,
    max_places: int,
    min_events: int,
    max_events: int,
) -> EventLog:
    target = draw(st.integers(min_events, max_events))
    names = draw(st.lists(people, min_size=1, max_size=max_people, unique=True))
    spots = draw(
        st.lists(where, min_size=1, max_size=max_places, unique_by=lambda place: place.name)
    )
    tour = _Tour(names, spots, _time.micros(draw(starts)))
    for who in names:
        place = tour.where[who] = _pick(draw, spots)
        tour.clock[who] += _minutes(draw, 24 * 60)
        # Either the log records the arrival, or it begins with them already there.
        if len(tour.events) < target and draw(_BOOLEANS):
            tour.events.append(Arrived(who, place, _local(tour.clock[who], place)))
    while len(tour.events) < target:
        action = draw(_ACTIONS)
        if action == "travel" and len(spots) > 1:
            tour.travel(draw)
        elif action == "sign":
            tour.sign(draw)
        elif action == "fulfil" and tour.open:
            tour.fulfil(draw)
        else:
            tour.meet(draw)
    # A journey adds two events; stopping after its departure is still consistent.
    return EventLog(tour.events[:target])


def itineraries(
    *,
    people: SearchStrategy[str] | None = None,
    places: SearchStrategy[Place] | None = None,
    starts: SearchStrategy[datetime] | None = None,
    max_people: int = 4,
    max_places: int = 5,
    min_events: int = 0,
    max_events: int = 50,
) -> SearchStrategy[EventLog]:
    """Event logs of tours that are consistent by construction: :func:`~itinerary.check` is ``[]``.

    Several people start at some of the places (their arrival recorded, or the log begins
    with them already there), then travel between places with journeys no faster than
    800 km/h (at least 10 minutes), meet when they are at the same place, sign
    agreements with obligations (due ``within=`` a calendar duration or at a ``due=``
    instant), and meet those obligations. Events are recorded tour by tour, action by action,
    which is not the order they occurred in when several people travel at once.

    Args:
        people: Names to draw the participants from (distinct); default six names from
            the 2025 tour, Donald Trump first.
        places: Places to draw the tour's places from (distinct names); default
            :func:`places`.
        starts: Aware datetimes: the instant the tour starts; default 1950-2049 UTC.
        max_people: At most this many participants (at least one).
        max_places: At most this many places (at least one).
        min_events: At least this many events.
        max_events: At most this many events.

    Shrinks towards a log of *min_events* events: one person (Donald Trump by default) at
    one place (Washington by default), arrivals and short meetings, starting on
    2000-01-01 00:00 UTC.

    """
    _require_strategy(people, "people")
    _require_strategy(places, "places")
    _require_strategy(starts, "starts")
    _require_positive("max_people", max_people)
    _require_positive("max_places", max_places)
    _require_sizes("min_events", min_events, "max_events", max_events)
    return _itineraries(
        people=st.sampled_from(NAMES) if people is None else people,
        where=_default_places() if places is None else places,
        starts=_default_starts() if starts is None else starts,
        max_people=max_people,
        max_places=max_places,
        min_events=min_events,
        max_events=max_events,
    )


@st.composite
def _arbitrary_events(
    draw: st.DrawFn, *, names: Sequence[str], spots: Sequence[Place], start: int
) -> Event:
    """One event of any kind by *names* at *spots*, within three days of *start* (µs).

    It depends on nothing drawn for the log's other events, so the shrinker can delete any
    event of a log without changing the others.
    """
    kind = draw(_KINDS)
    place = _pick(draw, spots)
    at = start + _minutes(draw, 3 * 24 * 60)
    if kind == "arrive":
        return Arrived(_pick(draw, names), place, _local(at, place))
    if kind == "depart":
        who = _pick(draw, names)
        to = _pick(draw, spots) if draw(_BOOLEANS) else None
        return Departed(who, place, _local(at, place), to=to)
    if kind == "fulfil":
        what = _pick(draw, _OBLIGATIONS[:2])
        return ObligationMet(_pick(draw, _TITLES), what, _local(at, place))
    first = _pick(draw, names)
    group = (first, *_some(draw, [name for name in names if name != first], len(names)))
    if kind == "meet":
        end = at + _minutes(draw, 8 * 60)
        # Titled "Meeting <position>" once the log is drawn.
        return MeetingHeld("Meeting", group, place, _local(at, place), _local(end, place))
    whats = _some(draw, _OBLIGATIONS[:2], 2)
    due = _local(at + _minutes(draw, 30 * 24 * 60), place)
    return AgreementSigned(
        _pick(draw, _TITLES),
        group,
        place,
        _local(at, place),
        obligations=[Obligation(what, due=due) for what in whats],
    )


def _titled(position: int, event: Event) -> Event:
    """*event*, a meeting titled by its *position* in the log (from 1)."""
    if isinstance(event, MeetingHeld):
        return attrs.evolve(event, title=f"Meeting {position}")
    return event


@st.composite
def _arbitrary_logs(
    draw: st.DrawFn,
    *,
    people: SearchStrategy[str],
    where: SearchStrategy[Place],
    starts: SearchStrategy[datetime],
    min_events: int,
    max_events: int,
) -> EventLog:
    # Few people, places and titles, close together in time: so that events collide.
    names = draw(st.lists(people, min_size=1, max_size=3, unique=True))
    spots = draw(st.lists(where, min_size=1, max_size=3, unique_by=lambda place: place.name))
    start = _time.micros(draw(starts))
    # A list of independent events, not a count then that many events: deleting an event
    # from a list is one step for the shrinker, whereas a count drawn first has to shrink
    # together with the events it counts, which it can only do when they happen to be drawn
    # from the same number of choices (and gets stuck in long logs when they are not).
    one = _arbitrary_events(names=names, spots=spots, start=start)
    events = draw(st.lists(one, min_size=min_events, max_size=max_events))
    return EventLog(_titled(position, event) for position, event in enumerate(events, 1))


def event_logs(
    *,
    people: SearchStrategy[str] | None = None,
    places: SearchStrategy[Place] | None = None,
    starts: SearchStrategy[datetime] | None = None,
    min_events: int = 0,
    max_events: int = 50,
) -> SearchStrategy[EventLog]:
    """Arbitrary event logs, consistent or not: what :func:`~itinerary.check` must cope with.

    Either events of every kind drawn independently (a few people, places and agreement
    titles, within three days, so they collide: arrivals without departures, meetings of
    absent people, obligations met before or without their agreement...), or a consistent
    tour from :func:`itineraries`. Arguments are as for :func:`itineraries`.

    Shrinks towards a log of *min_events* events: arrivals of one person (Donald Trump by
    default) at one place (Washington by default) on 2000-01-01 00:00 UTC. The independent
    events are drawn as a list, so a log that fails a test shrinks by deleting any event
    the failure does not need: an inconsistent log shrinks to the one or two events
    :func:`~itinerary.check` objects to.
    """
    _require_strategy(people, "people")
    _require_strategy(places, "places")
    _require_strategy(starts, "starts")
    _require_sizes("min_events", min_events, "max_events", max_events)
    names = st.sampled_from(NAMES) if people is None else people
    where = _default_places() if places is None else places
    when = _default_starts() if starts is None else starts
    sizes = {"min_events": min_events, "max_events": max_events}
    return _arbitrary_logs(people=names, where=where, starts=when, **sizes) | _itineraries(
        people=names, where=where, starts=when, max_people=4, max_places=5, **sizes
    )


DST_PLACES = (
    Place("New York", "United States", "America/New_York", lat=40.71, lon=-74.0),
    Place("London", "United Kingdom", "Europe/London", lat=51.51, lon=-0.13),
    Place("Sydney", "Australia", "Australia/Sydney", lat=-33.87, lon=151.21),
    Place("Lord Howe Island", "Australia", "Australia/Lord_Howe", lat=-31.55, lon=159.08),
)
"""Places whose clocks change (Lord Howe's by half an hour); :func:`plans` visits them too."""

_PLAN_PLACES = (*GAZETTEER.values(), *DST_PLACES)
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_STEP_ACTIONS = st.sampled_from(("meet", "travel", "sign", "fulfil"))


@functools.cache
def _transitions(tz: str) -> tuple[int, ...]:
    """The instants (µs, to the minute) at which clocks in *tz* changed offset, 2000-2039."""
    zone = zoneinfo.ZoneInfo(tz)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def offset(us: int) -> timedelta | None:
        return (epoch + timedelta(microseconds=us)).astimezone(zone).utcoffset()

    found = []
    low = _time.micros(datetime(2000, 1, 1, tzinfo=UTC))
    before = offset(low)
    for _ in range(40 * 366):
        high = low + _DAY
        after = offset(high)
        if after != before:  # bisect to the minute: offset(a) == before != offset(b)
            a, b = low, high
            while b - a > _MINUTE:
                middle = (a + b) // 2 // _MINUTE * _MINUTE
                a, b = (middle, b) if offset(middle) == before else (a, middle)
            found.append(b)
        low, before = high, after
    return tuple(found)


@functools.cache
def _delays_strategy() -> SearchStrategy[Delay]:
    minutes = st.integers(1, 10 * 60).map(lambda m: _time.duration(seconds=60 * m))
    chance = st.just(1.0) | st.floats(0.0, 1.0)
    return st.one_of(
        st.just(Delay.none()),
        st.integers(0, 10 * 60).map(lambda m: Delay.fixed(_time.duration(seconds=60 * m))),
        st.builds(Delay.exponential, minutes, p=chance),
        st.builds(Delay.lognormal, minutes, st.floats(0.0, 1.5), p=chance),
        st.builds(
            Delay.empirical,
            st.lists(
                st.integers(0, 10 * 60).map(lambda m: _time.duration(seconds=60 * m)),
                min_size=1,
                max_size=5,
            ),
        ),
    )


def delays() -> SearchStrategy[Delay]:
    """Delay models of every kind: none, fixed, exponential, log-normal, empirical.

    Sizes are whole minutes up to ten hours (log-normal spreads up to ``sigma=1.5``), with a
    chance ``p`` of any delay at all that is often 1.

    Shrinks towards :meth:`Delay.none() <itinerary.sim.Delay.none>`.
    """
    return _delays_strategy()


def disruptions(
    *,
    delays: SearchStrategy[Delay] | None = None,
    cancel: SearchStrategy[float] | None = None,
) -> SearchStrategy[Disruptions]:
    """What can go wrong with a plan: a delay model per kind of step, and cancellations.

    Args:
        delays: Delay models for departures, overruns and fulfilments; default :func:`delays`.
        cancel: The chance a leg is cancelled (and re-flown 1 minute to 3 days later);
            default any probability, often 0.

    Shrinks towards ``Disruptions()``: nothing goes wrong.

    """
    _require_strategy(delays, "delays")
    _require_strategy(cancel, "cancel")
    models = _delays_strategy() if delays is None else delays
    chances = (st.just(0.0) | st.floats(0.0, 1.0)) if cancel is None else cancel
    return st.builds(
        Disruptions,
        departure=models,
        overrun=models,
        fulfilment=models,
        cancel=chances,
        rebook=st.integers(1, 3 * 24 * 60).map(lambda m: _time.duration(seconds=60 * m)),
    )


def registers(
    plan: Plan,
    *,
    base: SearchStrategy[Disruptions] | None = None,
    max_risks: int = 2,
) -> SearchStrategy[Disruptions]:
    """Disruptions with a risk register over *plan*: shared risks and correlated groups.

    Each risk (``Risk 0``, ``Risk 1``, ...) happens with any probability and delays one to
    three of the plan's steps by a draw of :func:`delays`; disjoint groups of two or three
    steps are correlated with any rho from -0.45 to 1 (a Gaussian copula).

    Args:
        plan: The plan whose step names the risks and groups name.
        base: The rest of the disruptions; default :func:`disruptions`.
        max_risks: At most this many risks (zero or more).

    Shrinks towards *base*'s own shrink with no risk and no group.

    """
    if not isinstance(plan, Plan):
        raise InvalidArgument(f"registers(plan=...) takes a Plan, got {plan!r}")
    _require_strategy(base, "base")
    if isinstance(max_risks, bool) or not isinstance(max_risks, int) or max_risks < 0:
        raise InvalidArgument(f"max_risks must be an integer of 0 or more, got {max_risks!r}")
    return _registers(plan, disruptions() if base is None else base, max_risks)


@st.composite
def _registers(
    draw: st.DrawFn, plan: Plan, base: SearchStrategy[Disruptions], max_risks: int
) -> Disruptions:
    names = list(plan.names)
    found = draw(base)
    risks = [
        Risk(
            f"Risk {k}",
            p=draw(st.floats(0.0, 1.0)),
            delay=draw(_delays_strategy()),
            steps=draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)),
        )
        for k in range(draw(st.integers(0, max_risks)))
    ]
    pool = draw(st.permutations(names))
    groups = []
    while len(pool) >= 2 and draw(st.booleans()):
        size = draw(st.integers(2, min(3, len(pool))))
        groups.append(Correlated(pool[:size], draw(st.floats(-0.45, 1.0))))
        pool = pool[size:]
    return attrs.evolve(found, risks=risks, correlated=groups)


def _calendar(draw: st.DrawFn, *, least: int) -> timedelta:
    """A duration of months, days and hours (at least *least* µs if it has no calendar part)."""
    months, days = draw(_up_to(12)), draw(_up_to(3))
    hours = draw(_up_to(48))
    if not months and not days and hours * _HOUR < least:
        hours = -(-least // _HOUR)
    return _time.duration(months=months, days=days, seconds=3600 * hours)


class _Planner:
    """The generator's bookkeeping while it draws one valid plan, person by person."""

    def __init__(self, names: Sequence[str], spots: Sequence[Place], start: int) -> None:
        self.names = list(names)
        self.spots = list(spots)
        self.clock = dict.fromkeys(names, start)
        self.where: dict[str, Place] = {}
        self.steps: list[Step] = []
        self.used: set[str] = set()
        self.open: list[tuple[Signing, str]] = []
        self.counts = {"meet": 0, "sign": 0}

    def add(self, draw: st.DrawFn, step: Step, delays: SearchStrategy[Delay | None]) -> None:
        """Add *step*, with its own delay if one is drawn, and its derived name unless taken."""
        delay = draw(delays)
        name = step.name
        if name in self.used or draw(_BOOLEANS):
            name = f"Step {len(self.steps) + 1}"
        self.used.add(name)
        if delay is not None or name != step.name:
            step = attrs.evolve(step, delay=delay, name=name)
        self.steps.append(step)

    def group(self, draw: st.DrawFn) -> tuple[Place, list[str], int]:
        who = _pick(draw, self.names)
        place = self.where[who]
        others = [n for n in self.names if n != who and self.where[n] == place]
        people = [who, *_some(draw, others, len(others))]
        return place, people, max(self.clock[p] for p in people) + _minutes(draw, 12 * 60)

    def travel(self, draw: st.DrawFn, delays: SearchStrategy[Delay | None]) -> None:
        here, people, leave = self.group(draw)
        there = _pick(draw, [spot for spot in self.spots if spot != here])
        km = great_circle_km(here, there) or 0.0
        shortest = max(10, math.ceil(km / CRUISE_KMH * 60))  # minutes
        minutes = shortest + draw(_up_to(12 * 60))
        leg = Travel(
            tuple(people), here, there, _local(leave, here),
            _time.duration(seconds=60 * minutes),
        )  # fmt: skip
        self.add(draw, leg, delays)
        for who in people:
            self.where[who], self.clock[who] = there, leave + minutes * _MINUTE

    def meet(self, draw: st.DrawFn, delays: SearchStrategy[Delay | None]) -> None:
        place, people, start = self.group(draw)
        minutes = draw(_up_to(8 * 60))
        self.counts["meet"] += 1
        title = f"Meeting {self.counts['meet']}"
        meeting = Meeting(
            title, tuple(people), place, _local(start, place),
            _time.duration(seconds=60 * minutes),
        )  # fmt: skip
        self.add(draw, meeting, delays)
        for who in people:
            self.clock[who] = start + minutes * _MINUTE

    def sign(self, draw: st.DrawFn, delays: SearchStrategy[Delay | None]) -> None:
        place, people, at = self.group(draw)
        obligations = []
        for what in _some(draw, _OBLIGATIONS, 2):
            obligations.append(Obligation(what, within=_calendar(draw, least=_HOUR)))
        self.counts["sign"] += 1
        title = f"Agreement {self.counts['sign']}"
        signing = Signing(title, tuple(people), place, _local(at, place), obligations=obligations)
        self.add(draw, signing, delays)
        self.open += [(signing, o.what) for o in obligations]
        for who in people:
            self.clock[who] = at

    def fulfil(self, draw: st.DrawFn, delays: SearchStrategy[Delay | None]) -> None:
        signing, what = self.open.pop(draw(_up_to(len(self.open) - 1)))
        after = _calendar(draw, least=0)
        self.add(draw, Fulfilment(signing.title, what, after), delays)


def _near_transition(draw: st.DrawFn, spots: Sequence[Place]) -> int | None:
    """An instant up to two days before a clock change at one of *spots*, if drawn."""
    zones = [spot.tz for spot in spots if _transitions(spot.tz)]
    if not zones or not draw(_BOOLEANS):
        return None
    changes = _transitions(_pick(draw, zones))
    return changes[draw(_up_to(len(changes) - 1))] - _minutes(draw, 48 * 60)


@st.composite
def _plans(
    draw: st.DrawFn,
    *,
    people: SearchStrategy[str],
    where: SearchStrategy[Place],
    starts: SearchStrategy[datetime] | None,
    delays: SearchStrategy[Delay | None],
    max_people: int,
    max_places: int,
    min_steps: int,
    max_steps: int,
    rules: bool = False,
) -> Plan:
    target = draw(st.integers(min_steps, max_steps))
    names = draw(st.lists(people, min_size=1, max_size=max_people, unique=True))
    spots = draw(
        st.lists(where, min_size=1, max_size=max_places, unique_by=lambda place: place.name)
    )
    start = None if starts is not None else _near_transition(draw, spots)
    if start is None:
        start = _time.micros(draw(_default_plan_starts() if starts is None else starts))
    planner = _Planner(names, spots, start)
    for who in names:
        planner.where[who] = _pick(draw, spots)
        planner.clock[who] += _minutes(draw, 12 * 60)
    while len(planner.steps) < target:
        action = draw(_STEP_ACTIONS)
        if action == "travel" and len(spots) > 1:
            planner.travel(draw, delays)
        elif action == "sign":
            planner.sign(draw, delays)
        elif action == "fulfil" and planner.open:
            planner.fulfil(draw, delays)
        else:
            planner.meet(draw, delays)
    if rules:
        return _ruled(draw, planner.steps)
    return Plan(planner.steps)


# Wall times for rules: often in the small hours, where DST_PLACES change their clocks.
_WALL = st.builds(time, st.integers(0, 23), st.sampled_from((0, 15, 30, 45))) | st.builds(
    time, st.integers(0, 3), st.sampled_from((0, 15, 30, 45))
)


def _span_minutes(opens: time, closes: time) -> int:
    return (closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute) % 1440


def _ruled(draw: st.DrawFn, steps: list[Step]) -> Plan:
    """*steps* with windows (waiting or dropping), and curfews, rest and drops."""
    found: list[Rule] = []
    spots = {p.name: p for step in steps for p in _step_places(step)}
    for place in _some(draw, sorted(spots.values(), key=lambda p: p.name), 2):
        starts, ends = draw(_WALL), draw(_WALL)
        if 0 < _span_minutes(starts, ends) <= 8 * 60:  # longer ones can leave no time at all
            found.append(Curfew(place, starts, ends))
    if draw(_BOOLEANS):
        people = sorted({p for s in steps for p in s.people})
        who = _some(draw, people, len(people)) if draw(_BOOLEANS) else None
        found.append(Rest(timedelta(hours=draw(_up_to(6))), timedelta(hours=draw(_up_to(12))),
                          who=who or None))  # fmt: skip
    windowed: list[Step] = []
    for step in steps:
        if draw(_BOOLEANS):
            opens, closes = draw(_WALL), draw(_WALL)
            need = step.duration.total_seconds() // 60 if isinstance(step, Meeting) else 0
            may_drop = isinstance(step, Meeting | Fulfilment) and draw(_BOOLEANS)
            then: Literal["wait", "drop"] = "drop" if may_drop else "wait"
            if opens != closes and _span_minutes(opens, closes) >= need + 120:
                step = attrs.evolve(step, window=Window(opens, closes, then=then))  # noqa: PLW2901
        windowed.append(step)
    order = order_key(tuple(windowed))
    ranked = sorted(windowed, key=lambda s: order[s.name])
    drops: list[Rule] = []
    for _ in range(draw(_up_to(2))):
        k = draw(_up_to(len(ranked) - 1))
        later = ranked[k + 1 :]
        if not later:
            continue
        targets = later if draw(_BOOLEANS) else [s for s in later if isinstance(s, Meeting)]
        if targets:
            late_by = timedelta(microseconds=_minutes(draw, 6 * 60))
            drops.append(Drop([s.name for s in targets], when=ranked[k].name, late_by=late_by))
    try:
        return Plan(windowed, rules=[*found, *drops])
    except InvalidPlanError:  # a drop (or a window's) that would leave the plan impossible
        return Plan([attrs.evolve(s, window=None) for s in windowed], rules=found)


def _step_places(step: Step) -> tuple[Place, ...]:
    if isinstance(step, Travel):
        return (step.origin, step.destination)
    if isinstance(step, Fulfilment):
        return ()
    return (step.place,)


@functools.cache
def _default_plan_starts() -> SearchStrategy[datetime]:
    return st.datetimes(datetime(2000, 1, 1), datetime(2039, 12, 31), timezones=st.just(UTC))


def plans(
    *,
    people: SearchStrategy[str] | None = None,
    places: SearchStrategy[Place] | None = None,
    starts: SearchStrategy[datetime] | None = None,
    delays: SearchStrategy[Delay | None] | None = None,
    max_people: int = 4,
    max_places: int = 4,
    min_steps: int = 1,
    max_steps: int = 12,
    rules: bool = False,
) -> SearchStrategy[Plan]:
    """Plans for the simulator that are valid by construction: ``Plan(...)`` accepts them.

    The planner walks each person's timeline forward with gaps of up to 12 hours: legs (one
    traveller or a delegation of people at the same place, no faster than 800 km/h, at least
    10 minutes), meetings (of people at the same place, 0 to 8
    hours long), signings with obligations (due ``within=`` months, days and hours) and fulfilments of those obligations (``after`` months, days and
    hours). Some steps get a ``name=`` of their own. By default half the plans start up to
    two days before a clock change at one of their places (:data:`DST_PLACES` change theirs).

    Args:
        people: Names to draw the people from (distinct); default six names from the 2025
            tour, Donald Trump first.
        places: Places to draw the plan's places from (distinct names); default the
            gazetteer's and :data:`DST_PLACES`, all with coordinates.
        starts: Aware datetimes: when the plan starts; default near a clock change, or
            any instant in 2000-2039.
        delays: Each step's own ``delay=`` (``None``: the disruptions' default for its
            kind); default ``st.none()``, no step has its own.
        max_people: At most this many people (at least one).
        max_places: At most this many places (at least one).
        min_steps: At least this many steps (at least one).
        max_steps: At most this many steps.
        rules: Give the plans rules too: curfews at up to two of their places (of at most
            8 hours), a rest after long legs, windows on some steps (a meeting's or a
            fulfilment's may drop it) and up to two drops decided on a step (of every later
            step, or of its later meetings); without its drops and windows when those would
            leave the plan impossible.

    Shrinks towards a plan of *min_steps* meetings of one person (Donald Trump by default)
    at one place (Washington by default), with derived names, on 2000-01-01 00:00 UTC
    (with *rules*: and none).

    """
    _require_strategy(people, "people")
    _require_strategy(places, "places")
    _require_strategy(starts, "starts")
    _require_strategy(delays, "delays")
    _require_positive("max_people", max_people)
    _require_positive("max_places", max_places)
    _require_positive("min_steps", min_steps)
    _require_sizes("min_steps", min_steps, "max_steps", max_steps)
    return _plans(
        people=st.sampled_from(NAMES) if people is None else people,
        where=st.sampled_from(_PLAN_PLACES) if places is None else places,
        starts=starts,
        delays=st.none() if delays is None else delays,
        max_people=max_people,
        max_places=max_places,
        min_steps=min_steps,
        max_steps=max_steps,
        rules=rules,
    )


# st.from_type(EventLog) and st.from_type(Place) draw from these. The ``hypothesis`` entry
# point, itinerary._hypothesis, registers the same whenever hypothesis is imported, and
# imports this module only when a test first asks for one: it sits above this module.
st.register_type_strategy(EventLog, lambda _: event_logs())
st.register_type_strategy(Place, lambda _: places())
