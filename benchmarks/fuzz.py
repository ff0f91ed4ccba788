"""A fuzz campaign against the loaders and the CLI: ``python -m benchmarks.fuzz``.

Mutates the example scenario (``--scenarios`` copies, default 10,000) and corrupts stores
holding the example tour (``--stores`` of each kind, default 2,000: SQLite, JSON Lines and
Arrow, the last when pyarrow is installed),
then loads each and runs the CLI's read commands on what loads; writes random plan files
(``--plans``: every step kind and delay form, extreme parameters) and simulates them on
both engines; and draws logs with injected names (``--outputs``: control characters,
mathtext, very long names) as PNG timelines and .ics calendars read back by icalendar and
vobject. It prints, per kind:

- ``library errors``: refused with an ``ItineraryError`` subclass (what should happen);
- ``loaded``: loaded (for stores: exactly the log that was written);
- ``torn tail or empty file``: a JSON Lines file whose last batch lost its newline or its
  end, loaded as the log before it (the documented recovery of a torn write), or a file cut
  to 0 bytes, loaded as an empty log (the rule for empty files);
- ``cut: a batch-aligned prefix``: an Arrow store cut short, loaded as its whole batches
  before the cut (a torn write looks the same);
- ``NON-LIBRARY``: any other exception, with its type (a bug);
- ``SILENTLY WRONG``: a store that loaded a log other than the one written (a bug);
- ``CLI bugs``: a CLI run that exited with a status other than 0, 1 or 2, or printed a
  traceback;
- ``RAW CONTROL CHARACTERS``: a control character, escape sequence or bidi control (of
  :data:`INJECTIONS`, put in a FILE or URL argument or an option, or in the names and titles
  of a scenario) that reached the terminal text, the HTML or the CLI's output unescaped;
  ``error of more than one line``: an error that a line break split;
- ``RAW CONTROL``: a control character in a PNG label, a matplotlib warning or an .ics file;
- ``ENGINES DISAGREE``: the array engine and the scalar one gave different outcomes.

The mutations (:func:`mutate_scenario`, :func:`mutate_json`, :func:`mutate_bytes`) are the
ones ``tests/test_fuzz.py`` draws through hypothesis at a CI size.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import functools
import json
import random
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from itinerary import replay
from itinerary._text import BIDI_CONTROLS
from itinerary.cli import main as cli
from itinerary.errors import ItineraryError
from itinerary.log import EventLog
from itinerary.scenarios import dumps_scenario, load_scenario, loads_scenario
from itinerary.store import JsonlStore, SQLiteStore, open_store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = (
    ROOT / "examples" / "asia_tour_2025.toml",
    ROOT / "examples" / "asia_tour_2025_plan.toml",
)

# Sizes are written as powers: hypothesis draws from the integer literals of the project's
# loaded modules, and literals such as 5000 would bias the property tests run after this
# module is imported (tests/test_strategies.py's shrinking test among them).
_K = 10**3
HUGE = "1" + "0" * (5 * _K)
DEEP_ARRAYS = "[" * (3 * _K) + "]" * (3 * _K)
TOML_VALUES: tuple[str, ...] = (
    "true", "0", "-1", "1.5", "1e400", "nan", "inf", HUGE, "-" + HUGE, "[]", "{}", '""',
    '" "', '"x"', "[1, 2]", '["a", "a"]', '{ a = 1 }', "1979-05-27T07:32:00Z",
    "1979-05-27", "07:32:00", '"9999-12-31 23:59 UTC"', '"0001-01-01 00:00 UTC"',
    '"9999-12-31 23:59"', '"0001-01-01 00:00"', '"2025-02-30 10:00"', '"+1:2:3:4"',
    '"P1' + "0" * (5 * _K) + 'D"', '"P99999999Y"', '"PT0S"', '"Etc/GMT+14"', '"Nowhere/Zone"',
    '{ days = ' + HUGE + " }", "{ days = 1e30 }", DEEP_ARRAYS,
    "{ a = " * (4 * 10**2) + "1" + " }" * (4 * 10**2), '"\\u001b[31mred"', '"Donald Trump"', '"Tokyo"',
)  # fmt: skip
JSON_VALUES: tuple[str, ...] = (
    "null", "true", "false", "0", "-1", "1.5", "1e30", "1e400", "-0", HUGE, "[]", "{}", '""',
    '"x"', '"Donald"', '"+1:2:3:4"', '"+25:00"', '"Nowhere/Zone"', '["a"]', "[null]",
    '{"days":1e30}', '{"days":' + HUGE + "}", '{"calendar":1,"years":99999}',
    "[" * 10**5 + "]" * 10**5, '{"a":' * (5 * _K) + "1" + "}" * (5 * _K),
    "[253402300800000000,\"UTC\"]", "[-62135596800000001,\"UTC\"]", '"\\ud800"',
)  # fmt: skip


INJECTIONS: tuple[str, ...] = (
    "\x1b]0;pwned\x07", "\x1b]8;;http://x\x1b\\", "\x1b[2J", "\x07", "\r", "\n", "\r\n", "\t",
    "\x7f", "\x9b31m", "\u2028", "\u202e", "\u2066", "\u200e", "\u200f", "\u061c", "\udcff",
)  # fmt: skip
"""Control characters, escape sequences (OSC, CSI) and bidi controls, as a shell passes them."""
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]"
)
"""A control character that must never reach a terminal or a page (a line's newline may)."""
ARGUMENTS: tuple[tuple[str, ...], ...] = (
    ("replay", "{p}.sqlite"), ("check", "x{p}.toml"), ("agenda", "{p}"), ("follow", "{p}.jsonl"),
    ("replay", "postgresql://127.0.0.1:1/d{p}"), ("follow", "mysql://ann:pw{p}@h/db"),
    ("check", "bad{p}.jsonl"), ("replay", "bad{p}.sqlite"), ("replay", "{e}", "--as-of", "{p}"),
    ("agenda", "{e}", "--tz", "Asia/{p}"), ("agenda", "{e}", "--plot", "t{p}.xyz"),
    ("export", "{e}", "--to", "o{p}.unknown"), ("export", "{e}", "--to", "o{p}.jsonl"),
    ("export", "{e}", "--to", "o{p}.sqlite"), ("export", "{e}", "--to", "o{p}.toml"),
    ("replay", "{p}.ics"),
)  # fmt: skip
"""CLI commands with an injected argument: ``{p}`` the payload, ``{e}`` the example tour."""


def mutate_scenario(text: str, rng: random.Random) -> str:
    """*text* after one to three random damages: values swapped, bytes flipped, cut short,
    lines dropped or repeated, or deep nesting and huge numbers put in place of a value.
    """
    for _ in range(rng.randint(1, 3)):
        how = rng.randrange(6)
        if how == 0:  # replace a value
            starts = [i for i in range(len(text)) if text.startswith("= ", i)]
            if starts:
                start = rng.choice(starts) + 2
                end = text.find("\n", start)
                end = len(text) if end < 0 else end
                text = text[:start] + rng.choice(TOML_VALUES) + text[end:]
        elif how == 1 and text:  # flip characters
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(text))
                text = (
                    text[:at]
                    + chr(rng.choice((rng.randrange(32, 2**7 - 1), rng.randrange(0, 3 << 12))))
                    + text[at + 1 :]
                )
        elif how == 2 and text:  # cut short
            text = text[: rng.randrange(len(text))]
        elif how == 3:  # drop or repeat a line
            lines = text.split("\n")
            at = rng.randrange(len(lines))
            lines[at : at + 1] = [] if rng.random() < 0.5 else [lines[at]] * 2
            text = "\n".join(lines)
        elif how == 4:  # insert a value somewhere (may make the TOML invalid)
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(TOML_VALUES) + text[at:]
        else:  # a new key with a strange value
            text += f"\nx{rng.randrange(9)} = {rng.choice(TOML_VALUES)}\n"
    return text


