"""The state of a tour as of an instant: the built-in projections, replayed in one pass."""

from __future__ import annotations

import difflib
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypeVar, cast, get_args

import attrs
import numpy as np
import numpy.typing as npt
from pendulum import DateTime

from itinerary import _records, _text, _time
from itinerary._compat import bulk
from itinerary._table import Table, render_html
from itinerary.errors import UnknownPersonError
from itinerary.events import AgreementSigned, Event
from itinerary.log import EventLog
from itinerary.projections._columns import (
    ledger_of,
    ledger_plan,
    signing_rows,
    whereabouts_rows,
)
from itinerary.projections._core import (
    Projection,
    TimelineView,
    check_as_of,
    compose,
    fold,
    timeline,
)
from itinerary.projections.agreements import (
    AGREEMENTS,
    Signed,
    agreement_columns,
    agreements_table,
    signed,
)
from itinerary.projections.deadlines import (
    DEADLINES,
    Deadline,
    Ledger,
    deadline_columns,
    deadlines,
    deadlines_table,
)
from itinerary.projections.whereabouts import (
    WHEREABOUTS,
    Whereabouts,
    WhereaboutsByName,
    whereabouts_columns,
    whereabouts_phrase,
    whereabouts_table,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TOUR", "State", "StateTable", "WhereaboutsMap", "close_names", "replay"]

StateTable: TypeAlias = Literal["whereabouts", "agreements", "deadlines"]
"""The tables of a :class:`State`: :meth:`State.to_records` and :meth:`State.to_pandas`."""

STATE_TABLES: tuple[StateTable, ...] = get_args(StateTable)
"""The tables of a :class:`~itinerary.State`; the first is the default."""

TOUR: Projection[tuple[Any, ...]] = compose(WHEREABOUTS, AGREEMENTS, DEADLINES)
"""The built-in projections (whereabouts, agreements and deadlines) composed, replayed in one pass."""


class WhereaboutsMap(Mapping[str, Whereabouts]):
    """Everyone's :class:`Whereabouts` by name, in alphabetical order; read-only.

    A view of a state's whereabouts (made in constant time): ``len``, ``in``, ``[name]`` and
    ``.get(name)`` ask the state directly; iterating sorts the names.
    """

    __slots__ = ("_map",)

    def __init__(self, found: Mapping[str, Whereabouts]) -> None:
        self._map = found

    def __getitem__(self, who: str) -> Whereabouts:
        return self._map[who]

    def __len__(self) -> int:
        return len(self._map)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._map))

    def __contains__(self, who: object) -> bool:
        return who in self._map

    def __repr__(self) -> str:
        return f"<WhereaboutsMap of {len(self)} people>"


