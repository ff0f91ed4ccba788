"""Tables of logs, states, agendas and Monte Carlo outcomes: plain records, or DataFrames.

Every table comes two ways, with the same rows and columns: :func:`to_records` gives a list
of plain dicts (no dependency), :func:`to_pandas` a ``pandas.DataFrame``
(``pip install "itinerary[notebook]"``). The values have methods for them too:
``log.to_pandas()``, ``state.to_pandas("deadlines")``, ``outcomes.to_pandas()``.

>>> from itinerary import Arrived, EventLog
>>> from itinerary.places import TOKYO
>>> log = EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
>>> row = to_records(log)[0]
>>> row["kind"], row["who"], row["place"], row["zone"], row["offset"]
('Arrived', 'Donald Trump', 'Tokyo', 'Asia/Tokyo', '+09:00')
>>> row["occurred_at"].isoformat(), row["local"].isoformat()
('2025-10-27T08:00:00+00:00', '2025-10-27T17:00:00+09:00')

Each table has one main instant, and three columns that go with it:

- the instant itself (``occurred_at``, ``since``, ``due``, ``start``...) in UTC: an aware
  datetime in a record, dtype ``datetime64[us, UTC]`` in a DataFrame;
- ``local``: the same instant as clocks showed it where it happened. In a record it is an
  aware datetime in that zone; in a DataFrame it is the wall-clock reading alone
  (``datetime64[us]``), since one column of pandas holds one zone and a tour crosses many:
  read it with the next two columns, never as an instant;
- ``offset`` (``"+09:00"``) and ``zone`` (the IANA name, ``"Asia/Tokyo"``).

Other instants (a meeting's ``end``, a deadline's ``signed_at``) are in UTC too, and missing
ones are ``None`` (``NaT`` in a DataFrame). In a DataFrame, kinds, statuses, people and
places are categorical; lists of names (``people``, ``obligations``) stay tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
from pendulum import DateTime

from itinerary import _extras, _time
from itinerary.agenda import AgendaEntry
from itinerary.errors import TableError
from itinerary.events import (
    EVENT_TYPES,
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    ObligationMet,
)
from itinerary.log import EventLog
from itinerary.places import Place
from itinerary.projections.state import State
from itinerary.projections.whereabouts import Whereabouts

if TYPE_CHECKING:
    import pandas as pd

    from itinerary.sim.monte_carlo import Outcomes

__all__ = [
    "OUTCOMES_TABLES",
    "STATE_TABLES",
    "Record",
    "agenda_frame",
    "agenda_records",
    "to_pandas",
    "to_records",
]

Record: TypeAlias = dict[str, Any]
"""A row of a table, as a dict from column names to plain Python values."""

STATE_TABLES = ("whereabouts", "agreements", "deadlines")
"""The tables of a :class:`~itinerary.State`; the first is the default."""

OUTCOMES_TABLES = ("runs", "risks", "deadlines")
"""The tables of a Monte Carlo study's :class:`~itinerary.sim.Outcomes`; the first is the default."""

# How a column becomes a pandas column. "category" columns name a group: columns of one
# group share their categories (a place is the same category as a place or a destination).
_Kind: TypeAlias = Literal[
    "int", "uint", "bool", "float", "str", "object", "instant", "local", "duration", "category"
]
_KINDS = tuple(cls.__name__ for cls in EVENT_TYPES)
_STEP_KINDS = ("travel", "meeting", "signing", "fulfilment")
_FIXED: dict[str, tuple[str, ...]] = {
    "kind": _KINDS,
    "status": ("at", "in_transit", "unknown"),
    "deadline": ("pending", "overdue", "met"),
    "step_kind": _STEP_KINDS,
}
_NAT = -(1 << 63)  # numpy's NaT, as an int64


@attrs.frozen
class _Column:
    kind: _Kind
    group: str | None = None  # for "category": columns that share categories


@attrs.frozen
class _Table:
    """Columns of plain values, with how each becomes a pandas column."""

    columns: dict[str, list[Any]]
    spec: dict[str, _Column]
    orders: dict[str, tuple[str, ...]] = attrs.field(factory=dict)  # a group's categories
    # Microseconds (UTC, or wall clock for "local") of time columns whose builder knew them:
    # a DataFrame is built from these without taking the datetimes apart again.
    exact: dict[str, list[int]] = attrs.field(factory=dict)

    def records(self) -> list[Record]:
        names = list(self.columns)
        return [
            dict(zip(names, row, strict=True)) for row in zip(*self.columns.values(), strict=True)
        ]


