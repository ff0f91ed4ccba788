"""Fuzzing the loaders: damaged scenarios and stores raise only library errors, never load wrong.

The mutations are benchmarks/fuzz.py's (``python -m benchmarks.fuzz`` runs 10,000 scenarios
and 2,000 stores of each kind); here hypothesis draws them at the profile's size. The inputs
that broke the loaders before are kept as examples.
"""

from __future__ import annotations

import contextlib
import functools
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from benchmarks import fuzz
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itinerary import EventLog, check, replay
from itinerary.agenda import agenda, format_agenda
from itinerary.cli import main as cli
from itinerary.errors import ItineraryError, ScenarioError, StoreError
from itinerary.scenarios import dumps_scenario, load_scenario, loads_scenario
from itinerary.store import JsonlStore, SQLiteStore, open_store
from tests.store_contract import exact, sealed

EXAMPLE = fuzz.EXAMPLES[0]
TOUR = load_scenario(EXAMPLE).log
TEXTS = tuple(path.read_text() for path in fuzz.EXAMPLES)
_K = 10**3  # sizes as powers: see the note in benchmarks/fuzz.py
_AT = 17615502 * 10**8
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _uses_the_scenario(text: str) -> None:
    """Load *text*; if it loads, it round-trips and replays, shows and checks (or says why not)."""
    try:
        scenario = loads_scenario(text)
    except ScenarioError:
        return
    assert loads_scenario(dumps_scenario(scenario)).log == scenario.log
    try:
        replay(scenario.log)
        format_agenda(agenda(scenario.log))
        check(scenario.log)
    except ItineraryError:
        pass


@FUZZ
@given(st.sampled_from(TEXTS), st.randoms(use_true_random=False))
def test_a_damaged_scenario_raises_only_scenario_errors(text: str, rng: random.Random) -> None:
    """Swapped values, flipped bytes, cuts, nesting, huge numbers: ScenarioError or it round-trips."""
    _uses_the_scenario(fuzz.mutate_scenario(text, rng))


_ARRIVAL = '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\nat = {}\n'


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "{ a = " * (34 * 10) + "1" + " }" * (34 * 10),  # RecursionError in tomllib
        "x = [" + "[" * (5 * _K) + "]" * (5 * _K) + "]",
        "x = " + "1" * (43 * 10**2 + 1),  # ValueError: int() of more than 4,300 digits
        TEXTS[0].replace(
            'title = "Asia tour', "lat = " + "9" * (4 * 10**2) + '\ntitle = "Asia tour'
        ),
        '[places.P]\ncountry = "C"\ntz = "UTC"\nlat = ' + "9" * (4 * _K),  # OverflowError
        TEXTS[0].replace('within = "P6M"', 'within = "P1' + "0" * (43 * 10**2) + 'D"'),
        TEXTS[0].replace('within = "P6M"', "within = { days = " + "9" * (4 * 10**2) + " }"),
        _ARRIVAL.format('"9999-12-31 23:59 UTC"'),  # loaded, then crashed replay
        _ARRIVAL.format('"0001-01-01 00:00 UTC"'),
    ],
)
def test_inputs_that_broke_the_scenario_reader_are_scenario_errors(text: str) -> None:
    """Each scenario that once raised another exception (or loaded, then crashed) is refused."""
    with pytest.raises(ScenarioError):
        loads_scenario(text)


@functools.cache
def _template(kind: str) -> Path:
    """A store of the tour, written in batches of three, for damaged copies to be made of."""
    folder = Path(tempfile.mkdtemp(prefix="itinerary-fuzz-"))
    path = folder / f"template.{kind}"
    store = SQLiteStore(path, synchronous="OFF") if kind == "sqlite" else JsonlStore(path)
    with store:
        for i in range(0, TOUR.version, 3):
            store.extend(TOUR[i : i + 3], expected_version=i)
    if kind == "sqlite":
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA journal_mode=DELETE")  # one file to copy
        db.close()
    return path