def _key(name: str) -> str:
    """*name* without case, spaces or punctuation: ``"Lee Jae-myung"`` -> ``"leejaemyung"``."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def close_names(who: str, known: Iterable[str], *, cutoff: float = 0.8) -> tuple[str, ...]:
    """The names in *known* that *who* may be a slip for, most likely first.

    First those that differ from *who* only in case, spacing or punctuation (the ones
    :meth:`State.where` refuses to answer "unknown" for), then those at least *cutoff* alike
    by ``difflib.get_close_matches`` once case is ignored (``"Donald Trum"``): for a
    "did you mean" of your own.

    >>> close_names("donald trum", ["Donald Trump", "Sanae Takaichi"])
    ('Donald Trump',)
    """
    by_key: dict[str, list[str]] = {}
    for name in known:
        by_key.setdefault(_key(name), []).append(name)
    key = _key(who)
    same = [n for n in by_key.get(key, ()) if n != who]
    fuzzy = difflib.get_close_matches(key, [k for k in by_key if k != key], n=3, cutoff=cutoff)
    return (*same, *(name for k in fuzzy for name in by_key[k]))


T = TypeVar("T")


class _Deferred(Generic[T]):
    """A value computed the first time it is needed, then kept (a part of a :class:`State`).

    A replay read from columns defers the agreements and deadlines: building their events
    is most of its cost, and a question about whereabouts needs none of them. Computing
    twice (two threads at once) gives equal values; either is kept. Pickles as its value.
    """

    __slots__ = ("__weakref__", "_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None

    @property
    def pending(self) -> bool:
        """Whether the value is still to be computed."""
        return self._make is not None

    def get(self) -> T:
        """The value, computed on the first call."""
        make = self._make
        if make is not None:
            self._value = make()
            self._make = None
        return cast("T", self._value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_same, (self.get(),))


def _same(value: T) -> T:
    return value


def _forced(value: T | _Deferred[T]) -> T:
    """*value*, computed first if it was deferred."""
    return value.get() if isinstance(value, _Deferred) else value


def _pending(value: object) -> bool:
    return isinstance(value, _Deferred) and value.pending


def _signed_key(value: Signed | _Deferred[Signed]) -> tuple[AgreementSigned, ...]:
    # Compared flat: the same signings in the same order are the same stack.
    return signed(_forced(value))


@attrs.frozen
class State:
    """What was true as of the instant ``as_of``: whereabouts, agreements signed, deadlines.

    Built by :func:`replay`; every answer is computed from the events that occurred at or
    before ``as_of`` and nothing else.
    """

    as_of: DateTime | None = attrs.field(eq=_time.instant_key)
    # The states of TOUR's three projections, in the order compose() was given them.
    _whereabouts: WhereaboutsByName = attrs.field(repr=False, alias="whereabouts")
    # Either may be deferred (a replay read from columns): see _Deferred.
    _agreements: Signed | _Deferred[Signed] = attrs.field(
        repr=False, alias="agreements", eq=_signed_key
    )
    _ledger: Ledger | _Deferred[Ledger] = attrs.field(repr=False, alias="ledger", eq=_forced)

    def where(self, who: str) -> Whereabouts:
        """Where *who* was: ``.place`` is ``None`` while in transit or if unknown.

        A name nobody has had whereabouts for yet is ``"unknown"`` (someone before their
        first event, for instance), unless it differs from a known name only in case,
        spacing or punctuation (``"donald trump"``, ``"Lee Jae Myung"``): that is a slip,
        not a person, and :class:`~itinerary.errors.UnknownPersonError` says which name was
        meant. Names that are merely alike (``"Delegate 10"``, ``"Delegate 11"``) are
        different people and are never refused; :func:`close_names` finds those for a
        "did you mean" of your own. ``state.whereabouts.get(who)`` never guesses.

        >>> from itinerary import EventLog, Arrived, replay
        >>> from itinerary.places import TOKYO
        >>> state = replay(EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))]))
        >>> state.where("Donald Trump").place
        Place(name='Tokyo', country='Japan', tz='Asia/Tokyo', lat=35.6762, lon=139.6503)
        >>> state.where("Sanae Takaichi").status
        'unknown'
        >>> state.where("donald trump")
        Traceback (most recent call last):
        ...
        itinerary.errors.UnknownPersonError: nobody called 'donald trump' has whereabouts as of 2025-10-27 17:00 +09:00 Asia/Tokyo; did you mean 'Donald Trump'?
        """
        found = self._whereabouts.get(who)
        if found is not None:
            return found
        if isinstance(who, str):
            key = _key(who)
            close = tuple(n for n in self._whereabouts if _key(n) == key)
            if close and key:
                when = _text.format_instant(self.as_of) if self.as_of is not None else "now"
                meant = " or ".join(repr(n) for n in close)
                raise UnknownPersonError(
                    f"nobody called {_text.clip(who)!r} has whereabouts as of {when}; "
                    f"did you mean {meant}?",
                    who,
                    close,
                )
        return Whereabouts(who)

    @property
    def whereabouts(self) -> Mapping[str, Whereabouts]:
        """Everyone whose whereabouts are known -> their :class:`Whereabouts`, by name.

        Read-only, in alphabetical order; ``.get(name)`` is ``None`` for anyone else.
        """
        return WhereaboutsMap(self._whereabouts)

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone whose whereabouts are known, in alphabetical order."""
        return tuple(sorted(self._whereabouts.keys()))

    @property
    def agreements(self) -> tuple[AgreementSigned, ...]:
        """The agreements signed so far, oldest first (title, signatories, place, at)."""
        return signed(_forced(self._agreements))

    @property
    def deadlines(self) -> tuple[Deadline, ...]:
        """Every obligation signed so far, soonest due first, with its status as of now."""
        return deadlines(_forced(self._ledger), self.as_of)

    def pending(self) -> tuple[Deadline, ...]:
        """Obligations not yet met whose deadline has not passed."""
        return tuple(d for d in self.deadlines if d.status == "pending")

    def overdue(self) -> tuple[Deadline, ...]:
        """Obligations not met whose deadline has passed."""
        return tuple(d for d in self.deadlines if d.status == "overdue")

    def met(self) -> tuple[Deadline, ...]:
        """Obligations met."""
        return tuple(d for d in self.deadlines if d.status == "met")

    def to_records(self, table: StateTable = "whereabouts") -> list[dict[str, Any]]:
        """One plain dict per person (``"whereabouts"``), agreement or deadline.

        People in alphabetical order, agreements oldest first, deadlines soonest due first;
        see :func:`itinerary.frames.to_records` for the columns.
        """
        return state_columns(self, table).records()

    def to_pandas(self, table: StateTable = "whereabouts") -> pd.DataFrame:
        """The rows of :meth:`to_records` as a DataFrame (``pip install "itinerary[notebook]"``).

        ``state.to_pandas()`` is who is where; ``state.to_pandas("deadlines")`` the deadlines.
        """
        return _records.dataframe("to_pandas()", state_columns, self, table)

    def __repr__(self) -> str:
        return state_repr(self)

    def __str__(self) -> str:
        """The text ``itinerary replay`` prints: whereabouts, agreements, deadlines."""
        return format_state(self)

    def _repr_html_(self) -> str:
        return render_html(state_tables(self), state_heading(self))


