"""Tests for itinerary._compat: each assumption about another library, checked against it.

A test here fails when a new release of pendulum, psycopg or Python changes what the
library's workaround relies on; its docstring says which assumption broke.
"""

from __future__ import annotations

import copyreg
import gc
import inspect
import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime, Duration

from itinerary import EventLog, _compat, _time, replay
from itinerary.scenarios import load_scenario
from itinerary.store import SQLiteStore
from tests._pgserver import LocalServer

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


# duration_signature: pendulum's Duration._signature


def test_a_durations_signature_is_the_parts_it_was_made_with() -> None:
    """A Duration keeps its parts as given in ``_signature`` (milliseconds in the micros)."""
    value = pendulum.duration(
        years=1, months=2, weeks=3, days=4, hours=36, minutes=6, seconds=7, milliseconds=8,
        microseconds=9,
    )  # fmt: skip
    assert _compat.duration_signature(value) == {
        "years": 1,
        "months": 2,
        "weeks": 3,
        "days": 4,
        "hours": 36,
        "minutes": 6,
        "seconds": 7,
        "microseconds": 8009,
    }


def test_a_plain_timedelta_has_no_signature() -> None:
    """A ``timedelta`` (not a pendulum Duration) has no parts: it is all elapsed time."""
    assert _compat.duration_signature(timedelta(days=1)) is None


@pytest.mark.parametrize(
    ("parts", "start", "end"),
    [
        ({"months": 1}, "2025-01-31T12:00:00", "2025-02-28T12:00:00"),
        ({"days": 1, "hours": 12}, "2025-03-08T12:00:00", "2025-03-10T00:00:00"),
        ({"hours": 36}, "2025-03-08T12:00:00", "2025-03-10T01:00:00"),
    ],
)
def test_pendulum_adds_a_duration_by_the_parts_of_its_signature(
    parts: dict[str, int], start: str, end: str
) -> None:
    """Adding a Duration, pendulum reads its signature's parts as ``duration_parts`` does.

    Calendar parts move the wall clock (a month, a day), the rest is elapsed time: over New
    York's spring-forward night, a day and 12 hours is not 36 hours.
    """
    moment = pendulum.parse(start, tz="America/New_York")
    assert isinstance(moment, DateTime)
    duration = pendulum.duration(**parts)
    assert (moment + duration).isoformat().startswith(end)
    assert _time.add_local(moment, "America/New_York", duration) == moment + duration


# json_scanner: JSONDecoder.scan_once


@given(
    st.datetimes(timezones=st.sampled_from([ZoneInfo("America/New_York"), ZoneInfo("Asia/Seoul")])),
)
def test_as_pendulum_copies_wall_time_zone_and_fold(local: datetime) -> None:
    """A datetime's pickled state, given to DateTime(), is its wall time, zone and fold."""
    for fold in (0, 1):
        value = local.replace(fold=fold)
        copied = _compat.as_pendulum(value)
        assert type(copied) is DateTime
        assert copied.replace(tzinfo=None) == value.replace(tzinfo=None)
        assert (copied.tzinfo, copied.fold) == (value.tzinfo, fold)
        assert copied.utcoffset() == value.utcoffset()


def test_datetimes_reduce_gives_the_state_the_constructor_takes() -> None:
    """The form as_pendulum relies on: (datetime, (bytes, tzinfo)) from __reduce_ex__(4)."""
    value = datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York"))
    cls, args = datetime.__reduce_ex__(value, 4)[:2]
    assert cls is datetime
    assert isinstance(args[0], bytes)
    assert args[1] is value.tzinfo


def test_the_json_scanner_gives_the_value_and_where_it_ends() -> None:
    """``scan(text, i)`` is the value starting at *i* and the index after it, nothing skipped."""
    scan = _compat.json_scanner()
    assert scan('[1,"a",{"b":null}]', 0) == ([1, "a", {"b": None}], 18)
    assert scan("[1] trailing", 0) == ([1], 3)
    assert scan(' ["x"]', 1) == (["x"], 6)


@pytest.mark.parametrize("text", ["", " [1]", "x", "[1,", "[,]", '{"a":}', "tru"])
def test_the_json_scanner_stops_where_a_value_was_expected(text: str) -> None:
    """Where a value was expected and none starts (or the text ends), StopIteration."""
    with pytest.raises(StopIteration):
        _compat.json_scanner()(text, 0)


@pytest.mark.parametrize("text", ['{"a"}', '"\x01"', "[1 2]", '"unterminated'])
def test_the_json_scanner_refuses_malformed_json(text: str) -> None:
    """Malformed JSON raises ValueError (a JSONDecodeError), as ``json.loads`` does."""
    with pytest.raises(ValueError, match=r"line 1 column"):
        _compat.json_scanner()(text, 0)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists))
def test_the_json_scanner_reads_what_json_writes(value: object) -> None:
    """Whatever ``json.dumps`` writes compactly, the scanner reads back whole."""
    text = json.dumps(value, separators=(",", ":"))
    assert _compat.json_scanner()(text, 0) == (value, len(text))


def test_the_json_scanner_is_the_c_one() -> None:
    """The scanner is ``_json``'s, in C: the reason for it (a sealed load's speed)."""
    assert json.scanner.c_make_scanner is not None
    assert type(_compat.json_scanner()) is json.scanner.c_make_scanner