def _loads_exactly_or_refuses(path: Path, *, torn_ok: bool = False) -> None:
    """Loading *path* gives the tour exactly, or raises StoreError (or, if *torn_ok*, a prefix)."""
    try:
        with open_store(path, create=False) as store:
            log = store.load()
    except StoreError:
        return
    if torn_ok and log.version < TOUR.version:
        assert exact(log) == exact(TOUR.upto(log.version))
        return
    assert exact(log) == exact(TOUR)


@FUZZ
@given(st.randoms(use_true_random=False))
def test_a_damaged_sqlite_store_loads_exactly_or_raises_store_error(rng: random.Random) -> None:
    """Cells of other types or shapes, flipped bits, a damaged schema: StoreError or the log."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.sqlite"
        shutil.copyfile(_template("sqlite"), path)
        columns = ["version", "type", "schema", "data", "crc"]
        fuzz.damage_sqlite(path, rng, TOUR.version, columns)
        # Cut to 0 bytes, it is an empty file, which is an empty store (as in docs/store.md).
        _loads_exactly_or_refuses(path, torn_ok=path.stat().st_size == 0)


@FUZZ
@given(st.randoms(use_true_random=False))
def test_a_damaged_jsonl_store_loads_exactly_or_raises_store_error(rng: random.Random) -> None:
    """Changed JSON, flipped bits, cuts: StoreError, the log, or the log before a torn batch."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.jsonl"
        original = _template("jsonl").read_bytes()
        damaged, _ = fuzz.damage_jsonl(original, rng)
        path.write_bytes(damaged)
        # A cut (the file's first bytes only) loads the batches before it, like a torn write;
        # found on CI's seed 393836356: a cut exactly between two batches, which no line shows.
        cut = original.index(b"\n") < len(damaged) < len(original) and original.startswith(damaged)
        torn = cut or not damaged.endswith(b"\n") or fuzz._last_line_torn(damaged)
        _loads_exactly_or_refuses(path, torn_ok=torn)


_PLACE = ["Tokyo", "Japan", "Asia/Tokyo", 35.6762, 139.6503]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("who", None),  # loaded as the person "None"
        ("who", True),  # loaded as the person "True"
        ("at", [_AT, "+1:2:3:4"]),  # read as +01:02:03
        ("at", [_AT, ["Asia/Tokyo"]]),
        ("place", [*_PLACE[:3], 10**30, None]),
        ("place", "Tokyo"),
        ("at", [fuzz.HUGE, "UTC"]),
    ],
)
def test_records_that_loaded_wrong_or_crashed_are_store_errors(
    tmp_path: Path, field: str, value: object
) -> None:
    """Each record that once loaded as something else (or crashed) is refused, even sealed."""
    path = tmp_path / "one.jsonl"
    with JsonlStore(path) as store:
        store.extend(TOUR[3:4])  # an arrival
    header, line, _ = path.read_text().split("\n")
    record = fuzz.json.loads(line)
    record["data"][field] = value
    body = sealed(record)
    if field == "at" and value == [fuzz.HUGE, "UTC"]:
        body = body.replace('"' + fuzz.HUGE + '"', fuzz.HUGE)
    path.write_text(f"{header}\n{body}\n")
    with pytest.raises(StoreError):
        JsonlStore(path, create=False).load()


