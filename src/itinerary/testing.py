"""A stateful test of the library: a tour built step by step, checked at every step.

:class:`TourMachine` is a :class:`hypothesis.stateful.RuleBasedStateMachine`. Its rules make
people arrive, depart, meet, sign agreements and meet obligations, always consistently, and
sometimes hold events back to record them later, out of order, and sometimes let several
events happen at one instant. After every step it checks that
:func:`~itinerary.replay` agrees with a deliberately simple reference model, that no deadline
exists before its agreement is signed and, once every event is recorded, that replay puts
everyone where the rules sent them and :func:`~itinerary.consistency.check` finds nothing.

Run it as is in a test module::

    from itinerary.testing import TourMachine

    TestTour = TourMachine.TestCase

or subclass it to use your own people, places and start, or to add invariants of your own
(``@invariant()`` methods reading ``self.log``)::

    class MyTour(TourMachine):
        PEOPLE = ("Ann", "Bo")
        PLACES = (TOKYO, SEOUL)

    TestMyTour = MyTour.TestCase
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeAlias
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from itinerary import _time
from itinerary.consistency import check
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
from itinerary.places import BUSAN, KUALA_LUMPUR, SEOUL, TOKYO, WASHINGTON, Place, great_circle_km
from itinerary.projections import replay
from itinerary.strategies import CRUISE_KMH

__all__ = ["Period", "Reference", "TourMachine"]

_MINUTE = 60_000_000  # µs
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _UTC_EPOCH.toordinal()

# The documented order of events at one instant: arrivals, meetings, signings, obligations
# met, departures; then by their contents, identifying field first (see _content).
_RANK = {Arrived: 0, MeetingHeld: 1, AgreementSigned: 2, ObligationMet: 3, Departed: 4}


def _place(place: Place | None) -> tuple[Any, ...]:
    """A place as the documented tie order compares it: name, country, zone, coordinates."""
    if place is None:
        return ()
    lat = (0, 0.0) if place.lat is None else (1, place.lat)
    lon = (0, 0.0) if place.lon is None else (1, place.lon)
    return (place.name, place.country, place.tz, lat, lon)


def _content(event: Event) -> tuple[Any, ...]:
    """The documented tie order among events of one kind at one instant, written out afresh.

    Who (then where) for arrivals and departures, the title (then the rest) for meetings and
    signings, the agreement then the obligation for an obligation met; last the zone each
    instant is shown in (its IANA name, or its offset); never ``repr``.
    """
    if isinstance(event, Arrived):
        return (event.who, _place(event.place), _zone(event.at))
    if isinstance(event, Departed):
        return (event.who, _place(event.place), _place(event.to), _zone(event.at))
    if isinstance(event, MeetingHeld):
        venue = event.venue or ""
        zones = (_zone(event.start), _zone(event.end))
        return (event.title, event.participants, _place(event.place), _us(event.end), venue, *zones)
    if isinstance(event, AgreementSigned):
        obligations = tuple(
            (o.what, 0, (_us(o.due), _zone(o.due)))
            if o.due is not None
            else (o.what, 1, _parts(o.within))
            for o in event.obligations
        )
        venue = event.venue or ""
        where = _place(event.place)
        return (event.title, event.signatories, where, venue, obligations, _zone(event.at))
    assert isinstance(event, ObligationMet), event
    return (event.agreement, event.what, _zone(event.at))


def _zone(value: datetime) -> str:
    """The zone an instant is shown in: its IANA name, else its offset as ``+HH:MM[:SS]``."""
    key = getattr(value.tzinfo, "key", None)
    if isinstance(key, str):
        return key
    offset = value.utcoffset()
    assert offset is not None
    seconds = int(offset.total_seconds())
    sign, seconds = ("-" if seconds < 0 else "+"), abs(seconds)
    hours, minutes, rest = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{rest:02d}" if rest else "")


def _parts(within: timedelta | None) -> tuple[int, ...]:
    """A duration's (years, months, days, seconds, microseconds), as written or all elapsed."""
    assert within is not None
    return _time.duration_parts(within)