def _new(spec: dict[str, _Column]) -> _Table:
    exact: dict[str, list[int]] = {
        name: [] for name, column in spec.items() if column.kind in {"instant", "local"}
    }
    return _Table({name: [] for name in spec}, spec, exact=exact)


_I, _U, _B, _F = _Column("int"), _Column("uint"), _Column("bool"), _Column("float")
_S, _O, _T, _L, _D = _Column("str"), _Column("object"), _Column("instant"), _Column("local"), _Column("duration")  # fmt: skip
_PLACE = _Column("category", "place")
_PERSON = _Column("category", "person")
_ZONE = _Column("category", "zone")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OFFSETS: dict[timedelta | None, str] = {}  # utcoffset -> "+09:00": few distinct ones
_UNTITLED = frozenset((Arrived, Departed, ObligationMet))  # events without title or venue


def _utc(instant: datetime | None) -> datetime | None:
    """*instant* in UTC, as a plain aware datetime (exact to the microsecond)."""
    if instant is None:
        return None
    return _EPOCH + timedelta(microseconds=_time.micros(instant))


def _offset(local: datetime) -> str:
    """``"+09:00"``: :func:`itinerary._time.format_offset`, remembered per offset."""
    delta = local.utcoffset()
    text = _OFFSETS.get(delta)
    if text is None:
        text = _OFFSETS[delta] = _time.format_offset(local)
    return text


def _shown(instant: datetime, place: Place | None) -> tuple[DateTime, str, str | None]:
    """(local, offset, zone) for *instant* at *place*, or in its own zone without one."""
    zone = _time.zone_name(instant)
    if place is None or zone == place.tz:  # given in the place's zone: already its local time
        local = _time.instant(instant, what="instant")
    else:
        local, zone = place.local(instant), place.tz
    return local, _offset(local), zone


def _name(place: Place | None) -> str | None:
    return None if place is None else place.name


def _who(people: Sequence[str]) -> str | None:
    return ", ".join(people) if people else None


# -- the log -------------------------------------------------------------------------------

_EVENTS = {
    "position": _I, "kind": _Column("category", "kind"), "who": _PERSON, "people": _O,
    "place": _PLACE, "occurred_at": _T, "local": _L, "offset": _S, "zone": _ZONE, "end": _T,
    "end_local": _L, "to": _PLACE, "title": _S, "venue": _S, "agreement": _S, "what": _S,
    "obligations": _O, "text": _S,
}  # fmt: skip


def _events(events: Iterable[Event]) -> _Table:
    table = _new(_EVENTS)
    add = {name: column.append for name, column in table.columns.items()}
    exact_at, exact_local = table.exact["occurred_at"].append, table.exact["local"].append
    micros, zone_name = _time.micros, _time.zone_name
    for position, event in enumerate(events):  # the hot loop of a big log: few calls
        place = getattr(event, "place", None)
        place = place if isinstance(place, Place) else None
        at = event.occurred_at
        us = micros(at)
        zone = zone_name(at)
        if place is not None and zone != place.tz:  # else given in its place's zone already
            at, zone = place.local(at), place.tz
        delta = at.utcoffset()
        offset = _OFFSETS.get(delta) or _offset(at)
        people = tuple(event.people)
        end = event.end if isinstance(event, MeetingHeld) else None
        add["position"](position)
        add["kind"](type(event).__name__)
        add["who"](", ".join(people) if people else None)
        add["people"](people)
        add["place"](None if place is None else place.name)
        add["occurred_at"](_EPOCH + timedelta(microseconds=us))
        exact_at(us)
        add["local"](at)
        exact_local(us + _delta_micros(delta))
        add["offset"](offset)
        add["zone"](zone)
        add["end"](_utc(end))
        add["end_local"](None if end is None else _shown(end, place)[0])
        add["to"](_name(event.to) if isinstance(event, Departed) else None)
        untitled = type(event) in _UNTITLED  # not probed: a miss costs a call (events._LAZY)
        add["title"](None if untitled else getattr(event, "title", None))
        add["venue"](None if untitled else getattr(event, "venue", None))
        met = event if isinstance(event, ObligationMet) else None
        add["agreement"](None if met is None else met.agreement)
        add["what"](None if met is None else met.what)
        signed = event if isinstance(event, AgreementSigned) else None
        add["obligations"](None if signed is None else tuple(o.what for o in signed.obligations))
        add["text"](event.describe())
    return table