@pytest.mark.parametrize(
    "data",
    [None, b"[" * 10**5 + b"]" * 10**5, b'{"who":"A","place":' + b"9" * (5 * _K) + b"}", b"\xff"],
)
def test_sqlite_rows_that_crashed_the_loader_are_store_errors(tmp_path: Path, data: object) -> None:
    """NULL data, deep nesting, a 5,000-digit number, bytes that are not UTF-8: StoreError."""
    path = tmp_path / "s.sqlite"
    shutil.copyfile(_template("sqlite"), path)
    with sqlite3.connect(path) as db:  # a damaged schema lets a NULL in
        db.execute("PRAGMA writable_schema = ON")
        db.execute(
            "UPDATE sqlite_master SET sql = replace(sql, 'data BLOB NOT NULL', 'data BLOB') "
            "WHERE name = 'itinerary_events'"
        )
    db.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE itinerary_events SET data = ? WHERE version = 2", (data,))
    db.close()
    with SQLiteStore(path, create=False) as store, pytest.raises(StoreError, match="version 2"):
        store.load()


@FUZZ
@given(st.randoms(use_true_random=False), st.sampled_from(["replay", "agenda", "check"]))
def test_the_cli_never_prints_a_traceback_on_a_damaged_file(
    rng: random.Random, command: str
) -> None:
    """On a damaged scenario or store, every read command exits 0, 1 or 2, with no traceback."""
    with tempfile.TemporaryDirectory() as folder:
        kind = rng.choice(["toml", "sqlite", "jsonl"])
        path = Path(folder) / f"damaged.{kind}"
        if kind == "toml":
            path.write_text(fuzz.mutate_scenario(rng.choice(TEXTS), rng), encoding="utf-8")
        elif kind == "sqlite":
            shutil.copyfile(_template("sqlite"), path)
            fuzz.damage_sqlite(
                path, rng, TOUR.version, ["version", "type", "schema", "data", "crc"]
            )
        else:
            path.write_bytes(fuzz.damage_jsonl(_template("jsonl").read_bytes(), rng)[0])
        result = CliRunner().invoke(cli, [command, str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_templates_hold_the_tour() -> None:
    """The undamaged copies load as the tour, so a damaged one that loads equal is undamaged."""
    for kind in ("sqlite", "jsonl"):
        with open_store(_template(kind), create=False) as store:
            assert exact(store.load()) == exact(TOUR)
    assert isinstance(TOUR, EventLog)


@FUZZ
@given(
    payload=st.lists(st.sampled_from(fuzz.INJECTIONS), min_size=1, max_size=3).map("".join),
    template=st.sampled_from(fuzz.ARGUMENTS),
)
def test_an_injected_argument_never_reaches_the_terminal_raw(
    payload: str, template: tuple[str, ...]
) -> None:
    """OSC, BEL, CR, LF or bidi controls in a FILE, URL or option: escaped, one error line."""
    tally = fuzz.Tally()
    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        with _chdir(folder_path):
            args = [a.format(p=payload, e=EXAMPLE) for a in template]
            for arg in args:
                if arg.startswith("bad") and "/" not in arg:  # a "/" would name a folder
                    Path(arg).write_bytes(b"not a store")
            fuzz._cli_run(args, tally)
    assert tally.bugs == {}


def _chdir(path: Path) -> contextlib.AbstractContextManager[None]:
    return contextlib.chdir(path)


@pytest.mark.parametrize(
    "args",
    [
        ("replay", "x\ny.sqlite"),
        ("check", "a\x1b]0;pwned\x07.toml"),
        ("follow", "postgresql://h\x1b]0;x\x07:1/db"),
        ("export", str(EXAMPLE), "--to", "o\r\x1b[2J\u202e.unknown"),
    ],
)
def test_arguments_that_reached_the_terminal_raw_are_escaped(args: tuple[str, ...]) -> None:
    """The reproducers of issue 23 (item 5): each error is one line, its controls written out."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert not fuzz.RAW_CONTROL.search(result.stderr)


@FUZZ
@given(st.randoms(use_true_random=False))
def test_injected_names_never_reach_text_html_or_the_cli_raw(rng: random.Random) -> None:
    """Payloads in names and titles: every output (text, HTML, reprs, the CLI) escapes them."""
    tally = fuzz.Tally()
    with tempfile.TemporaryDirectory() as folder:
        fuzz.injected_names(1, rng.randrange(10**6), Path(folder), tally, cli_every=1)
    assert tally.bugs == {}


@FUZZ
@given(st.randoms(use_true_random=False))
def test_a_random_plan_file_loads_simulates_or_raises_library_errors(rng: random.Random) -> None:
    """Every step kind and delay form, extreme parameters: library errors only, engines agree."""
    from itinerary.sim import Disruptions  # noqa: PLC0415

    tally = fuzz.Tally()
    text = fuzz.random_plan(rng)
    try:
        scenario = loads_scenario(text)
    except ScenarioError:
        return
    assert scenario.plan is not None
    fuzz._simulations(scenario.plan, scenario.disruptions or Disruptions(), 0, tally, text)
    assert tally.bugs == {}


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # CJK names, DejaVu Sans
@settings(FUZZ, max_examples=10)
@given(st.randoms(use_true_random=False))
def test_payloads_reach_no_png_label_nor_ics_raw(rng: random.Random) -> None:
    """Control characters, mathtext and long names: drawn and written escaped, read back twice."""
    tally = fuzz.Tally()
    with tempfile.TemporaryDirectory() as folder:
        fuzz.outputs(1, rng.randrange(2**32), Path(folder), tally, cli_every=2)
    assert tally.bugs == {}
    assert tally.counts["PNGs drawn"] == 1


@functools.cache
def _arrow_folder() -> tempfile.TemporaryDirectory[str]:
    """The folder of the Arrow template, removed when the tests end (kept here till then)."""
    return tempfile.TemporaryDirectory(prefix="itinerary-fuzz-")


@functools.cache
def _arrow_template() -> Path:
    """An Arrow store (.arrows) of the tour, written in batches of three."""
    from itinerary.store import ArrowStore  # noqa: PLC0415 - the arrow extra

    path = Path(_arrow_folder().name) / "template.arrows"
    with ArrowStore(path) as store:
        for i in range(0, TOUR.version, 3):
            store.extend(TOUR[i : i + 3], expected_version=i)
    return path


@FUZZ
@given(st.randoms(use_true_random=False))
def test_a_damaged_arrow_store_loads_exactly_or_raises_store_error(rng: random.Random) -> None:
    """Flipped bits, a zeroed sector: StoreError or the log; a cut: the batches before the cut."""
    content = _arrow_template().read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.arrows"
        damaged, _ = fuzz.damage_arrow(content, rng)
        path.write_bytes(damaged)
        if len(damaged) == len(content):
            _loads_exactly_or_refuses(path)
            return
        with open_store(path, create=False) as store:
            log = store.load()  # a cut file is a torn write: never refused
        assert log.version % 3 == 0 or log.version == TOUR.version  # whole batches of three
        assert exact(log) == exact(TOUR.upto(log.version))


@FUZZ
@given(st.randoms(use_true_random=False), st.sampled_from(["replay", "agenda", "check"]))
def test_the_cli_never_prints_a_traceback_on_a_damaged_arrow_store(
    rng: random.Random, command: str
) -> None:
    """On a damaged .arrows store, every read command exits 0, 1 or 2, with no traceback."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.arrows"
        path.write_bytes(fuzz.damage_arrow(_arrow_template().read_bytes(), rng)[0])
        result = CliRunner().invoke(cli, [command, str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_jsonl_store_cut_between_two_batches_loads_the_batches_before() -> None:
    """Found on CI (seed 393836356): a cut exactly at a batch's end shows no torn line."""
    original = _template("jsonl").read_bytes()
    lines = original.split(b"\n")
    cut = b"\n".join(lines[:-3]) + b"\n"  # the header, then every batch of three but the last
    assert original.startswith(cut)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cut.jsonl"
        path.write_bytes(cut)
        with open_store(path, create=False) as store:
            log = store.load()
    assert log.version == TOUR.version - 2
    assert exact(log) == exact(TOUR.upto(log.version))