def replay(log: EventLog | Iterable[Event], as_of: datetime | None = None) -> State:
    """The :class:`State` of *log* as of the instant *as_of*.

    Only events that occurred at or before *as_of* count, in the order they occurred,
    whatever order they were recorded in. Without *as_of*, the state as of the latest
    event's instant (never the wall clock). *as_of* must be timezone-aware. *log* may also
    be any iterable of events; only an :class:`~itinerary.EventLog` keeps its index between
    calls.
    """
    instant = check_as_of(as_of)
    if instant is None and isinstance(log, EventLog) and log.columnar and len(log):
        return _replay_columns(log)
    line = timeline(log)
    if instant is None:  # as of the latest event: all of them
        return State(line.latest(), *line.state(TOUR, line.size))
    return State(instant, *line.state(TOUR, line.position(instant)))


class _OnColumns:
    """The key a timeline keeps the furthest replay read from columns under (see below)."""


_ON_COLUMNS = _OnColumns()

Parts: TypeAlias = (
    "tuple[WhereaboutsByName, Signed | _Deferred[Signed], Ledger | _Deferred[Ledger]]"
)


def _replay_columns(log: EventLog) -> State:
    """The state as of *log*'s latest event, read from its columns (see :mod:`._columns`).

    The order is the time-travel index's (sorted once with numpy, then grown in place by
    appends that sort after it, holding positions, not events). The whereabouts are folded
    over the events they keep (each person's last movement); the agreements and deadlines
    are folded on the columns, their events built when first asked for (each log entry
    built once, and kept by the log). The parts are kept with the index, so a replay after
    appends folds only the new events onto them (onto agreements and deadlines already
    built; those still deferred are deferred afresh).
    """
    view = timeline(log)
    line, size = view.line, view.size
    with line.lock:
        reached = line.reached.get(_ON_COLUMNS)
    if reached is not None and reached[0] <= size:
        parts = _grown(log, view, *reached)
    else:
        parts = _from_columns(log, view)
    if reached is None or reached[0] <= size:
        with line.lock:
            line.reached[_ON_COLUMNS] = (size, _kept(parts))
    return State(view.latest(), *parts)


def _kept(parts: Parts) -> Parts:
    """*parts* as the index keeps them: a part still deferred by a weak reference.

    A deferred part holds the log (it reads the columns when asked for), and the log holds
    the index: kept strongly, that cycle would keep a dropped log until the collector ran.
    Once computed it holds only its value; a part dropped while still deferred is deferred
    afresh by the next replay (see :func:`_grown`).
    """
    whereabouts, agreements, ledger = parts
    return (
        whereabouts,
        cast("Signed", weakref.ref(agreements)) if _pending(agreements) else agreements,
        cast("Ledger", weakref.ref(ledger)) if _pending(ledger) else ledger,
    )


def _kept_part(part: object) -> Any:
    """A part as :func:`_kept` kept it: the deferred part, or ``None`` if it was dropped."""
    return part() if isinstance(part, weakref.ref) else part


def _order(view: TimelineView) -> npt.NDArray[np.int64]:
    """The recording positions of *view*'s entries in occurrence order (a copy, as numpy)."""
    return np.frombuffer(view.positions, dtype=np.int64)


def _from_columns(log: EventLog, view: TimelineView) -> Parts:
    """The parts of the state of *view*'s events, read from *log*'s columns."""
    cols = log.columns
    order = _order(view)
    moves = log.take(order[whereabouts_rows(cols, order)].tolist())
    with bulk():
        whereabouts = fold(WHEREABOUTS, moves)
    return whereabouts, *_deferred(log, view)


