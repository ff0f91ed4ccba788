"""The PostgreSQL store: the contract, contention, lost servers, masked passwords, waking."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from itinerary import Arrived, ConcurrencyError, EventLog
from itinerary.cli import main
from itinerary.errors import MissingExtraError, StoreError, VersionError
from itinerary.places import TOKYO
from itinerary.store import Codec, EventStore, PostgresStore, open_store
from itinerary.store._sealed import checksum
from itinerary.store.codec import encode_instant
from itinerary.store.postgres import masked_url
from tests._pgserver import LocalServer, free_port
from tests.pg_server import OnSessionServer, new_log_url
from tests.store_contract import DurableStoreContract, batch, exact

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "asia_tour_2025.toml")
SECRET = "hunter2-Sw0rdfish"

PAUSE = """
import time
from psycopg import pq

write = store._write_events


def pause(copied, total):
    # The store's connection is inside its transaction (or its COPY) unless it is idle.
    if store._db.info.transaction_status != pq.TransactionStatus.IDLE:
        print(f"mid {copied} of {total} rows copied", flush=True)
    else:
        print("outside the transaction", flush=True)
    time.sleep(60)


def paused(cursor, rows):
    # The rows the store copies in, pausing once DONE of them are sent.
    rows = list(rows)
    stop = round(len(rows) * DONE)

    def feed():
        for number, row in enumerate(rows):
            if number == stop:
                pause(number, len(rows))
            yield row
        pause(len(rows), len(rows))  # DONE = 1.0: all copied, the COMMIT not yet run

    write(cursor, feed())


store._write_events = paused
"""


class TestPostgresStore(OnSessionServer, DurableStoreContract):
    """The contract, for PostgresStore: each store a log of its own on the session's server."""

    def pause_mid_write(self, done: float) -> str:
        """Pause inside the transaction once *done* of the batch's rows are copied in."""
        return f"DONE = {done!r}\n{PAUSE}"

    def damage(self, store: PostgresStore, version: int) -> None:
        """Change the checksum of the row at *version*."""
        _sql(
            store, "UPDATE {log}.itinerary_events SET crc = crc + 1 WHERE version = %s", (version,)
        )


def _sql(store: PostgresStore, statement: str, params: tuple[Any, ...] = ()) -> None:
    """Run *statement* on the store's database, its log's tables named ``{log}``."""
    url = store.path.split("?", 1)[0]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.replace("{log}", f'"{store.log}"').encode(), params)


def _old_row(url: str, kind: str, schema: int, data: str) -> PostgresStore:
    """A new log holding one hand-written row (with a matching checksum)."""
    store = PostgresStore(url)
    raw = data.encode()
    _sql(
        store,
        "INSERT INTO {log}.itinerary_events VALUES (1, %s, %s, %s, %s)",
        (kind, schema, raw, checksum(1, kind, schema, raw)),
    )
    _sql(store, "UPDATE {log}.itinerary_meta SET value = '1' WHERE key = 'events'")
    return store


def test_upcaster_turns_an_old_row_into_todays_event(postgres_url: str) -> None:
    """A hand-written schema-0 row (who was 'person', the place only a name) loads upcast."""
    at = encode_instant(TOKYO.at("2025-10-27 16:30"))
    _old_row(
        postgres_url,
        "Arrived",
        0,
        json.dumps({"person": "Donald Trump", "city": "Tokyo", "at": at}),
    ).close()

    def upcast(data: dict) -> dict:  # type: ignore[type-arg]
        city = {"Tokyo": ["Tokyo", "Japan", "Asia/Tokyo", 35.6762, 139.6503]}[data.pop("city")]
        return {"who": data.pop("person"), "place": city, **data}

    codec = Codec(upcasters={("Arrived", 0): upcast})
    with PostgresStore(postgres_url, codec=codec, create=False) as store:
        log = store.load()
    assert exact(log) == exact(
        EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 16:30"))])
    )