# -- the state -----------------------------------------------------------------------------

_WHEREABOUTS = {
    "who": _PERSON, "status": _Column("category", "status"), "place": _PLACE,
    "origin": _PLACE, "destination": _PLACE, "since": _T, "local": _L, "offset": _S,
    "zone": _ZONE,
}  # fmt: skip
_AGREEMENTS = {
    "title": _S, "who": _PERSON, "people": _O, "place": _PLACE, "signed_at": _T, "local": _L,
    "offset": _S, "zone": _ZONE, "venue": _S, "obligations": _O,
}  # fmt: skip
_DEADLINES = {
    "agreement": _Column("category", "agreement"), "what": _S,
    "status": _Column("category", "deadline"), "place": _PLACE, "due": _T, "local": _L,
    "offset": _S, "zone": _ZONE, "signed_at": _T, "met_at": _T,
}  # fmt: skip


def _whereabouts(found: Iterable[Whereabouts]) -> _Table:
    table = _new(_WHEREABOUTS)
    out = table.columns
    for where in found:
        seen_at = where.place if where.place is not None else where.origin
        local, offset, zone = (None, None, None)
        if where.since is not None:
            local, offset, zone = _shown(where.since, seen_at)
        row = {
            "who": where.who,
            "status": where.status,
            "place": _name(where.place),
            "origin": _name(where.origin),
            "destination": _name(where.destination),
            "since": _utc(where.since),
            "local": local,
            "offset": offset,
            "zone": zone,
        }
        for name, value in row.items():
            out[name].append(value)
    return table


def _agreements(signed: Iterable[AgreementSigned]) -> _Table:
    table = _new(_AGREEMENTS)
    out = table.columns
    for signing in signed:
        local, offset, zone = _shown(signing.at, signing.place)
        row = {
            "title": signing.title,
            "who": _who(signing.signatories),
            "people": signing.signatories,
            "place": signing.place.name,
            "signed_at": _utc(signing.at),
            "local": local,
            "offset": offset,
            "zone": zone,
            "venue": signing.venue,
            "obligations": tuple(o.what for o in signing.obligations),
        }
        for name, value in row.items():
            out[name].append(value)
    return table


def _deadlines(state: State) -> _Table:
    table = _new(_DEADLINES)
    out = table.columns
    for deadline in state.deadlines:
        local, offset, zone = _shown(deadline.due, deadline.place)
        row = {
            "agreement": deadline.agreement,
            "what": deadline.what,
            "status": deadline.status,
            "place": deadline.place.name,
            "due": _utc(deadline.due),
            "local": local,
            "offset": offset,
            "zone": zone,
            "signed_at": _utc(deadline.signed_at),
            "met_at": _utc(deadline.met_at),
        }
        for name, value in row.items():
            out[name].append(value)
    return table


def _state(state: State, table: str | None) -> _Table:
    chosen = _choose(table, STATE_TABLES, "a State")
    if chosen == "whereabouts":
        return _whereabouts(state.where(who) for who in state.people)
    if chosen == "agreements":
        return _agreements(state.agreements)
    return _deadlines(state)


# -- the agenda ----------------------------------------------------------------------------

_AGENDA = {
    "start": _T, "local": _L, "offset": _S, "zone": _ZONE, "end": _T, "end_local": _L,
    "place": _PLACE, "kind": _Column("category", "kind"), "who": _PERSON, "text": _S,
}  # fmt: skip