def _us(value: datetime) -> int:
    """µs since the epoch, through the standard library only (fold-aware)."""
    utc = datetime.astimezone(value, UTC)
    seconds = (utc.toordinal() - _EPOCH_ORDINAL) * 86_400 + utc.hour * 3_600
    return (seconds + utc.minute * 60 + utc.second) * 1_000_000 + utc.microsecond


def _wall(us: int, tz: ZoneInfo) -> datetime:
    """The naive local wall time at zone *tz* of the instant *us*."""
    return (_UTC_EPOCH + timedelta(microseconds=us)).astimezone(tz).replace(tzinfo=None)


def _compatible(wall: datetime, tz: ZoneInfo) -> int:
    """The instant of a wall time at *tz*: earlier in a fold, later in a gap ("compatible")."""
    readings = {_us(wall.replace(tzinfo=tz, fold=fold)) for fold in (0, 1)}
    real = [us for us in readings if _wall(us, tz) == wall]
    return min(real) if real else max(readings)


Period: TypeAlias = tuple[int, int, timedelta]
"""An obligation's period as the test wrote it (calendar months, calendar days, elapsed time).

Years are twelve calendar months and weeks seven calendar days; hours and smaller units are
elapsed time. ``_time.duration(months=6, days=1, seconds=3600)`` is ``(6, 1, timedelta(hours=1))``.
"""


def _deadline(signed: AgreementSigned, obligation: Obligation, period: Period | None) -> int:
    """An obligation's deadline in µs, with naive calendar arithmetic (no pendulum).

    *period* is the obligation's ``within=`` as the test wrote it (the model never reads a
    duration's insides, so it cannot share the library's reading of them); a plain
    ``timedelta`` is all elapsed time and needs none. The signing place's local wall time
    moves by the months (the day clamped to the month's end), then the days; a wall time in
    a gap or fold takes the "compatible" instant; then the elapsed time passes. With no
    months or days the wall time does not move, so the instant is the signing's own (the
    second reading of a repeated hour stays the second).
    """
    if obligation.due is not None:
        return _us(obligation.due)
    if period is None:
        within = obligation.within
        if type(within) is not timedelta:
            raise ValueError(
                f"the reference model needs the parts of the period of {obligation.what!r} "
                f"in {signed.title!r}, {within!r}: pass "
                "periods={(title, what): (months, days, elapsed timedelta)}"
            )
        period = (0, 0, within)
    months, days, elapsed = period
    if not (months or days):  # no calendar move: the signing's own instant, either reading
        return _us(signed.at) + elapsed // timedelta(microseconds=1)
    tz = ZoneInfo(signed.place.tz)
    wall = _wall(_us(signed.at), tz)
    total = wall.month - 1 + months
    year, month = wall.year + total // 12, total % 12 + 1
    wall = wall.replace(
        year=year, month=month, day=min(wall.day, calendar.monthrange(year, month)[1])
    )
    return _compatible(wall + timedelta(days=days), tz) + elapsed // timedelta(microseconds=1)


