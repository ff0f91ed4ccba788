"""Columns of plain values, and how they become records or a ``pandas.DataFrame``.

A leaf module (it imports only :mod:`itinerary._time`, :mod:`itinerary._extras` and
:mod:`itinerary.errors`): each value builds its own :class:`Columns` next to itself (the
log's events in :mod:`itinerary.log`, a state's tables in :mod:`itinerary.projections`, a
study's in :mod:`itinerary.sim.monte_carlo`), so that its ``to_records()`` and
``to_pandas()`` need nothing above it; :mod:`itinerary.frames` gathers them for users.
pandas is imported only when a DataFrame is asked for (``pip install "itinerary[notebook]"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeAlias

import attrs
from pendulum import DateTime

from itinerary import _extras, _time
from itinerary.errors import TableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BOOL",
    "DURATION",
    "EPOCH",
    "FLOAT",
    "INSTANT",
    "INT",
    "LOCAL",
    "OBJECT",
    "OFFSETS",
    "PERSON",
    "PLACE",
    "STR",
    "UINT",
    "ZONE",
    "Column",
    "Columns",
    "category",
    "checked",
    "choose",
    "dataframe",
    "delta_micros",
    "local_parts",
    "offset_text",
    "utc",
    "who",
]

# How a column becomes a pandas column. "category" columns name a group: columns of one
# group share their categories (a place is the same category as a place or a destination).
Kind: TypeAlias = Literal[
    "int", "uint", "bool", "float", "str", "object", "instant", "local", "duration", "category"
]
_NAT = -(1 << 63)  # numpy's NaT, as an int64
_P = ParamSpec("_P")


@attrs.frozen
class Column:
    """How one column becomes a pandas column: its kind, and a category column's group."""

    kind: Kind
    group: str | None = None  # for "category": columns that share categories


def category(group: str) -> Column:
    """A categorical column whose categories are shared by every column of *group*."""
    return Column("category", group)


INT, UINT, BOOL, FLOAT = Column("int"), Column("uint"), Column("bool"), Column("float")
STR, OBJECT, DURATION = Column("str"), Column("object"), Column("duration")
INSTANT, LOCAL = Column("instant"), Column("local")
PLACE, PERSON, ZONE = category("place"), category("person"), category("zone")


@attrs.frozen
class Columns:
    """Columns of plain values, with how each becomes a pandas column."""

    columns: dict[str, list[Any]]
    spec: dict[str, Column]
    # A group's categories, first in this order (statuses, kinds, a plan's steps), then the
    # other values found, sorted.
    orders: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    # Microseconds (UTC, or wall clock for "local") of time columns whose builder knew them:
    # a DataFrame is built from these without taking the datetimes apart again.
    exact: dict[str, list[int]] = attrs.field(factory=dict)

    @classmethod
    def empty(
        cls, spec: dict[str, Column], orders: dict[str, tuple[str, ...]] | None = None
    ) -> Columns:
        """No rows yet, of the columns *spec* names, in its order."""
        exact: dict[str, list[int]] = {
            name: [] for name, column in spec.items() if column.kind in {"instant", "local"}
        }
        return cls({name: [] for name in spec}, spec, orders or {}, exact)

    def add(self, row: dict[str, Any]) -> None:
        """Append *row* (a value for every column, in any order)."""
        out = self.columns
        for name, value in row.items():
            out[name].append(value)

    def records(self) -> list[dict[str, Any]]:
        """One dict per row, its keys in the columns' order."""
        names = list(self.columns)
        return [
            dict(zip(names, row, strict=True)) for row in zip(*self.columns.values(), strict=True)
        ]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Microseconds since this instant are the library's exact time (:func:`itinerary._time.micros`)."""

OFFSETS: dict[timedelta | None, str] = {}
"""utcoffset -> ``"+09:00"``, as :func:`offset_text` has written them: few distinct ones.

A hot loop that has the offset already reads this first, and calls :func:`offset_text` only
on a miss.
"""


def utc(instant: datetime | None) -> datetime | None:
    """*instant* in UTC, as a plain aware datetime (exact to the microsecond)."""
    if instant is None:
        return None
    return EPOCH + timedelta(microseconds=_time.micros(instant))


def offset_text(local: datetime) -> str:
    """``"+09:00"``: :func:`itinerary._time.format_offset`, remembered per offset."""
    delta = local.utcoffset()
    text = OFFSETS.get(delta)
    if text is None:
        text = OFFSETS[delta] = _time.format_offset(local)
    return text


def local_parts(instant: datetime, tz: str | None) -> tuple[DateTime, str, str | None]:
    """(local, offset, zone) for *instant* in the zone *tz*, or in its own zone without one."""
    zone = _time.zone_name(instant)
    local = _time.instant(instant, what="instant")
    if tz is not None and zone != tz:  # else given in that zone: already its local time
        local, zone = _time.to_zone(local, tz), tz
    return local, offset_text(local), zone


def who(people: Sequence[str]) -> str | None:
    """The people of a row joined by ``", "``, or ``None`` if there are none."""
    return ", ".join(people) if people else None


def delta_micros(value: timedelta | None) -> int:
    """*value* in microseconds; numpy's NaT for ``None``."""
    if value is None:
        return _NAT
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def choose(table: str | None, tables: tuple[str, ...], what: str) -> str:
    """*table*, one of *tables* (the first if ``None``), or :class:`TableError` naming them."""
    if table is None:
        return tables[0]
    if table not in tables:
        listed = ", ".join(repr(t) for t in tables)
        raise TableError(f"{what} has no table {table!r}; it has {listed}")
    return table


def checked(items: Iterable[Any], cls: type, what: str) -> list[Any]:
    """*items* as a list, or :class:`TableError` if it is not an iterable of *cls* (*what*)."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise TableError(f"expected {what}, got {type(items).__name__} {items!r:.80}")
    found = list(items)
    for i, item in enumerate(found):
        if not isinstance(item, cls):
            raise TableError(f"expected {what}; item {i} is {type(item).__name__} {item!r:.80}")
    return found


# -- pandas --------------------------------------------------------------------------------


def dataframe(
    feature: str, build: Callable[_P, Columns], *args: _P.args, **kwargs: _P.kwargs
) -> pd.DataFrame:
    """The columns ``build(*args, **kwargs)`` makes, as a DataFrame with typed columns.

    Without pandas, :class:`~itinerary.errors.MissingExtraError` names the extra to install
    for *feature* (``"to_pandas()"``), before any work is done.
    """
    _extras.require("pandas", extra="notebook", feature=feature)
    return _frame(build(*args, **kwargs), feature)


def _micros(value: datetime | None) -> int:
    return _NAT if value is None else _time.micros(value)


def _wall_micros(value: datetime | None) -> int:
    if value is None:
        return _NAT
    offset = value.utcoffset()
    assert offset is not None
    return _time.micros(value) + delta_micros(offset)


def _categories(table: Columns) -> dict[str, list[str]]:
    """Each category group's categories: the ordered ones, then the values found, sorted."""
    found: dict[str, set[str]] = {}
    for name, column in table.spec.items():
        if column.kind == "category" and column.group is not None:
            found.setdefault(column.group, set()).update(
                v for v in table.columns[name] if v is not None
            )
    groups = {}
    for group, values in found.items():
        fixed = table.orders.get(group, ())
        groups[group] = [*fixed, *sorted(values.difference(fixed))]
    return groups


def _frame(table: Columns, feature: str) -> pd.DataFrame:
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
        "duration": lambda values: np.array([delta_micros(v) for v in values], dtype=np.int64).view(
            "timedelta64[us]"
        ),
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