def _agenda(entries: Iterable[AgendaEntry]) -> _Table:
    table = _new(_AGENDA)
    out = table.columns
    for entry in entries:
        start = entry.start
        row = {
            "start": _utc(start),
            "local": start,  # already shown in its place's zone, or in agenda(tz=...)'s
            "offset": _offset(start),
            "zone": _time.zone_name(start),
            "end": _utc(entry.end),
            "end_local": entry.end,
            "place": _name(entry.place),
            "kind": type(entry.event).__name__,
            "who": _who(entry.event.people),
            "text": entry.text,
        }
        for name, value in row.items():
            out[name].append(value)
    return table


def agenda_records(entries: Iterable[AgendaEntry]) -> list[Record]:
    """One record per :class:`~itinerary.AgendaEntry` of *entries* (an agenda), in its order.

    ``local`` and ``end_local`` are the times as the agenda shows them: in each place's zone,
    or in the one zone given to :func:`~itinerary.agenda`.
    """
    return _agenda(_checked(entries, AgendaEntry, "agenda entries")).records()


def agenda_frame(entries: Iterable[AgendaEntry]) -> pd.DataFrame:
    """The rows of :func:`agenda_records` as a DataFrame (``pip install "itinerary[notebook]"``)."""
    _extras.require("pandas", extra="notebook", feature="agenda_frame()")  # before any work
    return _frame(_agenda(_checked(entries, AgendaEntry, "agenda entries")), "agenda_frame()")


# -- Monte Carlo outcomes ------------------------------------------------------------------

_RUNS = {
    "run": _I, "seed": _U, "step": _Column("category", "step"),
    "kind": _Column("category", "step_kind"), "planned": _T, "start": _T, "local": _L,
    "offset": _S, "zone": _ZONE, "slip": _D, "late": _B, "overdue": _B,
    "cause": _Column("category", "step"),
}  # fmt: skip
_RISKS = {
    "step": _Column("category", "step"), "kind": _Column("category", "step_kind"),
    "planned": _T, "local": _L, "offset": _S, "zone": _ZONE, "p_late": _F,
    "median_slip": _D, "p90_slip": _D,
}  # fmt: skip
_DEADLINE_RISKS = {"agreement": _Column("category", "agreement"), "what": _S, "risk": _F}


def _step_facts(outcomes: Outcomes) -> list[tuple[str, str, int, str]]:
    """(name, kind, planned start in µs, zone) of each step, in the study's order.

    A leg starts in its origin's zone; a fulfilment in its signing place's.
    """
    from itinerary.sim.steps import Fulfilment, Meeting, Signing, Travel  # noqa: PLC0415

    program = outcomes._program  # the study's compiled plan: its order and planned instants
    facts = []
    for i, step in enumerate(program.steps):
        if isinstance(step, Travel):
            kind, zone = "travel", step.origin.tz
        elif isinstance(step, Fulfilment):
            signing = program.steps[program.signings[step.agreement]]
            assert isinstance(signing, Signing)
            kind, zone = "fulfilment", signing.place.tz
        else:
            kind = "meeting" if isinstance(step, Meeting) else "signing"
            zone = step.place.tz
        facts.append((step.name, kind, program.planned[i], zone))
    return facts


def _runs(outcomes: Outcomes) -> _Table:
    facts = _step_facts(outcomes)
    names = [name for name, _, _, _ in facts]
    table = attrs.evolve(_new(_RUNS), orders={"step": tuple(names)})
    add = {name: column.append for name, column in table.columns.items()}
    exact = {name: column.append for name, column in table.exact.items()}
    slips, causes, late = outcomes._slips, outcomes._causes, outcomes._late
    zones = {zone: _time.zone(zone) for _, _, _, zone in facts}
    planned_at = [_EPOCH + timedelta(microseconds=planned) for _, _, planned, _ in facts]
    for run in range(outcomes.runs):
        seed = outcomes.seed_of(run)
        for i, (name, kind, planned, zone) in enumerate(facts):
            slip = slips[i][run]
            us = planned + slip
            start = _EPOCH + timedelta(microseconds=us)
            local = start.astimezone(zones[zone])
            delta = local.utcoffset()
            cause = causes[i][run]
            add["run"](run)
            add["seed"](seed)
            add["step"](name)
            add["kind"](kind)
            add["planned"](planned_at[i])
            exact["planned"](planned)
            add["start"](start)
            exact["start"](us)
            add["local"](local)
            exact["local"](us + _delta_micros(delta))
            add["offset"](_OFFSETS.get(delta) or _offset(local))
            add["zone"](zone)
            add["slip"](timedelta(microseconds=slip))
            add["late"](slip > 0)
            add["overdue"](bool(late[i][run]))
            add["cause"](names[cause] if cause >= 0 else None)
    return table