_MARK = "\u0000mark\u0000"


def mutate_json(text: str, rng: random.Random) -> str:
    """The JSON *text* with one value (or key) replaced by another of any type or size."""
    try:
        data = json.loads(text)
    except ValueError:
        return mutate_bytes(text.encode(), rng).decode("utf-8", "replace")
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in list(node):
                nodes.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for i in range(len(node)):
                nodes.append((node, i))
                walk(node[i])

    walk(data)
    if not nodes:
        return rng.choice(JSON_VALUES)
    parent, key = rng.choice(nodes)
    if isinstance(parent, dict) and rng.random() < 0.15:
        parent[rng.choice(("who", "x", "calendar", ""))] = parent.pop(key)
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if isinstance(parent, list) and rng.random() < 0.1:
        del parent[key]
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    parent[key] = _MARK
    shown = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return shown.replace(json.dumps(_MARK), rng.choice(JSON_VALUES), 1)


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """*data* with a few bytes flipped, or cut short."""
    if not data:
        return data
    if rng.random() < 0.2:
        return data[: rng.randrange(len(data))]
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


class Tally:
    """Counts of outcomes, and the first examples of each bug."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.bugs: dict[str, str] = {}

    def bug(self, kind: str, example: str) -> None:
        self.counts[kind] += 1
        self.bugs.setdefault(kind, example[: 3 * 10**2])


def _cli_run(args: list[str], tally: Tally) -> None:
    """Run the CLI with *args*; count exits other than 0, 1, 2, tracebacks and raw controls."""
    result = CliRunner().invoke(cli, args)
    tally.counts["CLI runs"] += 1
    _judge_cli(args, result, tally)


def _judge_cli(args: list[str], result: Any, tally: Tally) -> None:
    if RAW_CONTROL.search(result.stdout) or RAW_CONTROL.search(result.stderr):
        tally.bug("RAW CONTROL CHARACTERS in output", f"{args}: {result.output!r}")
    if result.stderr.count("\n") > 1 and result.exit_code != 0:
        tally.bug("error of more than one line", f"{args}: {result.stderr!r}")
    broken = result.exit_code not in (0, 1, 2) or "Traceback" in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        broken = True
    if broken:
        what = type(result.exception).__name__ if result.exception else "exit"
        tally.bug(f"CLI bugs ({what}, exit {result.exit_code})", f"{args}: {result.output}")


def arguments(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Run the CLI *n* times with a payload of :data:`INJECTIONS` in a FILE, URL or option."""
    del cli_every
    rng = random.Random(seed)
    with contextlib.chdir(directory):
        for _ in range(n):
            payload = "".join(rng.choices(INJECTIONS, k=rng.randint(1, 3)))
            template = rng.choice(ARGUMENTS)
            args = [a.format(p=payload, e=EXAMPLES[0]) for a in template]
            for arg in args:
                if arg.startswith("bad") and "/" not in arg:  # a "/" would name a folder
                    Path(arg).write_bytes(b"not a store")
            _cli_run(args, tally)
            for leftover in directory.iterdir():
                if leftover.is_file():
                    leftover.unlink()