class Reference:
    """What a log says as of an instant, computed the simplest way there is.

    This is the model :func:`~itinerary.replay` is compared with, and it shares none of the
    library's machinery: events are sorted by (instant, kind, contents), the order the
    library documents for events at one instant (arrivals, meetings, signings, obligations
    met, departures; then who, or the title, first); instants are read with the standard library; and deadlines are
    computed with naive month and day arithmetic on the signing place's local wall time
    (:mod:`calendar` and :mod:`zoneinfo`), not with :meth:`Obligation.due_after`, from the
    *periods* the test wrote (see :data:`Period`), never from a duration's insides.
    """

    def __init__(
        self,
        events: Iterable[Event],
        as_of: int,
        *,
        periods: Mapping[tuple[str, str], Period] | None = None,
    ) -> None:
        """Read *events* that occurred at or before *as_of* (µs since the epoch).

        *periods* maps (agreement title, obligation) to the obligation's ``within=`` as
        written; it is needed for every ``within=`` that is not a plain ``timedelta``.
        """
        periods = periods or {}
        self.where: dict[str, tuple[Any, ...]] = {}  # who -> ("at", place, since)
        self.signed: list[str] = []  # or ("in_transit", origin, destination, since)
        self.obligations: dict[tuple[str, str], list[Any]] = {}  # -> [due µs, met_at]
        timed = sorted(
            ((_us(e.occurred_at), _RANK.get(type(e), len(_RANK)), _content(e)), e) for e in events
        )
        for (at, _, _), event in timed:
            if at > as_of:
                break
            if isinstance(event, Arrived):
                self.where[event.who] = ("at", event.place, at)
            elif isinstance(event, Departed):
                self.where[event.who] = ("in_transit", event.place, event.to, at)
            elif isinstance(event, MeetingHeld | AgreementSigned):
                for who in event.people:
                    if who not in self.where:
                        self.where[who] = ("at", event.place, at)
            if isinstance(event, AgreementSigned):
                self.signed.append(event.title)
                for obligation in event.obligations:
                    due = _deadline(event, obligation, periods.get((event.title, obligation.what)))
                    self.obligations[event.title, obligation.what] = [due, None]
            elif isinstance(event, ObligationMet):
                entry = self.obligations.get((event.agreement, event.what))
                if entry is not None and entry[1] is None:
                    entry[1] = at
        self.as_of = as_of

    def whereabouts(self, who: str) -> tuple[Any, ...]:
        """``("at", place, since)``, ``("in_transit", origin, destination, since)`` or ``()``."""
        return self.where.get(who, ())

    def deadlines(self) -> set[tuple[str, str, int, str]]:
        """(agreement, obligation, due µs, status) for every obligation signed."""
        found = set()
        for (title, what), (due, met_at) in self.obligations.items():
            if met_at is not None:
                status = "met"
            elif due < self.as_of:
                status = "overdue"
            else:
                status = "pending"
            found.add((title, what, due, status))
        return found