def _risks(outcomes: Outcomes) -> _Table:
    steps = _step_facts(outcomes)
    table = attrs.evolve(_new(_RISKS), orders={"step": tuple(name for name, *_ in steps)})
    out = table.columns
    facts = {name: (planned, zone) for name, _, planned, zone in steps}
    for risk in outcomes.risks():
        planned, zone = facts[risk.name]
        local = _time.from_micros(planned, zone)
        row = {
            "step": risk.name,
            "kind": risk.kind,
            "planned": _EPOCH + timedelta(microseconds=planned),
            "local": local,
            "offset": _offset(local),
            "zone": zone,
            "p_late": risk.p_late,
            "median_slip": risk.median,
            "p90_slip": risk.p90,
        }
        for name, value in row.items():
            out[name].append(value)
    return table


def _deadline_risks(outcomes: Outcomes) -> _Table:
    table = _new(_DEADLINE_RISKS)
    for (agreement, what), risk in outcomes.deadline_risks().items():
        table.columns["agreement"].append(agreement)
        table.columns["what"].append(what)
        table.columns["risk"].append(risk)
    return table


def _outcomes(outcomes: Outcomes, table: str | None) -> _Table:
    chosen = _choose(table, OUTCOMES_TABLES, "Outcomes")
    if chosen == "runs":
        return _runs(outcomes)
    if chosen == "risks":
        return _risks(outcomes)
    return _deadline_risks(outcomes)


# -- dispatch ------------------------------------------------------------------------------


def _choose(table: str | None, tables: tuple[str, ...], what: str) -> str:
    if table is None:
        return tables[0]
    if table not in tables:
        listed = ", ".join(repr(t) for t in tables)
        raise TableError(f"{what} has no table {table!r}; it has {listed}")
    return table


def _checked(items: Iterable[Any], cls: type, what: str) -> list[Any]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise TableError(f"expected {what}, got {type(items).__name__} {items!r:.80}")
    found = list(items)
    for i, item in enumerate(found):
        if not isinstance(item, cls):
            raise TableError(f"expected {what}; item {i} is {type(item).__name__} {item!r:.80}")
    return found


def _table(value: object, table: str | None) -> _Table:
    from itinerary.sim.monte_carlo import Outcomes  # noqa: PLC0415 - the simulator, on demand

    if isinstance(value, State):
        return _state(value, table)
    if isinstance(value, Outcomes):
        return _outcomes(value, table)
    if isinstance(value, EventLog):
        _choose(table, ("events",), "an EventLog")
        return _events(value)
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TableError(
            "to_records() and to_pandas() take an EventLog, a State, an agenda, Outcomes or "
            f"a list of events, got {type(value).__name__}"
        )
    items = list(value)
    if items and all(isinstance(item, AgendaEntry) for item in items):
        _choose(table, ("agenda",), "an agenda")
        return _agenda(items)
    _choose(table, ("events",), "a list of events")
    return _events(_checked(items, Event, "events or agenda entries"))


def to_records(value: object, table: str | None = None) -> list[Record]:
    """The rows of *value* as plain dicts, one per item; no dependency needed.

    Args:
        value: An :class:`~itinerary.EventLog` or a list of events (one row per event, in
            recording order; ``position`` is its index, as in a
            :class:`~itinerary.Violation`), a :class:`~itinerary.State` (one row per
            person, agreement or deadline), an agenda (one row per
            :class:`~itinerary.AgendaEntry`), or the :class:`~itinerary.sim.Outcomes` of a
            Monte Carlo study (one row per run and step, per step, or per obligation).
        table: Which table of a State (:data:`STATE_TABLES`: ``"whereabouts"``, the default,
            ``"agreements"`` or ``"deadlines"``) or of Outcomes (:data:`OUTCOMES_TABLES`:
            ``"runs"``, the default, ``"risks"`` or ``"deadlines"``).

    In the log's rows, ``who`` is the one person an arrival or a departure is about, or the
    participants (signatories) of a meeting (signing) joined by ``", "`` in the event's
    order; ``people`` holds them as a tuple (``frame.explode("people")`` gives a row per
    person); both are empty (``None``, ``()``) for an obligation met. An event without a
    place (an obligation met) is shown in the zone its instant was given in.

    Raises:
        TableError: *value* has no such table, or is not one of the above.

    """
    return _table(value, table).records()