def injected_names(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Put payloads in names and titles; look for raw controls in text, HTML and the CLI's."""
    rng = random.Random(seed)
    scenario = load_scenario(EXAMPLES[0])
    text = dumps_scenario(scenario)
    names = sorted({*scenario.log[0].people, "Tokyo", "Gyeongju"} | {
        e.title for e in scenario.log if hasattr(e, "title")
    })  # fmt: skip
    path = directory / "injected.toml"
    for i in range(n):
        injected = text
        for name in rng.sample(names, k=min(3, len(names))):
            payload = "".join(rng.choices(INJECTIONS[:-1], k=rng.randint(1, 3)))  # TOML: text
            at = rng.randint(0, len(name))
            injected = injected.replace(
                json.dumps(name), json.dumps(name[:at] + payload + name[at:])
            )
        try:
            loaded = loads_scenario(injected)
        except ItineraryError:
            tally.counts["library errors"] += 1
            continue
        tally.counts["loaded"] += 1
        state = replay(loaded.log)
        for shown in (str(state), state._repr_html_(), repr(loaded.log), loaded.log._repr_html_()):
            if RAW_CONTROL.search(shown):
                tally.bug("RAW CONTROL CHARACTERS in output", repr(shown)[:99])
        if i % cli_every == 0:
            path.write_text(injected, encoding="utf-8")
            for command in ("replay", "agenda", "check"):
                _cli_run([command, str(path)], tally)


def _cli_runs(path: str, tally: Tally, commands: Iterable[list[str]] | None = None) -> None:
    """Run the read commands (or *commands*) on *path*, each judged by :func:`_judge_cli`."""
    for args in commands or (["replay", path], ["agenda", path], ["check", path]):
        _cli_run(args, tally)


def scenarios(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Mutate the examples *n* times; load each; run the CLI on some that load."""
    rng = random.Random(seed)
    texts = [p.read_text() for p in EXAMPLES]
    for i in range(n):
        text = mutate_scenario(rng.choice(texts), rng)
        try:
            scenario = loads_scenario(text)
        except ItineraryError:
            tally.counts["library errors"] += 1
            continue
        except Exception as exc:
            tally.bug(f"NON-LIBRARY {type(exc).__name__}", f"{exc!s:.99}")
            continue
        tally.counts["loaded"] += 1
        try:
            again = loads_scenario(dumps_scenario(scenario))
            if again.log != scenario.log:
                tally.bug("SILENTLY WRONG (round trip differs)", text[:99])
        except Exception as exc:
            tally.bug(f"round trip raised {type(exc).__name__}", f"{exc!s:.99}")
        if i % cli_every == 0:
            path = directory / "mutated.toml"
            path.write_text(text, encoding="utf-8")
            _cli_runs(str(path), tally)


def _judge(
    load: Callable[[], EventLog], original: EventLog, torn: bool, tally: Tally, what: str
) -> None:
    try:
        log = load()
    except ItineraryError:
        tally.counts["library errors"] += 1
        return
    except Exception as exc:
        tally.bug(f"NON-LIBRARY {type(exc).__name__}", f"{what}: {exc!s:.99}")
        return
    if log == original:
        tally.counts["loaded"] += 1
    elif torn and log.version < original.version and log == original.upto(log.version):
        tally.counts["torn tail or empty file"] += 1
    else:
        tally.bug("SILENTLY WRONG", what)


def sqlite_stores(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Corrupt copies of a SQLite store of the tour *n* times; load each."""
    rng = random.Random(seed)
    original = load_scenario(EXAMPLES[0]).log
    template = directory / "template.sqlite"
    with SQLiteStore(template, synchronous="OFF") as store:
        for i in range(0, original.version, 3):
            store.extend(original[i : i + 3], expected_version=i)
    db = sqlite3.connect(template)
    db.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
    columns = [row[1] for row in db.execute("PRAGMA table_info(itinerary_events)")]
    db.close()
    for i in range(n):
        path = directory / f"damaged-{i}.sqlite"  # a new file: no -wal or lock of the last
        shutil.copyfile(template, path)
        what = f"sqlite #{i} " + damage_sqlite(path, rng, original.version, columns)
        empty = path.stat().st_size == 0  # cut to nothing: an empty store, by the rule
        _judge(functools.partial(_load, path), original, empty, tally, what)
        if i % cli_every == 0:
            _cli_runs(str(path), tally)
        for side in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{side}").unlink(missing_ok=True)


def damage_sqlite(path: Path, rng: random.Random, versions: int, columns: list[str]) -> str:
    """Damage the store at *path*: a row's cell, its meta table, its schema, or its bytes.

    Returns what was damaged.
    """
    if rng.randrange(5) == 4:  # bytes of the file
        path.write_bytes(mutate_bytes(path.read_bytes(), rng))
        return "bytes"
    db = sqlite3.connect(path)
    version = rng.randint(1, versions)
    column = rng.choice(columns)
    how = rng.randrange(4)
    try:
        if how == 0:  # the data (or another cell) as JSON of another shape
            (cell,) = db.execute(
                f"SELECT {column} FROM itinerary_events WHERE version = ?", (version,)
            ).fetchone()
            if isinstance(cell, bytes):  # format 2 data: JSON as a blob, kept a blob mostly
                text = mutate_json(cell.decode("utf-8", "replace"), rng)
                value: object = (
                    text.encode("utf-8", "surrogatepass") if rng.random() < 0.7 else text
                )
            else:
                value = mutate_json(cell if isinstance(cell, str) else json.dumps(cell), rng)
        elif how == 1:  # another SQL type or value
            value = rng.choice(
                [None, 0, -1, 1.5, 2**62, b"\xff\xfe", "x", "", "Arrived", "{}", "[]"]
            )
        elif how == 2:  # the cell's text with bits flipped, as text or as a blob
            (cell,) = db.execute(
                f"SELECT {column} FROM itinerary_events WHERE version = ?", (version,)
            ).fetchone()
            flipped = mutate_bytes(cell if isinstance(cell, bytes) else str(cell).encode(), rng)
            value = flipped.decode("utf-8", "replace") if rng.random() < 0.7 else flipped
        else:
            return _damage_tables(db, rng, version)
        with contextlib.suppress(sqlite3.IntegrityError):  # a constraint refused it
            db.execute(
                f"UPDATE itinerary_events SET {column} = ? WHERE version = ?", (value, version)
            )
        db.commit()
        return f"{column}@{version}"
    finally:
        db.close()


def _damage_tables(db: sqlite3.Connection, rng: random.Random, version: int) -> str:
    choice = rng.randrange(3)
    if choice == 0:
        db.execute(
            "UPDATE itinerary_meta SET value = ? WHERE key = 'format'",
            (rng.choice(["0", "3", "", "x"]),),
        )
    elif choice == 1:
        db.execute("DELETE FROM itinerary_events WHERE version = ?", (version,))
    else:
        db.execute("PRAGMA writable_schema = ON")
        db.execute(
            "UPDATE sqlite_master SET sql = replace(sql, 'schema', 'schemx') WHERE name = 'itinerary_events'"
        )
    db.commit()
    return ("meta", f"row {version} deleted", "sqlite_master")[choice]


def _load(path: Path) -> EventLog:
    with open_store(path, create=False) as store:
        return store.load()


def jsonl_stores(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Corrupt copies of a JSON Lines store of the tour *n* times; load each."""
    rng = random.Random(seed)
    original = load_scenario(EXAMPLES[0]).log
    template = directory / "template.jsonl"
    store = JsonlStore(template)
    for i in range(0, original.version, 3):
        store.extend(original[i : i + 3], expected_version=i)
    content = template.read_bytes()
    path = directory / "damaged.jsonl"
    for i in range(n):
        damaged, what = damage_jsonl(content, rng)
        path.write_bytes(damaged)
        header = content.index(b"\n")  # written whole when the store is made: a cut in it is damage
        if header < len(damaged) < len(content) and content.startswith(damaged):  # a torn write
            _judge_cut(functools.partial(_load, path), original, tally, f"jsonl #{i} cut")
        else:
            torn = not damaged.endswith(b"\n") or _last_line_torn(damaged)
            _judge(functools.partial(_load, path), original, torn, tally, f"jsonl #{i} {what}")
        if i % cli_every == 0:
            _cli_runs(str(path), tally)


def damage_jsonl(content: bytes, rng: random.Random) -> tuple[bytes, str]:
    """*content* with a line's JSON changed or its bytes flipped, or the file's; and what."""
    how = rng.randrange(3)
    if how == 2:
        return mutate_bytes(content, rng), "bytes"
    lines = content.split(b"\n")
    at = rng.randrange(len(lines) - 1)
    if how == 0:
        lines[at] = mutate_json(lines[at].decode(), rng).encode("utf-8", "surrogatepass")
    else:
        lines[at] = mutate_bytes(lines[at], rng)
    return b"\n".join(lines), f"line {at + 1} {('json', 'bytes')[how]}"


def arrow_stores(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Corrupt copies of an Arrow store (.arrows) of the tour *n* times; load each.

    Skipped (one count) without pyarrow. A cut file must load as the batches before the cut
    (a torn write looks the same); a file with flipped bits or a zeroed sector must load
    exactly or be refused.
    """
    try:
        from itinerary.store import ArrowStore  # noqa: PLC0415 - needs pyarrow
    except ImportError:  # pragma: no cover - the arrow extra is missing
        tally.counts["skipped: pyarrow is not installed"] += 1
        return
    rng = random.Random(seed)
    original = load_scenario(EXAMPLES[0]).log
    template = directory / "template.arrows"
    store = ArrowStore(template)
    for i in range(0, original.version, 3):
        store.extend(original[i : i + 3], expected_version=i)
    content = template.read_bytes()
    path = directory / "damaged.arrows"
    for i in range(n):
        damaged, what = damage_arrow(content, rng)
        path.write_bytes(damaged)
        if len(damaged) < len(content):
            _judge_cut(functools.partial(_load, path), original, tally, f"arrow #{i} {what}")
        else:
            _judge(functools.partial(_load, path), original, False, tally, f"arrow #{i} {what}")
        if i % cli_every == 0:
            _cli_runs(str(path), tally)


def _judge_cut(load: Callable[[], EventLog], original: EventLog, tally: Tally, what: str) -> None:
    """A store cut short loads the whole batches (of three) before the cut, never fails."""
    try:
        log = load()
    except Exception as exc:
        tally.bug(f"CUT NOT LOADED ({type(exc).__name__})", f"{what}: {exc!s:.99}")
        return
    aligned = log.version % 3 == 0 or log.version == original.version
    if aligned and log == original.upto(log.version):
        tally.counts["cut: a batch-aligned prefix"] += 1
    else:
        tally.bug("SILENTLY WRONG", what)


def damage_arrow(content: bytes, rng: random.Random) -> tuple[bytes, str]:
    """*content* cut, or a 512-byte sector zeroed, or bits flipped (anywhere); and what."""
    if rng.random() < 0.2:
        at = rng.randrange(len(content))
        return content[:at], f"cut at byte {at}"
    out = bytearray(content)
    if rng.random() < 0.2:
        at = rng.randrange(len(content)) // 512 * 512
        out[at : at + 512] = bytes(len(out[at : at + 512]))
        return bytes(out), f"sector zeroed at byte {at}"
    flips = []
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
        flips.append(at)
    return bytes(out), f"bits flipped at bytes {flips}"


def _last_line_torn(content: bytes) -> bool:
    """Whether the file's last complete line says its batch ends after it (a torn batch)."""
    lines = content.rstrip(b"\n").split(b"\n")
    try:
        record = json.loads(lines[-1])
        return bool(record["end"] > record["v"])
    except Exception:
        return False


# -- plan files: every step kind and delay form, extreme parameters ------------------------

_PLACES = ("Tokyo", "Seoul", "Busan", "Gyeongju")  # a 3-hour leg between any two
_YEARS = ("2025", "2025", "2025", "2025", "9990", "9999", "0001")
_POSITIVE = ('"PT1S"', '"PT15M"', '"PT2H"', '"P1D"', '"P3W"', '"P36500D"', "{ minutes = 30 }")
_BAD = ('"P36600D"', '"PT1.5H"', '"P1M"', "{ days = 36600 }", '"PT0S"', "-1", "nan", "1.5")
_SIGMAS = ("0", "0.7", "1.5", "7", "12", "19.99")


def _maybe_bad(rng: random.Random, good: tuple[str, ...]) -> str:
    """One of *good*, or one time in twenty a value the reader must refuse."""
    return rng.choice(_BAD) if rng.random() < 1 / 20 else rng.choice(good)


def _delay(rng: random.Random) -> str:
    """A delay in any form, with parameters from the ordinary to the absurd."""
    d = functools.partial(_maybe_bad, rng, _POSITIVE)
    p = f", p = {_maybe_bad(rng, ('0', '0.5', '1', '0.01'))}" if rng.random() < 0.5 else ""
    forms = (
        '"none"',
        f"{{ fixed = {d()} }}",
        f"{{ exponential = {d()}{p} }}",
        f"{{ lognormal = {d()}, sigma = {_maybe_bad(rng, _SIGMAS)}{p} }}",
        f"{{ empirical = [{', '.join(d() for _ in range(rng.randint(1, 5)))}] }}",
    )
    return rng.choice(forms)


def random_plan(rng: random.Random) -> str:
    """A plan file with every step kind (legs, meetings, a signing and its fulfilment) and
    random delays in every form, from ordinary values to centuries, ``sigma = 19.99`` and
    plans near the calendar's ends.
    """
    year = rng.choice(_YEARS)
    lines = [
        "[disruptions]",
        f"departure = {_delay(rng)}",
        f"overrun = {_delay(rng)}",
        f"fulfilment = {_delay(rng)}",
        f"cancel = {_maybe_bad(rng, ('0', '0.01', '0.5', '1'))}",
        f"rebook = {_maybe_bad(rng, _POSITIVE)}",
    ]
    here, day = rng.choice(_PLACES), 10
    for i in range(rng.randint(1, 6)):
        there = rng.choice([p for p in _PLACES if p != here])
        own = f"delay = {_delay(rng)}" if rng.random() < 0.5 else ""
        lines += [
            "[[plan]]", 'type = "travel"', 'who = ["A", "B"]', f'from = "{here}"',
            f'to = "{there}"', f'depart = "{year}-03-{day:02} 08:00"', 'duration = "PT3H"',
            f'name = "leg {i}"', own,
            "[[plan]]", 'type = "meeting"', f'title = "Talks {i}"', 'participants = ["A", "B"]',
            f'place = "{there}"', f'start = "{year}-03-{day:02} 15:00"',
            f"duration = {_maybe_bad(rng, _POSITIVE[:3])}", own,
        ]  # fmt: skip
        here, day = there, day + 1
    lines += [
        "[[plan]]", 'type = "signing"', 'title = "Accord"', 'signatories = ["A", "B"]',
        f'place = "{here}"', f'at = "{year}-03-{day:02} 10:00"',
        f'obligations = [{{ what = "pay", within = "P{rng.choice((1, 6, 12000))}M" }}]',
        "[[plan]]", 'type = "fulfilment"', 'agreement = "Accord"', 'what = "pay"',
        f'after = "P{rng.choice((1, 5, 11000))}M"',
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def plan_files(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Random plan files: load, simulate a few seeds, a small study on both engines, the CLI."""
    from itinerary.sim import Disruptions  # noqa: PLC0415

    rng = random.Random(seed)
    for i in range(n):
        text = random_plan(rng)
        try:
            scenario = loads_scenario(text)
            assert scenario.plan is not None
        except ItineraryError:
            tally.counts["library errors (load)"] += 1
            continue
        except Exception as exc:
            tally.bug(f"NON-LIBRARY {type(exc).__name__} (load)", f"{exc!s:.99}")
            continue
        tally.counts["loaded"] += 1
        _simulations(scenario.plan, scenario.disruptions or Disruptions(), i, tally, text)
        if i % cli_every == 0:
            path = directory / "plan.toml"
            path.write_text(text, encoding="utf-8")
            _cli_runs(str(path), tally, (["simulate", str(path), "--runs", "50"],))


def _simulations(plan: Any, shaken: Any, seed: int, tally: Tally, text: str) -> None:
    """Five runs, a study of 40, and the same 40 runs on each engine (which must agree)."""
    from itinerary.sim import monte_carlo, simulate  # noqa: PLC0415
    from itinerary.sim.engine import compiled  # noqa: PLC0415
    from itinerary.sim.monte_carlo import _chunk, _scalar_chunk  # noqa: PLC0415

    for what in ("simulate", "monte_carlo"):
        try:
            if what == "simulate":
                for s in range(5):
                    simulate(plan, shaken, seed=s)
            else:
                monte_carlo(plan, shaken, runs=40, seed=seed)
            tally.counts[f"{what} ran"] += 1
        except ItineraryError:
            tally.counts[f"library errors ({what})"] += 1
        except Exception as exc:
            tally.bug(f"NON-LIBRARY {type(exc).__name__} ({what})", f"{exc!s:.99}")
    found: list[object] = []
    for engine in (_chunk, _scalar_chunk):
        try:
            found.append(engine(compiled(plan, shaken), seed, 0, 40))
        except ItineraryError as exc:
            found.append(str(exc))
        except Exception as exc:
            found.append(type(exc).__name__)
    if found[0] != found[1]:
        tally.bug("ENGINES DISAGREE", text[:99])


# -- output injection: PNG labels and .ics read back by two parsers -----------------------

PAYLOADS: tuple[str, ...] = (
    "\x1b[31mred\x1b[0m", "\x07bell", "nul\x00", "del\x7f", "vt\x0bff\x0c", "cr\rlf\n",
    "\x1b]0;title\x07", "\x85\x9b", "\u202eevil\u202c", "\u2028sep", "$\\frac$", "$x^2$",
    "a$b", "\\", "<b>&amp;</b>", '"quote";,', "W" * 250, "名" * 300, "x" * 10**4,
)  # fmt: skip
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _payload(rng: random.Random) -> str:
    return "".join(rng.choice(PAYLOADS) for _ in range(rng.randint(1, 3)))


def hostile_log(rng: random.Random) -> EventLog:
    """The tour's first events, with payloads in names, titles, venues and places."""
    from itinerary import AgreementSigned, Arrived, MeetingHeld, Obligation, Place  # noqa: PLC0415

    place = Place(f"Port {_payload(rng)}", f"Land {_payload(rng)}", "Asia/Tokyo")
    who, other = f"Ann {_payload(rng)}", f"Bo {_payload(rng)}"
    at = place.at
    return EventLog([
        Arrived(who, place, at("2025-10-28 09:00")),
        MeetingHeld(f"Summit {_payload(rng)}", (who, other), place, at("2025-10-28 10:00"),
                    at("2025-10-28 11:00"), venue=f"Hall {_payload(rng)}"),
        AgreementSigned(f"Accord {_payload(rng)}", (who,), place, at("2025-10-28 12:00"),
                        obligations=(Obligation(f"pay {_payload(rng)}",
                                                within=datetime.timedelta(days=30)),)),
    ])  # fmt: skip


def outputs(n: int, seed: int, directory: Path, tally: Tally, cli_every: int) -> None:
    """Payloads through the timeline (PNG) and the calendar (.ics, read back by icalendar
    and vobject), and through ``agenda --plot`` and ``export --to .ics`` on the CLI.
    """
    import warnings  # noqa: PLC0415

    import icalendar  # noqa: PLC0415
    import vobject  # noqa: PLC0415
    from matplotlib.text import Text  # noqa: PLC0415

    from itinerary.ical import to_ical  # noqa: PLC0415
    from itinerary.plot import timeline  # noqa: PLC0415
    from itinerary.scenarios import Scenario, save_scenario  # noqa: PLC0415

    rng = random.Random(seed)
    for i in range(n):
        log = hostile_log(rng)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fig = timeline(log, title=_payload(rng))
                fig.savefig(directory / "out.png", format="png")
            raw = [w for w in caught if _RAW.search(str(w.message))]
            if raw:
                tally.bug("RAW CONTROL in a matplotlib warning", str(raw[0].message))
            texts = [t.get_text() for t in fig.findobj(Text) if isinstance(t, Text)]
            if any(_RAW.search(t) for t in texts):
                tally.bug("RAW CONTROL in a PNG label", repr(texts))
            tally.counts["PNGs drawn"] += 1
        except Exception as exc:
            tally.bug(f"NON-LIBRARY {type(exc).__name__} (timeline)", f"{exc!s:.99}")
        try:
            data = to_ical(log, name=_payload(rng))
            if _RAW.search(data.decode("utf-8").replace("\r\n", "")):
                tally.bug("RAW CONTROL in an .ics", data.decode()[:99])
            icalendar.Calendar.from_ical(data)
            list(vobject.readComponents(data.decode("utf-8")))
            tally.counts[".ics read back by icalendar and vobject"] += 1
        except Exception as exc:
            tally.bug(f"NON-LIBRARY {type(exc).__name__} (.ics)", f"{exc!s:.99}")
        if i % cli_every == 0:
            source = directory / "hostile.toml"
            save_scenario(Scenario(log), source)
            _cli_runs(str(source), tally, (
                ["agenda", str(source), "--plot", str(directory / "hostile.png")],
                ["export", str(source), "--to", str(directory / f"hostile{i}.ics")],
            ))  # fmt: skip


def main() -> None:
    """Run the campaign and print the counts."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__)
    parser.add_argument("--scenarios", type=int, default=10**4)
    parser.add_argument("--stores", type=int, default=2 * _K, help="corrupted stores of each kind")
    parser.add_argument(
        "--injections",
        type=int,
        default=2 * _K,
        help="CLI runs with injected arguments, and scenarios with injected names",
    )
    parser.add_argument("--plans", type=int, default=2 * _K, help="random plan files")
    parser.add_argument("--outputs", type=int, default=5 * 10**2, help="logs with payloads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli-every", type=int, default=10, help="run the CLI on every Nth input")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        for name, run, n in (
            ("scenarios", scenarios, args.scenarios),
            ("SQLite stores", sqlite_stores, args.stores),
            ("JSON Lines stores", jsonl_stores, args.stores),
            ("Arrow stores", arrow_stores, args.stores),
            ("CLI argument injection", arguments, args.injections),
            ("output injection", injected_names, args.injections),
            ("plan files", plan_files, args.plans),
            ("outputs (PNG, .ics)", outputs, args.outputs),
        ):
            tally = Tally()
            begin = time.perf_counter()
            run(n, args.seed, directory, tally, args.cli_every)
            seconds = time.perf_counter() - begin
            print(f"{name}: {n:,} in {seconds:.0f} s")
            for key, count in sorted(tally.counts.items()):
                print(f"  {key}: {count:,}")
            for key, example in tally.bugs.items():
                print(f"  e.g. {key}: {example!r}")


if __name__ == "__main__":
    main()
