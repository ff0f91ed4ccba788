"""Every use of another library's internals, and every process-wide switch, each behind a name.

Each function says what it relies on; tests/test__compat.py checks each of those assumptions
against the installed library, so that a release that changes one fails there, by name,
rather than somewhere downstream. Two have effects beyond the call that uses them:

- :func:`register_pickling` (run once, when :mod:`itinerary._time` is imported) changes how
  pendulum's ``DateTime`` and ``Duration`` pickle in the whole process, for every caller;
- :func:`bulk` turns the cyclic garbage collector off for every thread while a block runs.

docs/design.md ("Process-wide effects") says why each is worth it.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from pendulum import DateTime, Duration

__all__ = [
    "as_pendulum",
    "bulk",
    "duration_signature",
    "json_scanner",
    "psycopg_wait_timeout",
    "register_pickling",
]


def duration_signature(value: timedelta) -> Mapping[str, float] | None:
    """The parts a pendulum ``Duration`` was made with, or ``None`` for any other timedelta.

    ``{"years", "months", "weeks", "days", "hours", "minutes", "seconds", "microseconds"}``,
    as given (``Duration(hours=36)`` keeps 36 hours, not a day and 12 hours; milliseconds
    are counted in the microseconds). pendulum reads the same parts when it adds a
    ``Duration`` to a ``DateTime``, but offers no public way to get them back: this relies
    on ``Duration._signature`` (pendulum 2 and 3), the dict its constructor keeps of them.
    """
    if not isinstance(value, Duration):
        return None
    signature = getattr(value, "_signature", None)
    return signature if isinstance(signature, dict) else None


_DATETIME_STATE = datetime.__reduce_ex__


def as_pendulum(local: datetime) -> DateTime:
    """The pendulum ``DateTime`` equal to *local* (wall time, zone and fold), in one call.

    ``DateTime(*state)`` with *state* the arguments ``datetime.__reduce_ex__(local, 4)``
    gives for unpickling: ``(bytes of the wall time and fold, tzinfo)``, which the
    ``datetime`` constructor (and so pendulum's) accepts, as unpickling relies on. Four
    times faster than passing the fields; nothing public copies a datetime into a subclass.
    """
    return DateTime(*_DATETIME_STATE(local, 4)[1])


_DECODER = json.JSONDecoder()


def json_scanner() -> Callable[[str, int], tuple[Any, int]]:
    """The JSON scanner of a default decoder: ``scan(text, index)`` gives ``(value, end)``.

    The value that starts exactly at *index* (no whitespace skipped) and the index just after
    it; ``StopIteration`` if no value starts there, ``ValueError`` (``JSONDecodeError``) if
    one starts but is malformed. ``json.loads`` does the same and then checks that only
    whitespace follows, at a cost a sealed store's reads (compact JSON, as written) need not
    pay. This relies on the decoder's ``scan_once`` attribute, which the standard library
    sets but does not document (``json.scanner.make_scanner``, in C where ``_json`` is built).
    """
    scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
    return scan


def psycopg_wait_timeout(psycopg: ModuleType) -> type[Exception]:
    """The exception psycopg's ``Connection.wait(gen, interval, timeout)`` raises at *timeout*.

    :class:`~itinerary.store.PostgresStore` gives each request's answer a deadline by
    overriding ``Connection.wait`` (not public API) and passing it a ``timeout``, which
    psycopg 3.3 added; when the deadline passes, ``wait`` raises
    ``psycopg.errors._WaitTimeout`` (a private subclass of ``OperationalError``), which this
    returns.
    """
    error: type[Exception] = psycopg.errors._WaitTimeout
    return error


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while a load or a replay builds many objects.

    Events, instants and projection states hold no reference cycles, so collecting while
    they are built finds nothing, yet each full collection rescans every object built so far:
    about a third of a first replay of a million events, and a quarter of a large load. The
    collector runs again as before on leaving the block, even on an error.

    The switch is process-wide: while the block runs, no thread's garbage is collected (the
    first block to leave turns the collector back on, if it was on when that block began).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def register_pickling() -> None:
    """Make pendulum's ``DateTime`` and ``Duration`` pickle without losing what they hold.

    pendulum 3 pickles a ``DateTime`` by its fields and zone only, dropping ``fold``: the
    second 01:30 of a night the clocks went back came back as the first, an hour earlier, so
    an event sent to another process (a Monte Carlo worker, a Dask task) moved. It pickles a
    ``Duration`` as a ``timedelta``, by its total: ``Duration(months=5)`` came back as 21
    weeks and 3 days, so a plan sent to another process counted five months as 150 days.

    Registered with :mod:`copyreg`, these reductions apply to every pickle (and copy) of
    those two types made in this process, by any code, since the executors and Dask pickle
    with picklers of their own. They rebuild each value with pendulum's own constructor
    (``copyreg.__newobj_ex__``), so unpickling needs pendulum, not itinerary. Registering
    again changes nothing. This relies on :func:`duration_signature`.
    """
    copyreg.pickle(DateTime, _reduce_datetime)
    copyreg.pickle(Duration, _reduce_duration)


_Fields = tuple[int, int, int, int, int, int, int, Any]

_NEWOBJ_EX: Callable[..., Any] = copyreg.__newobj_ex__  # type: ignore[attr-defined]  # not in typeshed
"""``cls.__new__(cls, *args, **kwargs)`` on unpickling (pickle's ``NEWOBJ_EX``), since 3.4."""


def _reduce_datetime(
    value: DateTime,
) -> tuple[Callable[..., DateTime], tuple[type[DateTime], _Fields, dict[str, int]]]:
    """``DateTime(*fields, tzinfo, fold=fold)``, on unpickling (pendulum's own drops fold)."""
    fields: _Fields = (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        value.tzinfo,
    )
    return _NEWOBJ_EX, (DateTime, fields, {"fold": value.fold})


def _reduce_duration(
    value: Duration,
) -> tuple[Callable[..., Duration], tuple[type[Duration], tuple[()], dict[str, float]]]:
    """``Duration(**parts)``, on unpickling: pendulum's own pickling keeps only the total."""
    parts = duration_signature(value)
    if parts is None:  # pragma: no cover - a pendulum without the attribute
        parts = {"microseconds": value // timedelta(microseconds=1)}
    return _NEWOBJ_EX, (Duration, (), dict(parts))