def _deferred(log: EventLog, view: TimelineView) -> tuple[_Deferred[Signed], _Deferred[Ledger]]:
    """The agreements and deadlines of *view*'s events, read from the columns when asked for.

    They read the order from *view* when computed: a copy of it kept until then would cost
    8 bytes an event for as long as the state (and the index, which keeps the parts) lives.
    """

    def agreements() -> Signed:
        with bulk():
            return fold(AGREEMENTS, log.take(signing_rows(log.columns, _order(view)).tolist()))

    def ledger() -> Ledger:
        cols = log.columns
        with bulk():
            return ledger_of(cols, ledger_plan(cols, _order(view)), log.take)

    return _Deferred(agreements), _Deferred(ledger)


def _grown(log: EventLog, view: TimelineView, position: int, kept: Parts) -> Parts:
    """The parts *kept* (see :func:`_kept`: after *position* entries) with the entries after it.

    The new events are folded onto the whereabouts, and onto the agreements and deadlines
    if they were built; those still deferred (or dropped while deferred) are deferred
    afresh (read from the columns when asked for), so a replay after an append costs the
    new events.
    """
    whereabouts, agreements, ledger = kept[0], _kept_part(kept[1]), _kept_part(kept[2])
    if position == view.size and agreements is not None and ledger is not None:
        return whereabouts, agreements, ledger  # the same parts: a deferred one shared
    waiting = agreements is None or ledger is None or _pending(agreements) or _pending(ledger)
    fresh = _deferred(log, view) if waiting else None
    new = view.line.events[position : view.size]
    with bulk():
        return (
            fold(WHEREABOUTS, new, whereabouts),
            fresh[0]
            if fresh is not None and (agreements is None or _pending(agreements))
            else fold(AGREEMENTS, new, _forced(agreements)),
            fresh[1]
            if fresh is not None and (ledger is None or _pending(ledger))
            else fold(DEADLINES, new, _forced(ledger)),
        )


# -- shown as text and tables (see itinerary.display) ---------------------------------------


def state_heading(state: State, counted: int | None = None, total: int | None = None) -> str:
    """``State as of 2025-10-28 12:30 +09:00 Asia/Tokyo (8 of 14 events had happened)``.

    The instant is shown in its own zone, with its offset (which of two readings of a
    repeated hour it is); the counts are shown if given.
    """
    if state.as_of is None:
        return "State before any event"
    counts = f" ({counted} of {total} events had happened)" if counted is not None else ""
    return f"State as of {_text.format_instant(state.as_of)}{counts}"


def state_repr(state: State, shown: int = 3) -> str:
    """A state in one line: when, who is where (the first *shown* people), the counts."""
    when = _text.format_instant(state.as_of) if state.as_of is not None else "None"
    everyone = state.whereabouts
    people = [
        f"{_text.text_ref(who)}: {whereabouts_phrase(everyone[who])}"
        for who in list(everyone)[:shown]
    ]
    if len(everyone) > shown:
        people.append(f"+{len(everyone) - shown} more")
    deadlines = state.deadlines
    statuses: dict[str, int] = {}
    for d in deadlines:
        statuses[d.status] = statuses.get(d.status, 0) + 1
    detail = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    return (
        f"State(as_of={when}, where={{{', '.join(people)}}}, "
        f"agreements={len(state.agreements)}, deadlines={len(deadlines)}"
        f"{f' ({detail})' if detail else ''})"
    )


def state_tables(state: State) -> tuple[Table, Table, Table]:
    """Whereabouts, agreements signed and deadlines: what ``itinerary replay`` prints."""
    return (
        whereabouts_table(state.whereabouts.values()),
        agreements_table(state.agreements),
        deadlines_table(state.deadlines),
    )


def format_state(
    state: State,
    *,
    counted: int | None = None,
    total: int | None = None,
    style: Callable[[str, str], str] | None = None,
) -> str:
    """The state as text: its heading, then its three tables (``str(state)`` and the CLI)."""
    parts = [state_heading(state, counted, total)]
    parts += [table.text(style=style) for table in state_tables(state)]
    return "\n\n".join(parts)


# -- records and DataFrames (see itinerary.frames) ------------------------------------------


def state_columns(state: State, table: str | None) -> _records.Columns:
    """The table of *state* called *table* (one of :data:`STATE_TABLES`; the first if None)."""
    chosen = _records.choose(table, STATE_TABLES, "a State")
    if chosen == "whereabouts":
        return whereabouts_columns(state.where(who) for who in state.people)
    if chosen == "agreements":
        return agreement_columns(state.agreements)
    return deadline_columns(state.deadlines)