def to_pandas(value: object, table: str | None = None) -> pd.DataFrame:
    """The rows of :func:`to_records` as a ``pandas.DataFrame``, with typed columns.

    Instants are ``datetime64[us, UTC]``, ``local`` columns the wall-clock reading
    (``datetime64[us]``, read with ``offset`` and ``zone``), durations ``timedelta64[us]``,
    and kinds, statuses, people, places and zones categorical.

    Raises:
        MissingExtraError: pandas is not installed (``pip install "itinerary[notebook]"``).
        TableError: as for :func:`to_records`.

    """
    _extras.require("pandas", extra="notebook", feature="to_pandas()")  # before any work
    return _frame(_table(value, table), "to_pandas()")


# -- pandas --------------------------------------------------------------------------------


def _micros(value: datetime | None) -> int:
    return _NAT if value is None else _time.micros(value)


def _wall_micros(value: datetime | None) -> int:
    if value is None:
        return _NAT
    offset = value.utcoffset()
    assert offset is not None
    return _time.micros(value) + _delta_micros(offset)


def _delta_micros(value: timedelta | None) -> int:
    if value is None:
        return _NAT
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def _categories(table: _Table) -> dict[str, list[str]]:
    """Each category group's categories: the fixed ones, or the values found, sorted."""
    found: dict[str, set[str]] = {}
    for name, column in table.spec.items():
        if column.kind == "category" and column.group is not None:
            found.setdefault(column.group, set()).update(
                v for v in table.columns[name] if v is not None
            )
    groups = {}
    for group, values in found.items():
        fixed = table.orders.get(group) or _FIXED.get(group, ())
        groups[group] = [*fixed, *sorted(values.difference(fixed))]
    return groups


def _frame(table: _Table, feature: str) -> pd.DataFrame:
    """*table* as a DataFrame, or :class:`MissingExtraError` naming the extra to install."""
    _extras.require("pandas", extra="notebook", feature=feature)
    import numpy as np  # noqa: PLC0415 - pandas depends on it
    import pandas  # noqa: PLC0415 - an optional extra

    groups = _categories(table)
    text = "str" if int(pandas.__version__.split(".")[0]) >= 3 else object
    converters: dict[str, Callable[[list[Any]], Any]] = {
        "int": lambda values: np.array(values, dtype=np.int64),
        "uint": lambda values: np.array(values, dtype=np.uint64),
        "bool": lambda values: np.array(values, dtype=bool),
        "float": lambda values: np.array(values, dtype=np.float64),
        "str": lambda values: pandas.Series(values, dtype=text),  # None stays missing
        "object": lambda values: pandas.Series(values, dtype=object),
        "instant": lambda values: pandas.Series(
            np.array([_micros(v) for v in values], dtype=np.int64).view("datetime64[us]")
        ).dt.tz_localize("UTC"),
        "local": lambda values: np.array([_wall_micros(v) for v in values], dtype=np.int64).view(
            "datetime64[us]"
        ),
        "duration": lambda values: np.array(
            [_delta_micros(v) for v in values], dtype=np.int64
        ).view("timedelta64[us]"),
    }
    data: dict[str, Any] = {}
    for name, column in table.spec.items():
        values = table.columns[name]
        known = table.exact.get(name)
        if column.kind == "category":
            assert column.group is not None
            data[name] = pandas.Categorical(values, categories=groups[column.group])
        elif known is not None and len(known) == len(values):
            unit = "datetime64[us]"
            column_of = np.array(known, dtype=np.int64).view(unit)
            data[name] = (
                pandas.Series(column_of).dt.tz_localize("UTC")
                if column.kind == "instant"
                else column_of
            )
        else:
            data[name] = converters[column.kind](values)
    return pandas.DataFrame(data)