def test_old_row_without_upcaster_names_version_and_schema(postgres_url: str) -> None:
    """Without an upcaster, an old row is refused with its version and schema."""
    store = _old_row(postgres_url, "Arrived", 0, "{}")
    with pytest.raises(
        StoreError, match="version 1: Arrived was stored with schema 0 and no upcaster"
    ):
        store.load()


def test_unknown_event_type_names_the_version(postgres_url: str) -> None:
    """A row of an unknown event type is refused, naming its version."""
    store = _old_row(postgres_url, "Teleported", 1, "{}")
    with pytest.raises(StoreError, match=r"version 1: unknown event type 'Teleported'"):
        store.load()


def test_a_changed_row_is_refused_as_damage(postgres_url: str) -> None:
    """A row changed after it was written (into well-formed JSON) is refused, naming its version."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 3))
    _sql(
        store,
        "UPDATE {log}.itinerary_events SET data = "
        "convert_to(replace(convert_from(data, 'UTF8'), 'A 1', 'B 1'), 'UTF8') WHERE version = 2",
    )
    with pytest.raises(
        StoreError, match=r"\?log=\w+: version 2: damaged: its checksum does not match"
    ):
        store.load()


def test_a_changed_dictionary_entry_is_refused_as_damage(postgres_url: str) -> None:
    """A place changed in the dictionary after it was written is refused, naming the entry."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 3))
    _sql(
        store,
        "UPDATE {log}.itinerary_dictionary SET data = "
        "convert_to(replace(convert_from(data, 'UTF8'), 'Tokyo', 'Kyoto'), 'UTF8')",
    )
    with pytest.raises(StoreError, match=r"dictionary entry \d: damaged: its checksum"):
        store.load()


def test_a_lost_tail_is_refused_and_not_written_over(postgres_url: str) -> None:
    """Events deleted after writing: load and extend refuse the store, and nothing is written."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 3))
    _sql(store, "DELETE FROM {log}.itinerary_events WHERE version = 3")
    with pytest.raises(StoreError, match="its last event is version 2, but the store recorded '3'"):
        store.load()
    with pytest.raises(StoreError, match="events lost or added after writing"):
        store.extend(batch("B", 1))
    assert store.version == 2


def test_a_newer_format_is_refused(postgres_url: str) -> None:
    """A log whose meta table records an unknown format is refused, naming it."""
    store = PostgresStore(postgres_url)
    _sql(store, "UPDATE {log}.itinerary_meta SET value = '9' WHERE key = 'format'")
    with pytest.raises(
        StoreError,
        match=r"store format '9', but this version of itinerary reads PostgreSQL formats 1",
    ):
        PostgresStore(postgres_url, create=False)


def test_a_missing_log_is_not_created_without_create(
    postgres_url: str, postgres_server: LocalServer
) -> None:
    """create=False refuses a log that does not exist, and creates nothing."""
    log = postgres_url.rsplit("=", 1)[1]
    with pytest.raises(StoreError, match=f"no such store: the database has no log '{log}'"):
        PostgresStore(postgres_url, create=False)
    found = postgres_server.sql(
        f"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{log}'"
    )
    assert found == "0"


def test_a_foreign_schema_is_refused_and_left_alone(
    postgres_url: str, postgres_server: LocalServer
) -> None:
    """A schema holding other tables is not an itinerary log: refused, nothing written to it."""
    log = postgres_url.rsplit("=", 1)[1]
    postgres_server.sql(f'CREATE SCHEMA "{log}"')
    postgres_server.sql(f'CREATE TABLE "{log}".notes (body text)')
    with pytest.raises(
        StoreError, match=r"not an itinerary store: schema '\w+' lacks the .* \(its tables: notes\)"
    ):
        PostgresStore(postgres_url, create=False)
    tables = postgres_server.sql(
        f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{log}'"
    )
    assert tables == "notes"


def test_two_logs_in_one_database_are_separate(postgres_server: LocalServer) -> None:
    """Two URLs that differ only in ?log= are two stores: what one holds the other does not."""
    with (
        PostgresStore(new_log_url(postgres_server)) as one,
        PostgresStore(new_log_url(postgres_server)) as two,
    ):
        one.extend(batch("A", 3))
        two.extend(batch("B", 2))
        assert exact(one.load()) == exact(EventLog(batch("A", 3)))
        assert exact(two.load()) == exact(EventLog(batch("B", 2)))


@pytest.mark.parametrize("log", ["Tour", "1st", "a-b", "x" * 41, ""])
def test_a_bad_log_name_is_refused(postgres_server: LocalServer, log: str) -> None:
    """A log name that is not a plain lowercase identifier is refused before connecting."""
    with pytest.raises(StoreError, match="log must be 1 to 40 lowercase letters"):
        PostgresStore(postgres_server.url() + f"?log={log}")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_open_store_opens_a_url(postgres_server: LocalServer, scheme: str) -> None:
    """open_store() gives a PostgresStore for postgresql:// and postgres:// URLs."""
    url = new_log_url(postgres_server).replace("postgresql", scheme, 1)
    with open_store(url) as store:
        assert isinstance(store, PostgresStore)
        assert isinstance(store, EventStore)
        store.extend(batch("A", 2), expected_version=0)
    with open_store(url, create=False) as store:
        assert exact(store.load()) == exact(EventLog(batch("A", 2)))