class TourMachine(RuleBasedStateMachine):
    """Appends consistent events step by step; checks replay and the projections every step.

    Class attributes say who travels where, from when; override them in a subclass.
    """

    PEOPLE: ClassVar[tuple[str, ...]] = ("Donald Trump", "Sanae Takaichi", "Lee Jae-myung")
    PLACES: ClassVar[tuple[Place, ...]] = (KUALA_LUMPUR, TOKYO, BUSAN, SEOUL, WASHINGTON)
    START: ClassVar[datetime] = WASHINGTON.at("2025-10-31 22:00")  # the DST change is near
    CRUISE_KMH: ClassVar[float] = CRUISE_KMH

    def __init__(self) -> None:
        super().__init__()
        self.log = EventLog()
        self.held: list[Event] = []  # happened, not yet recorded
        self.now = _us(self.START)  # when the next event happens (µs)
        self.truth: dict[str, tuple[Any, ...]] = {}  # where each person really is
        self.open: list[tuple[AgreementSigned, str]] = []
        self.periods: dict[tuple[str, str], Period] = {}  # each within= as the rule wrote it
        self.count = 0

    # Helpers ------------------------------------------------------------------------------

    def _happen(self, event: Event, *, record: bool, resume: int, tie: bool) -> None:
        """Record *event* (or hold it back); the next one happens at *resume*, or after it.

        With *tie*, the next event happens at the same instant *resume*, so several events
        share an instant and their order is the library's tie-breaking, compared with the
        reference model's.
        """
        if record:
            self.log = self.log.append(event, expected_version=self.log.version)
        else:
            self.held.append(event)
        self.now = resume if tie else resume + _MINUTE

    def _at(self, place: Place) -> list[str]:
        """Who can be at *place* now: those there, and those not heard of yet."""
        return [
            who
            for who in self.PEOPLE
            if who not in self.truth or self.truth[who][:2] == ("at", place)
        ]

    # Rules --------------------------------------------------------------------------------

    @rule(minutes=st.integers(1, 36 * 60))
    def wait(self, minutes: int) -> None:
        """Time passes."""
        self.now += minutes * _MINUTE

    @precondition(
        lambda self: any(self.truth.get(w, ("in_transit",))[0] == "in_transit" for w in self.PEOPLE)
    )
    @rule(data=st.data(), record=st.booleans(), tie=st.booleans())
    def arrive(self, data: st.DataObject, record: bool, tie: bool) -> None:
        """Someone travelling (or not heard of yet) arrives."""
        travelling = [
            who for who in self.PEOPLE if self.truth.get(who, ("in_transit",))[0] == "in_transit"
        ]
        who = data.draw(st.sampled_from(travelling), label="who")
        at = self.now
        if who in self.truth:
            _, origin, destination, left = self.truth[who]
            place = destination or data.draw(
                st.sampled_from([p for p in self.PLACES if p != origin]), label="to"
            )
            km = great_circle_km(origin, place) or 0.0
            at = max(at, left + max(10, math.ceil(km / self.CRUISE_KMH * 60)) * _MINUTE)
        else:
            place = data.draw(st.sampled_from(self.PLACES), label="at")
        self.truth[who] = ("at", place, at)
        event = Arrived(who, place, _time.from_micros(at, place.tz))
        self._happen(event, record=record, resume=at, tie=tie)

    @precondition(lambda self: any(self.truth.get(w, ("at",))[0] == "at" for w in self.PEOPLE))
    @rule(data=st.data(), record=st.booleans(), named=st.booleans(), tie=st.booleans())
    def depart(self, data: st.DataObject, record: bool, named: bool, tie: bool) -> None:
        """Someone at a place (or not heard of yet) leaves it."""
        who = data.draw(
            st.sampled_from([w for w in self.PEOPLE if self.truth.get(w, ("at",))[0] == "at"]),
            label="who",
        )
        if who in self.truth:
            place = self.truth[who][1]
        else:
            place = data.draw(st.sampled_from(self.PLACES), label="from")
        to = data.draw(st.sampled_from([p for p in self.PLACES if p != place]), label="to")
        bound = to if named else None
        self.truth[who] = ("in_transit", place, bound, self.now)
        event = Departed(who, place, _time.from_micros(self.now, place.tz), to=bound)
        self._happen(event, record=record, resume=self.now, tie=tie)

    def _gather(self, data: st.DataObject) -> tuple[Place, tuple[str, ...]] | None:
        place = data.draw(st.sampled_from(self.PLACES), label="place")
        here = self._at(place)
        if not here:
            return None
        chosen = data.draw(st.lists(st.sampled_from(here), min_size=1, unique=True), label="who")
        for who in chosen:
            self.truth.setdefault(who, ("at", place, self.now))
        return place, tuple(chosen)

    @rule(data=st.data(), record=st.booleans(), minutes=st.integers(0, 6 * 60), tie=st.booleans())
    def meet(self, data: st.DataObject, record: bool, minutes: int, tie: bool) -> None:
        """People at one place meet for a while."""
        gathered = self._gather(data)
        if gathered is None:
            return
        place, people = gathered
        self.count += 1
        end = self.now + minutes * _MINUTE
        event = MeetingHeld(
            f"Meeting {self.count}",
            people,
            place,
            _time.from_micros(self.now, place.tz),
            _time.from_micros(end, place.tz),
        )
        self._happen(event, record=record, resume=end, tie=tie)

    @rule(
        data=st.data(),
        record=st.booleans(),
        months=st.integers(0, 12),
        days=st.integers(0, 60),
        tie=st.booleans(),
    )
    def sign(self, data: st.DataObject, record: bool, months: int, days: int, tie: bool) -> None:
        """People at one place sign an agreement with up to two obligations."""
        gathered = self._gather(data)
        if gathered is None:
            return
        place, people = gathered
        self.count += 1
        obligations = [Obligation("report", within=_time.duration(months=months, days=days or 1))]
        self.periods[f"Agreement {self.count}", "report"] = (months, days or 1, timedelta(0))
        if data.draw(st.booleans(), label="second obligation"):
            due = _time.from_micros(self.now + (days + 1) * 24 * 60 * _MINUTE, place.tz)
            obligations.append(Obligation("pay", due=due))
        event = AgreementSigned(
            f"Agreement {self.count}",
            people,
            place,
            _time.from_micros(self.now, place.tz),
            obligations=obligations,
        )
        self.open += [(event, o.what) for o in obligations]
        self._happen(event, record=record, resume=self.now, tie=tie)

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data(), record=st.booleans(), tie=st.booleans())
    def fulfil(self, data: st.DataObject, record: bool, tie: bool) -> None:
        """An obligation of a signed agreement is met."""
        signing, what = self.open.pop(data.draw(st.integers(0, len(self.open) - 1), label="which"))
        event = ObligationMet(signing.title, what, _time.from_micros(self.now, signing.place.tz))
        self._happen(event, record=record, resume=self.now, tie=tie)

    @precondition(lambda self: bool(self.held))
    @rule(order=st.randoms(use_true_random=False))
    def record_held(self, order: Any) -> None:
        """The events held back are recorded now, in any order."""
        events, self.held = list(self.held), []
        order.shuffle(events)
        self.log = self.log.extend(events, expected_version=self.log.version)

    @precondition(lambda self: len(self.log) > 0)
    @rule(data=st.data(), shift=st.sampled_from([-1, 0, 1]))
    def travel_in_time(self, data: st.DataObject, shift: int) -> None:
        """Replay as of an instant near a recorded event agrees with the reference model."""
        event = data.draw(st.sampled_from(list(self.log)), label="near")
        as_of = _us(event.occurred_at) + shift
        self._compare(replay(self.log, as_of=_time.from_micros(as_of, "UTC")), as_of)

    # Invariants ---------------------------------------------------------------------------

    def _compare(self, state: Any, as_of: int) -> None:
        reference = Reference(self.log, as_of, periods=self.periods)
        for who in self.PEOPLE:
            where = state.where(who)
            expected = reference.whereabouts(who)
            since = None if where.since is None else _us(where.since)
            if where.status == "at":
                assert expected == ("at", where.place, since), (who, where, expected)
            elif where.status == "in_transit":
                assert expected == ("in_transit", where.origin, where.destination, since), (
                    who, where, expected,
                )  # fmt: skip
            else:
                assert expected == (), (who, where, expected)
        assert [a.title for a in state.agreements] == reference.signed
        found = {(d.agreement, d.what, _us(d.due), d.status) for d in state.deadlines}
        assert found == reference.deadlines()

    @invariant()
    def replay_agrees_with_the_reference(self) -> None:
        """replay(log) says what the simple model says, as of the latest event."""
        if not len(self.log):
            assert replay(self.log).people == ()
            return
        state = replay(self.log)
        assert state.as_of is not None
        self._compare(state, _us(state.as_of))

    @invariant()
    def projections_keep_their_invariants(self) -> None:
        """Each person's entry is theirs; deadlines exist only once their agreement is signed."""
        state = replay(self.log)
        for who in state.people:
            assert state.where(who).who == who
        signed = {a.title: a for a in state.agreements}
        for deadline in state.deadlines:
            signing = signed[deadline.agreement]
            assert _us(signing.at) == _us(deadline.signed_at)
            assert _us(deadline.due) > _us(signing.at)  # every rule's period is a day or more
            before = replay(self.log, as_of=_time.from_micros(_us(signing.at) - 1, "UTC"))
            assert all(d.agreement != deadline.agreement for d in before.deadlines)

    @invariant()
    def replay_puts_everyone_where_the_machine_sent_them(self) -> None:
        """Once nothing is held back, replay says where each person really is (the truth)."""
        if self.held:
            return
        state = replay(self.log)
        assert set(state.people) == set(self.truth)
        for who, truth in self.truth.items():
            where = state.where(who)
            since = None if where.since is None else _us(where.since)
            if truth[0] == "at":
                assert (where.status, where.place, since) == truth, (who, where, truth)
            else:
                found = (where.status, where.origin, where.destination, since)
                assert found == truth, (who, where, truth)

    @invariant()
    def recorded_tours_are_consistent(self) -> None:
        """Once nothing is held back, check() finds nothing wrong."""
        if not self.held:
            assert check(self.log) == [], [str(v) for v in check(self.log)]