# psycopg_wait_timeout: Connection.wait's timeout and _WaitTimeout


def test_psycopgs_wait_takes_a_timeout() -> None:
    """``Connection.wait(gen, interval, timeout)``: the override PostgresStore makes."""
    parameters = list(inspect.signature(psycopg.Connection.wait).parameters)
    assert parameters[:4] == ["self", "gen", "interval", "timeout"]
    assert issubclass(_compat.psycopg_wait_timeout(psycopg), psycopg.OperationalError)


def test_psycopgs_wait_raises_that_class_when_the_timeout_passes(
    postgres_server: LocalServer,
) -> None:
    """A query that outlasts ``wait``'s timeout raises ``psycopg_wait_timeout(psycopg)``."""

    class Deadline(psycopg.Connection[Any]):
        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            return super().wait(gen, interval, 0.2 if timeout is None else timeout)

    conn = Deadline.connect(postgres_server.url(), autocommit=True)
    try:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(_compat.psycopg_wait_timeout(psycopg)):
            conn.execute("SELECT pg_sleep(3)")
    finally:
        conn.pgconn.finish()  # its state is unknown, as PostgresStore does
        conn.close()


# bulk: the garbage collector, paused process-wide


def test_bulk_pauses_the_collector_and_restores_it() -> None:
    """Inside ``bulk()`` the collector is off; after it (even after an error) it is on again."""
    assert gc.isenabled()
    with _compat.bulk():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), _compat.bulk():
        raise KeyError("x")
    assert gc.isenabled()


def test_bulk_leaves_a_collector_that_was_off_off() -> None:
    """A caller who turned the collector off finds it off after ``bulk()``."""
    gc.disable()
    try:
        with _compat.bulk():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_replays_and_loads_leave_no_cyclic_garbage(tmp_path: Path) -> None:
    """What ``bulk()`` pauses the collector for builds no reference cycles: nothing to collect."""
    log = load_scenario(ROOT / "examples" / "asia_tour_2025.toml").log
    with SQLiteStore(tmp_path / "tour.sqlite") as store:
        store.extend(log, expected_version=0)
        store.load()  # caches filled once, before counting
        replay(log)
        gc.collect()
        gc.disable()
        try:
            replay(EventLog(list(log)))
            replay(EventLog(list(log)), as_of=log[len(log) // 2].at)
            store.load()
            assert gc.collect() == 0
        finally:
            gc.enable()


# register_pickling: copyreg reducers for pendulum's DateTime and Duration


def test_pickling_is_registered_once_for_the_whole_process() -> None:
    """Importing itinerary registers the reducers with copyreg; registering again changes nothing."""
    table = dict(copyreg.dispatch_table)
    assert table[DateTime] is _compat._reduce_datetime
    assert table[Duration] is _compat._reduce_duration
    _compat.register_pickling()
    assert copyreg.dispatch_table == table


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_pickled_instant_keeps_its_fold(protocol: int) -> None:
    """The second 01:30 of New York's fall-back night comes back as itself, in every protocol."""
    later = _time.resolve(
        datetime(2025, 11, 2, 1, 30), "America/New_York", disambiguate="later", where="here"
    )
    restored = pickle.loads(pickle.dumps(later, protocol))
    assert type(restored) is DateTime
    assert (restored.fold, _time.micros(restored)) == (1, _time.micros(later))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_pickled_duration_keeps_its_parts(protocol: int) -> None:
    """Five months come back as five months, not 150 days, in every protocol."""
    value = pendulum.duration(months=5, hours=36)
    restored = pickle.loads(pickle.dumps(value, protocol))
    assert type(restored) is Duration
    assert _compat.duration_signature(restored) == _compat.duration_signature(value)


def test_pickles_load_without_itinerary() -> None:
    """The pickles need pendulum only: a process that cannot import itinerary reads them."""
    wall = datetime(2025, 11, 2, 1, 30)
    values = [
        _time.resolve(wall, "America/New_York", disambiguate="later", where="here"),
        pendulum.duration(months=5),
    ]
    code = (
        "import pickle, sys\n"
        "sys.modules['itinerary'] = None  # importing it would fail\n"
        "instant, duration = pickle.loads(sys.stdin.buffer.read())\n"
        "print(instant.fold, duration.months)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps(values),
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.split() == [b"1", b"5"]


@pytest.mark.parametrize(
    ("value", "lost"),
    [
        (
            DateTime(2025, 11, 2, 1, 30, tzinfo=pendulum.timezone("America/New_York"), fold=1),
            lambda value, back: back.fold != value.fold,
        ),
        (
            pendulum.duration(months=5),
            lambda value, back: getattr(back, "_signature", None) != value._signature,
        ),
    ],
    ids=["DateTime's fold", "Duration's parts"],
)
def test_pendulums_own_pickling_still_loses_what_the_reducers_keep(
    value: object, lost: Callable[[Any, Any], bool]
) -> None:
    """Pendulum's own reduction still drops it; once it keeps it, register_pickling can go."""
    reduced = type(value).__reduce_ex__(value, 4)  # pendulum's, not copyreg's
    assert isinstance(reduced, tuple)
    rebuild, args = reduced[0], reduced[1]
    back = rebuild(*args)
    if len(reduced) > 2 and reduced[2] is not None:  # a reduction's state
        back.__setstate__(reduced[2])
    assert lost(value, back)