def test_a_closed_store_says_so(postgres_url: str) -> None:
    """Using a closed store raises StoreError, not a driver's error."""
    store = PostgresStore(postgres_url)
    store.close()
    with pytest.raises(StoreError, match="the store is closed"):
        store.version  # noqa: B018 - the property is what is tested


def test_without_psycopg_the_extra_is_named(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without psycopg installed, opening a store says to install itinerary[postgres]."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtraError, match=r'pip install "itinerary\[postgres\]"'):
        PostgresStore(postgres_url)


# -- passwords -------------------------------------------------------------------------


@given(password=st.text(alphabet="abcXYZ019!$&'()*+,;=:-._~", min_size=12, max_size=30))
def test_masked_url_hides_any_password_and_keeps_the_rest(password: str) -> None:
    """masked_url() shows the password as *** and keeps the user, host, database and query."""
    from urllib.parse import quote  # noqa: PLC0415

    url = f"postgresql://ann:{quote(password, safe='')}@db.example:5433/tours?log=asia"
    shown = masked_url(url)
    assert shown == "postgresql://ann:***@db.example:5433/tours?log=asia"
    assert password not in shown


def test_a_password_in_the_query_is_masked() -> None:
    """A password given as a query parameter is masked too."""
    shown = masked_url(f"postgresql://db.example/tours?password={SECRET}&log=asia")
    assert SECRET not in shown
    assert shown == "postgresql://db.example/tours?password=***&log=asia"


def _refused_url() -> str:
    """A URL with a password, on a local port where no server listens."""
    return f"postgresql://ann:{SECRET}@127.0.0.1:{free_port()}/tours?log=asia"


def test_a_refused_connection_is_a_store_error_without_the_password() -> None:
    """No server at the URL: StoreError naming the URL, its password masked everywhere."""
    url = _refused_url()
    with pytest.raises(StoreError) as info:
        PostgresStore(url)
    message = str(info.value)
    assert message.startswith("postgresql://ann:***@127.0.0.1:")
    assert "cannot connect" in message
    assert "Connection refused" in message
    assert info.value.__cause__ is None
    assert SECRET not in "".join(traceback.format_exception(info.value))


def test_repr_masks_the_password(postgres_server: LocalServer) -> None:
    """A store's repr shows its URL with the password masked."""
    url = new_log_url(postgres_server, password=SECRET)
    with PostgresStore(url) as store:
        assert SECRET not in repr(store)
        assert repr(store).startswith("<PostgresStore postgresql://postgres:***@127.0.0.1:")


def test_the_cli_on_a_refused_url_prints_one_line() -> None:
    """The CLI's check on a URL with no server: one line on stderr, status 2, no password."""
    done = subprocess.run(
        [sys.executable, "-m", "itinerary", "check", _refused_url()],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("itinerary: postgresql://ann:***@127.0.0.1:")
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stderr


_PASSWORDS = st.text(min_size=1, max_size=20).map(lambda text: "Zq9" + text)
"""Passwords of any text (marked, so that one is never part of the rest of the URL)."""


def _where_shown(url: str) -> str:
    """masked_url(*url*), and what opening it says (the port is refused, if it gets there)."""
    try:
        PostgresStore(url)
    except StoreError as exc:
        return masked_url(url) + "\n" + "".join(traceback.format_exception(exc))
    raise AssertionError("opened a store on a refused port")


@settings(max_examples=30, deadline=None)
@given(
    password=_PASSWORDS,
    key=st.sampled_from(["password", "Password", "PASSWORD", "sslpassword", "oauth_client_secret"]),
)
def test_no_password_text_is_ever_shown(password: str, key: str) -> None:
    """For any password text, raw or encoded, in the URL or its query, none of it is shown."""
    port = free_port()
    urls = [
        f"postgresql://ann:{password}@127.0.0.1:{port}/db?log=asia",
        f"postgresql://ann:{quote(password, safe='')}@127.0.0.1:{port}/db?log=asia",
        f"postgresql://127.0.0.1:{port}/db?{key}={quote(password, safe='')}&log=asia",
    ]
    for url in urls:
        assert password not in _where_shown(url)
        assert quote(password, safe="") not in _where_shown(url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ann:pa/ss@h:5432/db", "postgresql://ann:***@h:5432/db"),
        ("postgresql://ann:pa#ss@h/db", "postgresql://ann:***@h/db"),
        ("postgresql://ann:pa?ss@h/db", "postgresql://ann:***@h/db"),
        ("postgresql://ann:p@ss@h/db", "postgresql://ann:***@h/db"),
        ("postgresql://h/db?Password=pass&log=x", "postgresql://h/db?Password=***&log=x"),
        ("postgresql://h/db?application_name=a@pass", "postgresql://***"),
        ("postgresql:/ann:pass@h/db", "postgresql:***"),
        ("postgresql+psycopg://ann:pass@h/db", "postgresql+psycopg://ann:***@h/db"),
    ],
)
def test_masked_url_masks_as_libpq_reads(url: str, shown: str) -> None:
    """A password libpq would read (up to the last @, in a query key of any case) is masked."""
    assert masked_url(url) == shown


@pytest.mark.parametrize(
    "dbname",
    [
        "?dbname=host%3D127.0.0.1%20port%3D1%20user%3Dann%20password%3D{}",
        "?DBNAME=password={}",
        "?dbname=postgresql%3A%2F%2Fann%3A{}%40h%2Fx",
        "host%3D127.0.0.1%20password%3D{}",
        "postgres:%2F%2Fann:{}%40h%2Fx?log=asia",
    ],
)
def test_a_dbname_holding_a_connection_string_is_refused_masked(dbname: str) -> None:
    """A dbname libpq would expand (its own password) is masked wherever shown, and refused."""
    url = f"postgresql://127.0.0.1:{free_port()}/" + dbname.format(SECRET)
    assert SECRET not in masked_url(url)
    with pytest.raises(StoreError, match="database name is a connection string") as info:
        PostgresStore(url)
    assert SECRET not in "".join(traceback.format_exception(info.value))
    code, out, err = _cli("replay", url)
    assert (code, out) == (2, "")
    assert SECRET not in err
    assert err.count("\n") == 1


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_plain_dbname_is_kept() -> None:
    """A database's name (no '=', no URL) is shown as given."""
    assert masked_url("postgresql://h/tours?dbname=asia") == "postgresql://h/tours?dbname=asia"


def test_a_url_that_is_not_utf8_is_a_store_error() -> None:
    """A URL with bytes that are not UTF-8 (as a shell may pass them) is refused, masked."""
    url = f"postgresql://ann:{SECRET}\udcff@127.0.0.1:{free_port()}/tours"
    with pytest.raises(StoreError, match="not a valid URL: not UTF-8") as info:
        PostgresStore(url)
    assert str(info.value).startswith("postgresql://ann:***@127.0.0.1:")
    assert SECRET not in str(info.value)


def test_the_store_keeps_no_password_in_its_attributes(postgres_server: LocalServer) -> None:
    """vars(store) (what a traceback's locals show) holds no password; path reopens it."""
    url = new_log_url(postgres_server, password=SECRET)
    with PostgresStore(url) as store:
        assert SECRET not in repr(vars(store))
        assert SECRET not in repr(store)
        assert store.path == url
        with open_store(store.path, create=False) as again:
            assert again.version == 0


def test_query_parameters_reach_libpq_as_written(postgres_server: LocalServer) -> None:
    """%20 is a space and + a plus sign, as libpq reads them; log is decoded the same way."""
    url = (
        new_log_url(postgres_server)
        + "&application_name=tour%20desk+1&options=-c%20statement_timeout%3D5000"
    )
    with PostgresStore(url) as store:
        conn = store._conn()
        assert conn.execute("SHOW application_name").fetchone() == ("tour desk+1",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5s",)
    with PostgresStore(postgres_server.url() + "?log=sp%5Fdesk") as store:
        assert store.log == "sp_desk"


def _server_processes(server: LocalServer) -> list[int]:
    """The server's postmaster and its children (its backends and background workers)."""
    with open(os.path.join(server.folder, "data", "postmaster.pid"), encoding="utf-8") as file:
        postmaster = int(file.readline())
    children = subprocess.run(
        ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False
    ).stdout.split()
    return [postmaster, *map(int, children)]


@contextlib.contextmanager
def _frozen(server: LocalServer) -> Iterator[None]:
    """The server stopped (SIGSTOP, as a hung machine), then continued (SIGCONT)."""
    pids = _server_processes(server)
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def test_a_frozen_server_is_a_store_error_in_bounded_time() -> None:
    """A frozen server fails reads, writes and waits within the timeout, then works again."""
    with LocalServer() as server, contextlib.ExitStack() as stack:
        url = server.url() + "?log=frozen&connect_timeout=2"
        stores = [stack.enter_context(PostgresStore(url, timeout=1)) for _ in range(5)]
        stores[0].extend(batch("a", 3))
        assert stores[4].wait_for_news(3, 0.01) is False  # its listener is connected
        attempts: list[Callable[[], object]] = [
            lambda: stores[0].version,
            stores[1].load,
            lambda: stores[2].extend(batch("b", 1), expected_version=3),
            lambda: stores[3].read_after(0),
            lambda: stores[4].wait_for_news(3, 5.0),
        ]
        with _frozen(server):
            for attempt in attempts:
                began = time.monotonic()
                with pytest.raises(StoreError, match=r"did not answer in 1 s") as info:
                    attempt()
                assert time.monotonic() - began < 3, str(info.value)
                assert str(info.value).startswith(stores[0].where)
            began = time.monotonic()
            with pytest.raises(StoreError, match="cannot connect"):  # connect_timeout
                stores[0].version  # noqa: B018 - the property is what is tested
            assert time.monotonic() - began < 4
        for store in stores:
            assert store.version == 3
            assert len(store.load()) == 3


def test_timeout_must_be_positive(postgres_url: str) -> None:
    """A timeout of 0 or less is refused before connecting."""
    with pytest.raises(StoreError, match="timeout must be"):
        PostgresStore(postgres_url, timeout=0)


# -- the command line ------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_exports_to_a_url_and_reads_it_back(postgres_server: LocalServer) -> None:
    """Exporting --to a URL, then check, replay and agenda read the URL as they read a file."""
    url = new_log_url(postgres_server, password=SECRET)
    code, out, err = _run("export", EXAMPLE, "--to", url)
    assert (code, err) == (0, "")
    assert out.startswith("Wrote ")
    assert out.rstrip().endswith("?log=" + url.rsplit("=", 1)[1])
    assert SECRET not in out
    for command in (["check"], ["replay"], ["agenda", "--tz", "Asia/Tokyo"]):
        from_url = _run(*command, url)
        from_file = _run(*command, EXAMPLE)
        assert from_url[0] == from_file[0]
        assert from_url[1] == from_file[1], command
    code, _, err = _run("export", EXAMPLE, "--to", url)
    assert code == 2
    assert "already holds" in err
    assert SECRET not in err


# -- contention ------------------------------------------------------------------------

PROCESSES = 8
ATTEMPTS = 300


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.test_store_postgres", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def test_eight_processes_contend_and_nothing_is_lost_or_doubled(
    postgres_url: str, tmp_path: Path
) -> None:
    """8 processes x 300 appends at expected versions: every win kept once, every loss told."""
    PostgresStore(postgres_url).close()
    go = tmp_path / "go"
    children = [
        _spawn("contend", postgres_url, f"p{n}", str(ATTEMPTS), str(go)) for n in range(PROCESSES)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    go.touch()
    reports = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        reports.append(json.loads(out))
    with PostgresStore(postgres_url, create=False) as store:
        names = [event.who for event in store.load()]
    won = [f"{r['name']} {i}" for r in reports for i in r["won"]]
    assert sum(r["attempts"] for r in reports) == PROCESSES * ATTEMPTS
    for report in reports:  # every attempt either stored its event or was told why not
        assert report["wins"] + report["conflicts"] == report["attempts"] == ATTEMPTS
    assert len(names) == len(set(names))  # 0 duplicated
    assert sorted(names) == sorted(won)  # 0 lost, nothing stored that was not a win
    assert sum(r["conflicts"] for r in reports) > 0  # the contention was real
    for report in reports:  # each process's events in the order it stored them
        mine = [n for n in names if n.split()[0] == report["name"]]
        assert mine == [f"{report['name']} {i}" for i in report["won"]]


# -- a server that goes away -----------------------------------------------------------


def _cut_mid_write(store: PostgresStore, cut: Any) -> None:
    """Make the store's next write call *cut()* once half of its rows are sent."""
    write = store._write_events

    def feed(cursor: Any, rows: Any) -> None:
        rows = list(rows)

        def halves() -> Any:
            for number, row in enumerate(rows):
                if number == len(rows) // 2:
                    cut()
                yield row

        write(cursor, halves())

    store._write_events = feed  # type: ignore[method-assign]


def test_a_backend_killed_mid_write_stores_nothing(postgres_server: LocalServer) -> None:
    """The server ends the connection mid-extend: StoreError (password masked), nothing kept."""
    url = new_log_url(postgres_server, password=SECRET)
    store = PostgresStore(url)
    store.extend(batch("before", 10))
    pid = store._db.info.backend_pid  # type: ignore[union-attr]
    _cut_mid_write(store, lambda: postgres_server.sql(f"SELECT pg_terminate_backend({pid})"))
    with pytest.raises(StoreError) as info:
        store.extend(batch("big", 20_000, start=10), expected_version=10)
    message = str(info.value)
    assert message.startswith("postgresql://postgres:***@127.0.0.1:")
    assert "nothing was stored: the connection to the server was lost" in message
    assert SECRET not in "".join(traceback.format_exception(info.value))
    store._write_events = PostgresStore._write_events.__get__(store)  # type: ignore[method-assign]
    assert store.version == 10  # the store connects again
    assert exact(store.load()) == exact(EventLog(batch("before", 10)))
    assert store.extend(batch("after", 2), expected_version=10) == 12
    store.close()  # the test's frame, its ExceptionInfo and the store are a cycle: close now


def test_a_connection_lost_while_committing_says_so(postgres_server: LocalServer) -> None:
    """Lost at the COMMIT itself: StoreError says all or none was stored, load to see."""
    store = PostgresStore(new_log_url(postgres_server, password=SECRET))
    store.extend(batch("before", 3))
    conn = store._db
    assert conn is not None
    pid = conn.info.backend_pid
    begin = conn.transaction

    @contextlib.contextmanager
    def doomed() -> Iterator[Any]:
        with begin() as transaction:
            yield transaction
            postgres_server.sql(f"SELECT pg_terminate_backend({pid})")  # then the COMMIT

    conn.transaction = doomed  # type: ignore[method-assign]
    with pytest.raises(StoreError) as info:
        store.extend(batch("lost", 5, start=3), expected_version=3)
    message = str(info.value)
    assert "the connection was lost while committing" in message
    assert "stored whole or not at all; load the store to see which" in message
    assert SECRET not in message
    assert exact(store.load()) == exact(EventLog(batch("before", 3)))  # here: none of it
    store.close()


def test_a_server_stopped_mid_write_stores_nothing() -> None:
    """The server stops (as if it crashed) mid-extend: StoreError; after restart, none of it."""
    with LocalServer() as server:
        url = new_log_url(server, password=SECRET)
        store = PostgresStore(url)
        store.extend(batch("before", 10))
        _cut_mid_write(store, server.halt)
        with pytest.raises(StoreError) as info:
            store.extend(batch("big", 20_000, start=10), expected_version=10)
        message = str(info.value)
        assert message.startswith("postgresql://postgres:***@127.0.0.1:")
        assert "nothing was stored" in message
        assert SECRET not in "".join(traceback.format_exception(info.value))
        with pytest.raises(StoreError, match="cannot connect"):  # while it is down
            store.version  # noqa: B018 - the property is what is tested
        store.close()
        server.start()
        with PostgresStore(url, create=False) as again:
            assert exact(again.load()) == exact(EventLog(batch("before", 10)))


# -- the hooks subscriptions use -------------------------------------------------------


def test_read_after_gives_the_events_after_a_version(postgres_url: str) -> None:
    """read_after(v, n) is the events at versions v+1 .. v+n, or to the end."""
    store = PostgresStore(postgres_url)
    events = batch("A", 6)
    store.extend(events[:4])
    store.extend(events[4:])
    for after in range(7):
        assert exact(EventLog(store.read_after(after))) == exact(EventLog(events[after:]))
        for limit in range(4):
            got = store.read_after(after, limit)
            assert exact(EventLog(got)) == exact(EventLog(events[after : after + limit]))


def test_read_after_beyond_the_store_is_refused(postgres_url: str) -> None:
    """read_after past the last version raises StoreError saying how many events there are."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 3))
    assert store.read_after(3) == []
    with pytest.raises(StoreError, match="holds 3 events, fewer than version 5"):
        store.read_after(5)
    with pytest.raises(VersionError, match="after must be a version"):
        store.read_after(-1)


def test_read_after_reads_a_place_added_by_another_writer(postgres_url: str) -> None:
    """A place first stored by another connection is in the dictionary read_after uses."""
    reader = PostgresStore(postgres_url)
    reader.extend(batch("A", 1))
    assert len(reader.read_after(0)) == 1
    from itinerary.places import SEOUL  # noqa: PLC0415

    arrived = Arrived("B", SEOUL, SEOUL.at("2025-10-29 09:00"))
    with PostgresStore(postgres_url) as writer:
        writer.append(arrived)
    assert exact(EventLog(reader.read_after(1))) == exact(EventLog([arrived]))


def test_read_after_refuses_damage(postgres_url: str) -> None:
    """read_after checks each row's checksum as load does."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 3))
    _sql(store, "UPDATE {log}.itinerary_events SET crc = crc + 1 WHERE version = 3")
    assert len(store.read_after(0, 2)) == 2
    with pytest.raises(StoreError, match="version 3: damaged"):
        store.read_after(2)


def test_wait_for_news_returns_at_once_if_there_is_news(postgres_url: str) -> None:
    """A store already past *seen* wakes the waiter at once."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 2))
    started = time.monotonic()
    assert store.wait_for_news(1, timeout=30) is True
    assert time.monotonic() - started < 5


def test_a_writer_in_another_process_wakes_the_waiter(postgres_url: str, tmp_path: Path) -> None:
    """A commit in another process wakes a waiting wait_for_news long before its timeout."""
    store = PostgresStore(postgres_url)
    assert store.wait_for_news(0, timeout=0.01) is False  # listening from now on
    go = tmp_path / "go"
    child = _spawn("write-later", postgres_url, str(go))
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    go.touch()  # the child waits 0.3 s, then appends one event
    started = time.monotonic()
    assert store.wait_for_news(0, timeout=60) is True
    waited = time.monotonic() - started
    child.communicate(timeout=30)
    assert child.returncode == 0
    assert waited < 10
    assert exact(EventLog(store.read_after(0))) == exact(EventLog(batch("late", 1)))


def test_a_rolled_back_write_wakes_nobody(postgres_url: str) -> None:
    """A notification in a transaction that rolls back is never delivered: the wait times out."""
    store = PostgresStore(postgres_url)
    assert store.wait_for_news(0, timeout=0.01) is False
    with psycopg.connect(store.path.split("?", 1)[0], autocommit=True) as conn:
        with pytest.raises(RuntimeError), conn.transaction():  # noqa: PT012
            conn.execute("SELECT pg_notify(%s, '1')", (store.channel,))
            raise RuntimeError("roll back")
        started = time.monotonic()
        assert store.wait_for_news(0, timeout=0.5) is False
        assert time.monotonic() - started >= 0.45


def test_an_old_notification_wakes_nobody(postgres_url: str) -> None:
    """A notification of a version the waiter has seen does not wake it."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 3))
    assert store.wait_for_news(3, timeout=0.01) is False
    with psycopg.connect(store.path.split("?", 1)[0], autocommit=True) as conn:
        conn.execute("SELECT pg_notify(%s, '2')", (store.channel,))
    assert store.wait_for_news(3, timeout=0.3) is False


def test_a_failed_extend_wakes_nobody(postgres_url: str) -> None:
    """An extend refused as stale notifies nobody."""
    store = PostgresStore(postgres_url)
    store.extend(batch("A", 2))
    assert store.wait_for_news(2, timeout=0.01) is False
    with PostgresStore(postgres_url) as other, pytest.raises(ConcurrencyError):
        other.extend(batch("B", 1), expected_version=0)
    assert store.wait_for_news(2, timeout=0.3) is False


# -- child processes -------------------------------------------------------------------


def _contend(url: str, name: str, attempts: int, go: Path) -> None:  # pragma: no cover
    """Append *attempts* events at the version just read; report wins and conflicts."""
    store = PostgresStore(url, create=False)
    at = TOKYO.at("2025-10-27 00:00")
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    won: list[int] = []
    conflicts = 0
    for attempt in range(attempts):
        version = store.version  # reload the version, then decide again
        try:
            store.append(Arrived(f"{name} {attempt}", TOKYO, at), expected_version=version)
        except ConcurrencyError:
            conflicts += 1
        else:
            won.append(attempt)
    store.close()
    report = {
        "name": name,
        "attempts": attempts,
        "wins": len(won),
        "conflicts": conflicts,
        "won": won,
    }
    print(json.dumps(report), flush=True)


def _write_later(url: str, go: Path) -> None:  # pragma: no cover
    store = PostgresStore(url, create=False)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    time.sleep(0.3)
    store.append(batch("late", 1)[0], expected_version=0)
    store.close()


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1] == "contend":
        _contend(sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
    else:
        _write_later(sys.argv[2], Path(sys.argv[3]))
