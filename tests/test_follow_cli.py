"""``itinerary follow``: whereabouts as they change, a real Ctrl-C, and its one-line errors."""

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pendulum
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from itinerary import Arrived, Departed, EventLog, Follower, replay
from itinerary.cli import main
from itinerary.display import whereabouts_line
from itinerary.places import SEOUL, TOKYO, WASHINGTON
from itinerary.scenarios import load_scenario
from itinerary.store import PostgresStore, SQLiteStore
from itinerary.strategies import event_logs
from tests._pgserver import LocalServer
from tests.pg_server import new_log_url

ROOT = Path(__file__).resolve().parent.parent
TOUR = load_scenario(ROOT / "examples" / "asia_tour_2025.toml").log


def _tour_store(tmp_path: Path, log: EventLog = TOUR) -> Path:
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(log)
    return path


def _reap(child: subprocess.Popen[str]) -> None:
    """End *child* whatever happened, and close its stderr (its stdout's reader closes that)."""
    child.kill()
    child.wait()
    if child.stderr is not None:
        child.stderr.close()


def _lines(stream: object) -> queue.Queue[str]:
    """The lines of *stream* as they come, read by a thread."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        with stream:  # type: ignore[attr-defined]  # closed at the end, so nothing leaks
            for line in stream:  # type: ignore[attr-defined]
                lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_follow_prints_new_whereabouts_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    """A writer's arrival shows as a line; SIGINT exits with status 0 and no traceback."""
    path = _tour_store(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    child = subprocess.Popen(
        [sys.executable, "-m", "itinerary", "follow", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = _lines(child.stdout)
        first = [lines.get(timeout=30) for _ in range(3)]
        assert first[0] == (
            "version 14: Donald Trump: at Gyeongju since 2025-10-29 13:40 +09:00 Asia/Seoul"
        )
        with SQLiteStore(path, create=False) as writer:
            writer.extend(
                [
                    Departed("Sanae Takaichi", TOKYO, TOKYO.at("2025-10-30 08:00"), to=SEOUL),
                    Arrived("Sanae Takaichi", SEOUL, SEOUL.at("2025-10-30 10:30")),
                ],
                expected_version=14,
            )
        assert lines.get(timeout=30) == (
            "version 15: Sanae Takaichi: in transit Tokyo -> Seoul "
            "since 2025-10-30 08:00 +09:00 Asia/Tokyo"
        )
        assert lines.get(timeout=30) == (
            "version 16: Sanae Takaichi: at Seoul since 2025-10-30 10:30 +09:00 Asia/Seoul"
        )
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)  # its stdout is the reader thread's to read and close
        err = child.stderr.read()  # type: ignore[union-attr]
    finally:
        _reap(child)
    assert child.returncode == 0, err
    assert "Traceback" not in err
    assert "Stopped following" in err
    assert "read to version 16" in err


def test_follow_stops_quietly_when_its_reader_goes_away(tmp_path: Path) -> None:
    """Piped into a reader that exits (``| head -1``), follow ends at its next line, status 0."""
    path = _tour_store(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    with subprocess.Popen(
        [sys.executable, "-m", "itinerary", "follow", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        assert child.stdout.readline().startswith("version 14: Donald Trump")
        child.stdout.close()  # the reader goes away
        with SQLiteStore(path, create=False) as writer:
            writer.append(Arrived("Xi Jinping", SEOUL, SEOUL.at("2025-10-30 10:00")))
        try:
            assert child.wait(timeout=30) == 0
        finally:
            child.kill()
        err = child.stderr.read()
    assert "Traceback" not in err
    assert "internal error" not in err
    assert "Exception ignored" not in err


def test_follow_a_postgres_store_never_shows_its_password(
    postgres_server: LocalServer,
) -> None:
    """Following a URL: a writer's arrival shows at once; SIGINT exits 0; no password anywhere."""
    url = new_log_url(postgres_server, password="s3cret-pw")
    with PostgresStore(url) as store:
        store.extend(TOUR)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    child = subprocess.Popen(
        [sys.executable, "-m", "itinerary", "follow", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = _lines(child.stdout)
        assert lines.get(timeout=30).startswith("version 14: Donald Trump: at Gyeongju")
        for _ in range(2):
            lines.get(timeout=30)
        with PostgresStore(url, create=False) as writer:
            writer.append(Arrived("Xi Jinping", SEOUL, SEOUL.at("2025-10-30 10:00")))
        assert lines.get(timeout=30) == (
            "version 15: Xi Jinping: at Seoul since 2025-10-30 10:00 +09:00 Asia/Seoul"
        )
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)  # its stdout is the reader thread's to read and close
        err = child.stderr.read()  # type: ignore[union-attr]
    finally:
        _reap(child)
    assert child.returncode == 0, err
    assert "Following postgresql://" in err
    assert "s3cret-pw" not in err
    assert "Traceback" not in err


def _interrupt_after(monkeypatch: pytest.MonkeyPatch, steps: int) -> None:
    """Make Follower.step_each raise KeyboardInterrupt (as Ctrl-C would) after *steps* calls."""
    step = Follower.step_each
    calls = [0]

    def counted(self: Follower, timeout: float | None = 0.0) -> list:  # type: ignore[type-arg]
        calls[0] += 1
        if calls[0] > steps:
            raise KeyboardInterrupt
        return step(self, timeout=timeout)

    monkeypatch.setattr(Follower, "step_each", counted)
    monkeypatch.setattr("itinerary.cli.FOLLOW_TICK", 0.01)


def test_follow_after_a_version_prints_each_change_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--after N starts from the state at version N and prints each later change, in order."""
    path = _tour_store(tmp_path)
    _interrupt_after(monkeypatch, 20)
    result = CliRunner().invoke(main, ["follow", str(path), "--after", "2"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "version 2: Donald Trump: at Kuala Lumpur since 2025-10-26 10:00 +08:00 Asia/Kuala_Lumpur",
        "version 3: Donald Trump: in transit Kuala Lumpur -> Tokyo "
        "since 2025-10-27 09:00 +08:00 Asia/Kuala_Lumpur",
        "version 4: Donald Trump: at Tokyo since 2025-10-27 16:30 +09:00 Asia/Tokyo",
    ]
    versions = [int(line.split(":")[0].removeprefix("version ")) for line in lines]
    assert versions == [2, 3, 4, 5, 6, 10, 11, 12, 13]
    assert lines[-1].startswith("version 13: Donald Trump: at Gyeongju")
    assert "Stopped following" in result.stderr


def test_follow_as_of_now_ignores_events_dated_in_the_future(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--as-of-now shows the state as of the clock: a planned arrival in 2099 does not count."""
    planned = EventLog(
        [
            Arrived("Donald Trump", WASHINGTON, WASHINGTON.at("2025-10-20 12:00")),
            Departed("Donald Trump", WASHINGTON, WASHINGTON.at("2099-01-01 09:00"), to=TOKYO),
        ]
    )
    path = _tour_store(tmp_path, planned)
    _interrupt_after(monkeypatch, 2)
    now = CliRunner().invoke(main, ["follow", str(path), "--as-of-now"])
    assert now.exit_code == 0
    assert now.stdout.splitlines() == [
        "version 2: Donald Trump: at Washington since 2025-10-20 12:00 -04:00 America/New_York"
    ]
    _interrupt_after(monkeypatch, 2)
    latest = CliRunner().invoke(main, ["follow", str(path)])
    assert "in transit Washington -> Tokyo since 2099-01-01 09:00" in latest.stdout


def test_follow_escapes_control_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with an escape sequence is printed with it written out, never sent raw."""
    path = _tour_store(
        tmp_path, EventLog([Arrived("Eve\x1b[2J", TOKYO, TOKYO.at("2025-10-27 00:00"))])
    )
    _interrupt_after(monkeypatch, 1)
    result = CliRunner().invoke(main, ["follow", str(path)])
    assert (
        result.stdout
        == "version 1: Eve\\x1b[2J: at Tokyo since 2025-10-27 00:00 +09:00 Asia/Tokyo\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["follow", "{dir}/missing.sqlite"], "missing.sqlite: no such file"),
        (["follow", "{example}"], "follow reads a store (.sqlite, .db, .jsonl or a URL)"),
        (["follow", "{store}", "--after", "15"], "--after 15, but the store holds 14 events"),
    ],
)
def test_follow_mistakes_are_one_line_with_status_2(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    """A missing file, a scenario, or --after beyond the store: one line, exit status 2."""
    store = _tour_store(tmp_path)
    names = {"dir": str(tmp_path), "example": str(ROOT / "examples" / "asia_tour_2025.toml"),
             "store": str(store)}  # fmt: skip
    result = CliRunner().invoke(main, [a.format(**names) for a in arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _changes(log: EventLog) -> list[str]:
    """What follow --after 0 must print for *log*: each change at the version that made it."""
    printed: dict[str, str] = {}
    lines = []
    for version in range(len(log) + 1):
        for who, where in replay(log.upto(version)).whereabouts.items():
            line = whereabouts_line(where)
            if printed.get(who) != line:
                printed[who] = line
                lines.append(whereabouts_line(where, version))
    return lines


def _version(line: str) -> int:
    return int(line.split(":", maxsplit=1)[0].removeprefix("version "))


def test_follow_catches_up_in_chunks_naming_each_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--after 0 on 2,500 events reads them in a few chunks, yet names every change's version."""
    base = TOKYO.at("2025-10-27 00:00")
    log = EventLog(Arrived(f"Delegate {i}", TOKYO, base.add(minutes=i)) for i in range(2500))
    path = _tour_store(tmp_path, log)
    reads = []
    read_after = SQLiteStore.read_after

    def counted(self: SQLiteStore, after: int, limit: int | None = None) -> list:  # type: ignore[type-arg]
        reads.append(limit)
        return read_after(self, after, limit)

    monkeypatch.setattr(SQLiteStore, "read_after", counted)
    _interrupt_after(monkeypatch, 4)
    result = CliRunner().invoke(main, ["follow", str(path), "--after", "0"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [_version(line) for line in lines] == list(range(1, 2501))
    assert (
        lines[-1]
        == "version 2500: Delegate 2499: at Tokyo since 2025-10-28 17:39 +09:00 Asia/Tokyo"
    )
    assert 3 <= len(reads) <= 5, reads  # 1,000 at a time, not one by one


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(log=event_logs(max_events=25))
def test_follow_prints_what_replay_at_each_version_says(tmp_path: Path, log: EventLog) -> None:
    """For any log (events out of order too), the lines are each version's replay's changes."""
    path = tmp_path / "tour.sqlite"
    path.unlink(missing_ok=True)
    with SQLiteStore(path) as store:
        store.extend(log)
    with pytest.MonkeyPatch.context() as monkeypatch:  # undone after each example
        _interrupt_after(monkeypatch, 2)
        result = CliRunner().invoke(main, ["follow", str(path), "--after", "0"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    expected = _changes(log)
    assert sorted(lines) == sorted(expected)
    assert [_version(line) for line in lines] == [_version(line) for line in expected]


def test_follow_as_of_now_shows_a_planned_event_once_its_time_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--as-of-now replays again only when an event's time comes, and then prints it."""
    soon = pendulum.now("Asia/Tokyo").add(seconds=1)
    planned = EventLog(
        [
            Arrived("Donald Trump", WASHINGTON, WASHINGTON.at("2025-10-20 12:00")),
            Arrived("Xi Jinping", SEOUL, SEOUL.at("2025-10-20 12:00")),
            Departed("Donald Trump", WASHINGTON, soon, to=TOKYO),
        ]
    )
    path = _tour_store(tmp_path, planned)
    refreshes = []
    refresh = Follower.refresh

    def counted(self: Follower) -> object:  # type: ignore[type-arg]
        refreshes.append(datetime.now(UTC))
        return refresh(self)

    monkeypatch.setattr(Follower, "refresh", counted)
    _interrupt_after(monkeypatch, 200)  # 200 ticks of 10 ms: 2 s or more
    result = CliRunner().invoke(main, ["follow", str(path), "--as-of-now"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith(
        "version 3: Donald Trump: in transit Washington -> Tokyo since "
        f"{soon.in_timezone('America/New_York').format('YYYY-MM-DD HH:mm')}"
    )
    assert len(refreshes) == 1  # not once a tick: once, when the departure's time came
    assert refreshes[0] >= soon


def test_follow_says_so_when_its_store_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``export ... new.sqlite && mv new.sqlite tour.sqlite`` ends follow with one line."""
    path = _tour_store(tmp_path)
    new = tmp_path / "new.sqlite"
    with SQLiteStore(new) as other:
        other.extend(TOUR)
    step = Follower.step_each
    calls = [0]

    def replace_then_step(self: Follower, timeout: float | None = 0.0) -> list:  # type: ignore[type-arg]
        calls[0] += 1
        if calls[0] == 2:
            os.replace(new, path)
        if calls[0] > 10:
            raise KeyboardInterrupt  # not reached: the replaced store is noticed first
        return step(self, timeout=timeout)

    monkeypatch.setattr(Follower, "step_each", replace_then_step)
    monkeypatch.setattr("itinerary.cli.FOLLOW_TICK", 0.01)
    result = CliRunner().invoke(main, ["follow", str(path)])
    assert result.exit_code == 2, result.output
    assert "tour.sqlite: the store was replaced (or deleted) while followed" in result.stderr
    assert calls[0] == 2
