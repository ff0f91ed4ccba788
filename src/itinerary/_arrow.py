"""Columns of plain values as a ``pyarrow.Table``: what data tools (pandas, polars, DuckDB) read.

A leaf module beside :mod:`itinerary._records` (it imports only that, :mod:`itinerary._extras`,
:mod:`itinerary._time` and :mod:`itinerary.errors`): a value that builds its own
:class:`~itinerary._records.Columns` (the log's events) offers ``to_arrow()`` through it, as
it offers ``to_pandas()`` through :func:`itinerary._records.dataframe`. The columns are typed
as the DataFrame's are: instants as ``timestamp[us, tz=UTC]``, wall-clock readings as
``timestamp[us]`` (read with ``offset`` and ``zone``), kinds, people, places and zones as
dictionary strings (each group's values shared, in the DataFrame's category order), lists of
names as ``list<string>``. pyarrow is imported only when a table is asked for
(``pip install "itinerary[arrow]"``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec

from itinerary import _extras, _time
from itinerary._records import Columns, delta_micros
from itinerary.errors import TableError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["table", "write_parquet"]

_P = ParamSpec("_P")


def table(
    feature: str, build: Callable[_P, Columns], *args: _P.args, **kwargs: _P.kwargs
) -> pa.Table:
    """The columns ``build(*args, **kwargs)`` makes, as a ``pyarrow.Table`` with typed columns.

    Without pyarrow, :class:`~itinerary.errors.MissingExtraError` names the extra to install
    for *feature* (``"to_arrow()"``), before any work is done.
    """
    pa = _extras.require("pyarrow", extra="arrow", feature=feature)
    return _table(pa, build(*args, **kwargs), feature)


def write_parquet(data: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write *data* to a Parquet file at *path* (zstd-compressed), for any data tool to read."""
    parquet = _extras.require("pyarrow.parquet", extra="arrow", feature="a Parquet export")
    parquet.write_table(data, os.fspath(path), compression="zstd")


def _micros(value: datetime | None) -> int | None:
    return None if value is None else _time.micros(value)


def _wall_micros(value: datetime | None) -> int | None:
    if value is None:
        return None
    offset = value.utcoffset()
    return _time.micros(value) + (0 if offset is None else delta_micros(offset))


def _duration_micros(value: timedelta | None) -> int | None:
    return None if value is None else delta_micros(value)


def _groups(columns: Columns) -> dict[str, list[str]]:
    """Each category group's values: its fixed order first, then the others found, sorted."""
    found: dict[str, set[str]] = {}
    for name, column in columns.spec.items():
        if column.kind == "category" and column.group is not None:
            found.setdefault(column.group, set()).update(
                v for v in columns.columns[name] if v is not None
            )
    return {
        group: [
            *columns.orders.get(group, ()),
            *sorted(values - set(columns.orders.get(group, ()))),
        ]
        for group, values in found.items()
    }


def _table(pa: Any, columns: Columns, feature: str) -> pa.Table:
    groups = _groups(columns)
    utc = pa.timestamp("us", tz="UTC")
    arrays: dict[str, Any] = {}
    for name, column in columns.spec.items():
        values = columns.columns[name]
        known = columns.exact.get(name)
        kind = column.kind
        try:
            if kind == "category":
                assert column.group is not None
                dictionary = groups.get(column.group, [])
                index = {value: i for i, value in enumerate(dictionary)}
                indices = pa.array([None if v is None else index[v] for v in values], pa.int32())
                arrays[name] = pa.DictionaryArray.from_arrays(
                    indices, pa.array(dictionary, pa.string())
                )
            elif kind in {"instant", "local"}:
                micros: list[int | None]
                if known is None or len(known) != len(values):
                    convert = _micros if kind == "instant" else _wall_micros
                    micros = [convert(v) for v in values]
                else:  # numpy's NaT (the smallest int64) marks a missing one
                    micros = [None if us == -(1 << 63) else us for us in known]
                arrays[name] = pa.array(micros, utc if kind == "instant" else pa.timestamp("us"))
            elif kind == "duration":
                arrays[name] = pa.array([_duration_micros(v) for v in values], pa.duration("us"))
            elif kind == "object":  # lists of names; anything else as pyarrow infers it
                lists = [None if v is None else list(v) for v in values]
                try:
                    arrays[name] = pa.array(lists, pa.list_(pa.string()))
                except (pa.ArrowException, TypeError, ValueError):
                    arrays[name] = pa.array(lists)
            else:
                types = {
                    "int": pa.int64(), "uint": pa.uint64(), "bool": pa.bool_(),
                    "float": pa.float64(), "str": pa.string(),
                }  # fmt: skip
                arrays[name] = pa.array(values, types[kind])
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise TableError(
                f"{feature}: column {name!r} cannot be an Arrow column: {exc}"
            ) from None
    return pa.table(arrays)
