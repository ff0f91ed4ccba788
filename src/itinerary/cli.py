"""The ``itinerary`` command line: replay, check, agenda, export, simulate, suggest, follow, forecast.

FILE may be a scenario (``.toml``), a SQLite store (``.sqlite``, ``.db``), a JSON Lines
export (``.jsonl``) or a PostgreSQL store's URL (``postgresql://...``). A mistake in what was
given (a missing file, a malformed scenario, an unknown zone, a server that cannot be
reached) prints one line on stderr and exits with status 2; ``check`` exits with 1 when it
finds violations.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar

import click

from itinerary.errors import ConcurrencyError, ItineraryError

if TYPE_CHECKING:  # each command imports what it needs, so that --help loads click alone
    from itinerary import _time
    from itinerary.log import EventLog
    from itinerary.places import Place
    from itinerary.projections import State, Whereabouts
    from itinerary.scenarios import Scenario
    from itinerary.sim import Plan, WhatIf
    from itinerary.sim.forecast import Forecast
    from itinerary.store import Follower

__all__ = ["main"]


_F = TypeVar("_F", bound=Callable[..., Any])


def _disambiguate(option: str) -> Callable[[_F], _F]:
    """The ``--disambiguate`` option of a command whose *option* takes a local time."""
    return click.option(
        "--disambiguate",
        type=click.Choice(["raise", "earlier", "later", "compatible"]),
        default="raise",
        show_default=True,
        help=f"If the {option} time happened twice there (clocks turned back) or never (clocks "
        "jumped): refuse, or take the earlier or later instant ('compatible': earlier in a "
        "repeat, later in a jump).",
    )


SCENARIO_SUFFIXES = (".toml",)
CALENDAR_SUFFIXES = (".ics",)
TABLE_SUFFIXES = (".parquet",)  # a table for data tools: written by export, never read
USAGE_ERROR = 2
MAX_EVERY = 100 * 366 * 24 * 60
"""The longest ``suggest --every`` (minutes): a century, as every elapsed time the library takes."""
"""The exit status for a user's mistake (as for a bad option)."""

_STATUS_COLOURS = {"pending": "yellow", "overdue": "red", "met": "green", "at": "green",
                   "in_transit": "cyan", "unknown": "white"}  # fmt: skip


class UserError(click.ClickException):
    """A mistake in what the user gave: one line on stderr, exit status 2."""

    exit_code = USAGE_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``itinerary: <message>`` on *file* (stderr if none is given), one line.

        Every argument echoed in it (a file's name, a URL) has its control characters
        written out, as every user string is: no escape sequence reaches the terminal.
        """
        click.echo(f"itinerary: {_escaped(self.format_message())}", file=file, err=True)


def _escaped(text: str) -> str:
    """*text* with its control characters written out (the one door for echoed arguments).

    Bytes of an argument that were not UTF-8 (lone surrogates) are written out too.
    """
    from itinerary._text import escape_controls  # noqa: PLC0415 - see the top

    return escape_controls(text).encode("utf-8", "backslashreplace").decode("utf-8")


@contextlib.contextmanager
def _user_errors(where: str = "") -> Iterator[None]:
    """Turn the library's errors into one-line :class:`UserError`, prefixed by *where*."""
    try:
        yield
    except ItineraryError as exc:
        prefix = f"{where}: " if where else ""
        # Escaped before the lines are joined: a line break in a file's name shows as \x0a.
        raise UserError(prefix + " ".join(_escaped(str(exc)).split())) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise UserError(f"{where}{exc.strerror or exc}") from None


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")
"""What starts a URL (``scheme:/``): a file's name is never taken for one of its schemes."""


def _looks_like_url(path: str) -> bool:
    """Whether *path* is, or looks like, a URL (of any scheme, or a mistyped PostgreSQL one)."""
    return (
        "://" in path
        or _SCHEME.match(path) is not None
        or path.lower().startswith(("postgres:", "postgresql:"))
    )


def _kind_of(path: str) -> str:
    """What *path* names: a scenario, a store (a file or a URL) or a calendar.

    Anything that looks like a URL but not a PostgreSQL one is refused, shown masked (it
    may hold a password).
    """
    from itinerary.store import (  # noqa: PLC0415 - see the top
        ARROW_SUFFIXES,
        JSONL_SUFFIXES,
        SQLITE_SUFFIXES,
    )
    from itinerary.store.postgres import is_url, masked_url  # noqa: PLC0415 - see the top

    if is_url(path):
        return "store"
    if _looks_like_url(path):
        raise UserError(f"{masked_url(path)}: unsupported URL scheme; use postgresql://")
    suffix = os.path.splitext(path)[1].lower()
    if suffix in SCENARIO_SUFFIXES:
        return "scenario"
    if suffix in SQLITE_SUFFIXES + JSONL_SUFFIXES + ARROW_SUFFIXES:
        return "store"
    if suffix in CALENDAR_SUFFIXES:
        return "calendar"
    if suffix in TABLE_SUFFIXES:
        return "table"
    stores = SQLITE_SUFFIXES + JSONL_SUFFIXES + ARROW_SUFFIXES
    known = ", ".join(SCENARIO_SUFFIXES + stores + CALENDAR_SUFFIXES + TABLE_SUFFIXES)
    raise UserError(f"{path}: unknown kind of file {suffix or '(no suffix)'!r}; use {known}")


def read(path: str, *, progress: bool = False) -> Scenario:
    """The scenario in *path* (a store or an export gives a scenario without places).

    With *progress*, loading a store shows a bar of the events loaded, on a terminal.
    """
    from itinerary.scenarios import Scenario, load_scenario  # noqa: PLC0415 - see the top
    from itinerary.store import open_store  # noqa: PLC0415 - see the top
    from itinerary.store.postgres import is_url  # noqa: PLC0415 - see the top

    kind = _kind_of(path)
    if kind == "calendar":
        raise UserError(f"{path}: calendars are written (export --to), not read")
    if kind == "table":
        raise UserError(
            f"{path}: Parquet tables are written (export --to) for data tools, not read; "
            "keep a log in a store (.arrows, .sqlite, .jsonl)"
        )
    if not is_url(path) and not os.path.exists(path):
        raise UserError(f"{path}: no such file")
    with _user_errors():
        if kind == "scenario":
            return load_scenario(path)
        store = open_store(path, create=False)
        try:
            return Scenario(store.load(progress=progress))
        finally:
            store.close()


def _shown(path: str, *, base: bool = False) -> str:
    """*path* as shown to people: a URL with its password masked, or (*base*) a file's name."""
    from itinerary.store.postgres import is_url, masked_url  # noqa: PLC0415 - see the top

    if is_url(path) or _looks_like_url(path):
        return _escaped(masked_url(path))
    return _escaped(os.path.basename(path) if base else path)


def _parse_as_of(
    text: str,
    places: Mapping[str, Place],
    disambiguate: _time.Disambiguate = "raise",
    *,
    name: str = "--as-of",
) -> datetime:
    """``"2025-10-28 12:00 Asia/Tokyo"`` (or a place name instead of the zone) as an instant.

    The grammar is :func:`itinerary._time.parse_time_text`'s; an offset after the wall time
    (``"2025-11-02 01:30-05:00 America/New_York"``) chooses in a fold, as in scenario files.
    *name* is the option's, for messages.
    """
    from itinerary import _time  # noqa: PLC0415 - see the top
    from itinerary.places import zone_of  # noqa: PLC0415 - see the top

    option = f"{name} {text!r}"
    with _user_errors():
        parsed = _time.parse_time_text(text, where=option)
    if parsed.zone is None and parsed.offset is not None:  # an exact instant: 12:30+09:00
        with _user_errors():
            return _time.resolve(parsed.wall - parsed.offset, "UTC", where=option)
    if parsed.zone is None:
        raise UserError(
            f"{option}: expected a local time and a zone or place, 'YYYY-MM-DD HH:MM ZONE', "
            "e.g. '2025-10-28 12:30 Asia/Tokyo', or an exact instant with its offset, "
            "'2025-10-28T12:30+09:00' (there is no default zone)"
        )
    with _user_errors(option):
        tz = zone_of(parsed.zone, places)
    with _user_errors():
        return _time.resolve(
            parsed.wall,
            tz,
            disambiguate=disambiguate,
            where=option,
            how_to_choose="Add --disambiguate earlier, later or compatible to choose.",
            offset=parsed.offset,
        )


def _colour(text: str, colour: str) -> str:
    """A status cell, padded as *text*, styled by its value *colour* (see display.Table.text)."""
    return click.style(text, fg=_STATUS_COLOURS.get(colour.strip()))


def _echo(text: str = "") -> None:
    click.echo(text)  # click strips styles when stdout is not a terminal


BUG = 70
"""The exit status for a failure that is a bug in itinerary (``EX_SOFTWARE``)."""


class _Commands(click.Group):
    """The command group, with a last resort for bugs.

    An exception that is not the user's mistake (nor click's, nor an exit) prints one line
    naming it as a bug and exits with status 70, never a traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:  # click's own (a bad option): arguments escaped
            exc.message = _escaped(exc.message)  # type: ignore[misc]  # click marks it Final
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            message = _escaped(" ".join(str(exc).split())[:300])
            click.echo(
                f"itinerary: internal error, a bug in itinerary (please report it): "
                f"{type(exc).__name__}: {message}",
                err=True,
            )
            ctx.exit(BUG)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="itinerary", prog_name="itinerary")
def main() -> None:
    """Replay, check, convert and simulate itineraries: scenarios, stores and exports.

    FILE is a scenario (.toml), a SQLite store (.sqlite, .db), a JSON Lines export (.jsonl),
    an Arrow store (.arrows) or a PostgreSQL store's URL (postgresql://user@host/database?log=name).
    """
    _quiet_psycopg()


def _quiet_psycopg() -> None:
    """Keep psycopg's log records (say, a failed cancellation on Ctrl-C) off the terminal.

    With no logging configured, Python prints warnings on stderr; the command's own
    one-line message says what went wrong instead.
    """
    logger = logging.getLogger("psycopg")
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
    logger.propagate = False


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--as-of",
    "as_of",
    metavar="'YYYY-MM-DD HH:MM ZONE'",
    help="Replay only what happened by then, e.g. '2025-10-28 12:30 Asia/Tokyo' (a zone or "
    "a place name is required: there is no default zone).",
)
@_disambiguate("--as-of")
def replay(file: str, as_of: str | None, disambiguate: _time.Disambiguate) -> None:
    """Where everyone is, the agreements signed, and the deadlines with their status."""
    from itinerary.display import format_state  # noqa: PLC0415 - see the top
    from itinerary.projections import replay as replay_log  # noqa: PLC0415 - see the top
    from itinerary.projections import timeline  # noqa: PLC0415 - see the top

    scenario = read(file)
    instant = None if as_of is None else _parse_as_of(as_of, scenario.places, disambiguate)
    with _user_errors():
        state = replay_log(scenario.log, as_of=instant)
    if state.as_of is None:
        _echo("No events: nothing to replay.")
        return
    counted = timeline(scenario.log).position(state.as_of)  # the index replay just used
    _echo(format_state(state, counted=counted, total=len(scenario.log), style=_colour))


_PROGRESS_OPTION = click.option(
    "--progress/--no-progress",
    default=False,
    help="Show a progress bar (on a terminal only: never in a pipe or a file).",
)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_PROGRESS_OPTION
def check(file: str, progress: bool) -> None:
    """Report the log's inconsistencies; exit status 1 if there are any."""
    from itinerary.consistency import check as check_log  # noqa: PLC0415 - see the top
    from itinerary.display import violations_table  # noqa: PLC0415 - see the top

    scenario = read(file, progress=progress)
    with _user_errors():
        violations = check_log(scenario.log, progress=progress)
    if not violations:
        _echo(f"No violations in {len(scenario.log)} events.")
        return
    _echo(violations_table(violations, events=len(scenario.log)).text())
    raise SystemExit(1)


@main.command(name="agenda")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--tz", metavar="ZONE", help="Show every time in this IANA zone (or place's zone).")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    help="Also draw the timeline to this image file (.png, .svg, .pdf), its time axis in --tz "
    "or the first event's place's zone (needs matplotlib: pip install 'itinerary[plot]').",
)
def agenda_command(file: str, tz: str | None, plot: str | None) -> None:
    """The day-by-day agenda, in each place's local time or all in one zone."""
    from itinerary.agenda import agenda  # noqa: PLC0415 - see the top
    from itinerary.display import format_agenda  # noqa: PLC0415 - see the top
    from itinerary.places import zone_of  # noqa: PLC0415 - see the top

    scenario = read(file)
    zone = tz
    if tz is not None:
        with _user_errors(f"--tz {tz!r}"):
            zone = zone_of(tz, scenario.places)
    with _user_errors():
        text = format_agenda(agenda(scenario.log, tz=zone))
    _echo(text or "No events.")
    if plot is not None:
        _save_timeline(scenario, zone, plot)


def _save_timeline(scenario: Scenario, zone: str | None, path: str) -> None:
    """Draw the scenario's timeline to the image file *path* (its format from the suffix)."""
    from itinerary.plot import timeline as draw  # noqa: PLC0415 - matplotlib is optional

    _save_figure(lambda: draw(scenario.log, tz=zone, title=scenario.title), path, "the timeline")


def _save_figure(draw: Callable[[], Any], path: str, what: str) -> None:
    """Write the figure ``draw()`` makes to the image file *path* (its format from the suffix)."""
    from itinerary import _files  # noqa: PLC0415 - see the top

    with _user_errors():
        figure = draw()
        image = io.BytesIO()  # drawn whole first: a full disk leaves no empty image behind
        try:
            figure.savefig(image, format=os.path.splitext(path)[1][1:].lower() or None, dpi=150)
        except ValueError as exc:  # an image format matplotlib does not know
            raise UserError(f"{path}: {exc}") from None
        _files.write_atomic(path, image.getvalue())
    _echo(f"Wrote {what} to {_shown(path)}")


PLOT_KINDS = {"s-curve": "s_curve", "s_curve": "s_curve", "scurve": "s_curve",
              "tornado": "tornado"}  # fmt: skip
"""``simulate --plot FILE``: the picture a file's name asks for, by a word in it."""


def _plot_kind(path: str) -> str:
    """``s_curve`` or ``tornado``: the picture *path*'s file name names, or a UserError."""
    name = os.path.basename(path).lower()
    found = {kind for word, kind in PLOT_KINDS.items() if word in name}
    if len(found) != 1:
        raise UserError(
            f"--plot {_shown(path)}: the file's name says which picture to draw, with "
            "'s-curve' or 'tornado' in it (e.g. s-curve.png, tour-tornado.svg)"
        )
    return found.pop()


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(dir_okay=False),
    help="The file to write: .toml, .sqlite/.db, .jsonl, .arrows (an Arrow store), .ics (an "
    "iCalendar file; needs icalendar: pip install 'itinerary[ical]') or .parquet (a table for "
    "data tools; needs pyarrow: pip install 'itinerary[arrow]'). It must not hold events yet.",
)
@_PROGRESS_OPTION
def export(file: str, target: str, progress: bool) -> None:
    """Convert FILE into another kind of file (scenario, store, export or calendar)."""
    from itinerary.scenarios import save_scenario  # noqa: PLC0415 - see the top

    scenario = read(file, progress=progress)
    kind = _kind_of(target)
    shown = _shown(target)
    written = ("scenario", "calendar", "table")
    if os.path.exists(target) and os.path.getsize(target) > 0 and kind in written:
        raise UserError(f"{target}: already exists; not overwriting it")
    with _user_errors():
        if kind == "calendar":
            from itinerary.ical import write_ical  # noqa: PLC0415 - icalendar is optional

            write_ical(scenario.log, target, name=scenario.title)
        elif kind == "scenario":
            save_scenario(scenario, target)
        elif kind == "table":
            _export_table(scenario.log, target)
        else:
            _export_store(scenario.log, target, shown, progress)
    _echo(f"Wrote {len(scenario.log)} events to {shown}")


def _export_table(log: EventLog, target: str) -> None:
    """Write *log*'s rows (``log.to_arrow()``) as a Parquet file at *target*, whole or not at all."""
    from itinerary import _arrow, _files  # noqa: PLC0415 - see the top

    table = log.to_arrow()  # without pyarrow: says which extra to install, before any file
    with _files.written_beside(target) as temporary:
        _arrow.write_parquet(table, temporary)


def _export_store(log: EventLog, target: str, shown: str, progress: bool) -> None:
    """Write *log* as a new store file at *target*: whole, or not at all.

    An existing file must already be a store without events (it is checked read-only): a
    SQLite file of another program is refused, not given this library's tables. The store
    is written beside it under a temporary name and renamed over it once complete, so a
    failure (a full disk) leaves no partial or empty store behind.
    """
    from itinerary import _files  # noqa: PLC0415 - see the top
    from itinerary.store import open_store  # noqa: PLC0415 - see the top
    from itinerary.store.postgres import is_url  # noqa: PLC0415 - see the top

    if is_url(target):  # one transaction: all or nothing, in the database
        with open_store(target) as store:
            try:
                store.extend(log, expected_version=0, progress=progress)
            except ConcurrencyError:
                raise UserError(
                    f"{shown}: already holds {store.version} events; not overwriting it"
                ) from None
        return
    if os.path.exists(target) and os.path.getsize(target) > 0:
        with open_store(target, create=False) as existing:
            held = existing.version
        if held:
            raise UserError(f"{shown}: already holds {held} events; not overwriting it")
    with _files.written_beside(target) as temporary:
        try:
            with open_store(temporary) as store:
                store.extend(log, expected_version=0, progress=progress)
        except ItineraryError as exc:  # named by the target, not by the temporary file
            message = _escaped(str(exc).replace(temporary, target))
            raise UserError(" ".join(message.split())) from None


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--runs", type=click.IntRange(min=1, max=1_000_000_000), default=10_000,
              show_default=True,
              help="How many runs of the plan.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True,
              help="The study's seed: the same seed gives the same table.")  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes to spread the runs over (the table does not change); at most "
                   "one per run and one per CPU.")  # fmt: skip
@click.option("--progress/--no-progress", default=False, help="Show a progress bar.")
@click.option("--given", metavar="STORE",
              help="What has happened so far: a store (a file or a PostgreSQL URL); its events "
              "up to --after are kept in every run, and only the rest is simulated.")  # fmt: skip
@click.option("--after", metavar="'YYYY-MM-DD HH:MM ZONE'",
              help="With --given: keep its events up to this instant, e.g. '2025-10-27 12:00 "
              "Asia/Kuala_Lumpur' (a zone or a place name is required). Default: the "
              "store's latest event.")  # fmt: skip
@click.option("--delay", "delays", metavar="'NAME=DURATION'", multiple=True,
              help="What if the step NAME is this late ('2h', '45m', '1h30m'): its own delay "
              "becomes exactly that (a meeting's own delay is its overrun). Repeatable.")  # fmt: skip
@click.option("--move", "moves", metavar="'NAME=YYYY-MM-DD HH:MM'", multiple=True,
              help="What if the step NAME started at this wall time in its place (a leg's "
              "origin). Repeatable.")  # fmt: skip
@click.option("--without", "without", metavar="NAME", multiple=True,
              help="What if the step NAME were taken out of the plan. Repeatable.")  # fmt: skip
@click.option("--late-by", "late_by", metavar="DURATION", multiple=True,
              help="Count a step late only when it starts more than this late ('30m'); "
              "one table per value. Repeatable.")  # fmt: skip
@click.option("--plot", "plots", multiple=True, type=click.Path(dir_okay=False),
              metavar="FILE",
              help="Also draw a picture of the risk to this image file (.png, .svg, .pdf); its "
              "name says which: 's-curve' (when --plot-step starts, or the tour ends, as a "
              "cumulative distribution) or 'tornado' (what makes it late). Repeatable; needs "
              "matplotlib (pip install 'itinerary[plot]').")  # fmt: skip
@click.option("--plot-step", metavar="NAME",
              help="The step --plot draws (default: the tour's end).")  # fmt: skip
@_disambiguate("--after or --move")
def simulate(  # click passes each option by its name
    file: str, *, runs: int, seed: int, workers: int, progress: bool, given: str | None,
    after: str | None, disambiguate: _time.Disambiguate, delays: tuple[str, ...],
    moves: tuple[str, ...], without: tuple[str, ...], late_by: tuple[str, ...],
    plots: tuple[str, ...] = (), plot_step: str | None = None,
) -> None:  # fmt: skip
    """Run the scenario's [[plan]] many times under its [disruptions]; print the risks.

    With --delay, --move or --without, run the plan and the changed plan on the same draws
    (the same seed: common random numbers) and print them side by side, each step's share
    of late runs with its standard error, and the difference with its paired standard error.
    """
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - only this command

    from itinerary.sim import Disruptions, monte_carlo  # noqa: PLC0415 - only this command

    if after is not None and given is None:
        raise UserError("--after needs --given STORE (what has happened so far)")
    for path in plots:  # a name that names no picture is refused before any run
        _plot_kind(path)
    scenario = read(file)
    if scenario.plan is None:
        raise UserError(f"{file}: has no [[plan]] section to simulate")
    if plot_step is not None:
        with _user_errors("--plot-step"):
            scenario.plan[plot_step]
    disruptions = scenario.disruptions or Disruptions()
    log, instant = None, None
    if given is not None:
        if _kind_of(given) != "store":
            raise UserError(f"{_shown(given)}: --given takes a store (.sqlite, .db, .jsonl or a "
                            "postgresql:// URL)")  # fmt: skip
        log = read(given, progress=progress).log
        if after is not None:
            instant = _parse_as_of(after, scenario.places, disambiguate, name="--after")
        elif len(log):
            instant = max(event.occurred_at for event in log)
        else:
            raise UserError(f"{_shown(given)}: holds no events; give --after")
    edits, changed = _what_if(scenario.plan, delays, moves, without, disambiguate)
    limits = _late_by(late_by)
    workers = _workers(workers, runs)
    with _user_errors(), contextlib.ExitStack() as stack:
        executor = stack.enter_context(ProcessPoolExecutor(workers)) if workers > 1 else None
        plans = [scenario.plan, changed] if edits else [scenario.plan]
        studies = [
            monte_carlo(plan, disruptions.without(*(edits.without if k else ())), runs=runs,
                        seed=seed, given=log, after=instant, executor=executor,
                        progress=progress)
            for k, plan in enumerate(plans)
        ]  # fmt: skip
    if not edits and not limits:
        _echo(str(studies[0]))  # the risk report (Outcomes.report)
        _save_risk_plots(studies[0], plots, plot_step)
        return
    from itinerary.sim.whatif import compare  # noqa: PLC0415 - only this command

    with _user_errors():
        shown = [
            str(compare(studies[0], studies[-1], late_by=by, edits=edits))
            for by in limits or [timedelta(0)]
        ]
    _echo("\n\n".join(shown))
    _save_risk_plots(studies[-1], plots, plot_step)  # the what-if's, if there is one


def _what_if(
    plan: Plan,
    delays: tuple[str, ...],
    moves: tuple[str, ...],
    without: tuple[str, ...],
    disambiguate: _time.Disambiguate,
) -> tuple[WhatIf, Plan]:
    """The edits of simulate's --delay, --move and --without, and the plan they make.

    Each value is checked alone first, so that an error names the option that caused it.
    """
    from itinerary.sim import whatif  # noqa: PLC0415 - only this command

    how = "Add --disambiguate earlier, later or compatible to choose."
    edits: list[tuple[str, whatif.WhatIf]] = []
    with _user_errors():
        for text in delays:
            where = f"--delay {text!r}"
            edits.append(
                (where, whatif.WhatIf(delays=[whatif.parse_delay(plan, text, where=where)]))
            )
        for text in moves:
            where = f"--move {text!r}"
            moved = whatif.parse_move(plan, text, where=where, disambiguate=disambiguate,
                                      how_to_choose=how)  # fmt: skip
            edits.append((where, whatif.WhatIf(moves=[moved])))
        for name in without:
            where = f"--without {name!r}"
            whatif.step_named(plan, name, where=where)
            edits.append((where, whatif.WhatIf(without=[name])))
    for where, edit in edits:
        with _user_errors(where):
            edit.apply(plan)
    with _user_errors("--delay, --move and --without together"):
        found = whatif.WhatIf(
            delays=[pair for _, e in edits for pair in e.delays],
            moves=[pair for _, e in edits for pair in e.moves],
            without=[name for _, e in edits for name in e.without],
        )
        return found, found.apply(plan)


def _late_by(texts: tuple[str, ...]) -> list[timedelta]:
    """The durations of simulate's --late-by options, or none."""
    from itinerary.sim.whatif import parse_elapsed  # noqa: PLC0415 - only this command

    with _user_errors():
        return [parse_elapsed(text, where=f"--late-by {text!r}") for text in texts]


@main.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--flexible", "flexible", metavar="'NAME=FROM..TO'", multiple=True, required=True,
              help="A step that may move and the range of its start, in its place's local "
                   "time, e.g. 'Meeting with Xi Jinping=2025-10-29 08:00..2025-10-30 20:00' "
                   "(an offset after a time chooses in a repeated hour). Repeat for more steps.")  # fmt: skip
@click.option("--every", type=click.IntRange(min=1, max=MAX_EVERY), default=15, show_default=True,
              help="Minutes between candidate starts.")  # fmt: skip
@click.option("--top", type=click.IntRange(min=1), default=3, show_default=True,
              help="How many plans to print.")  # fmt: skip
@click.option("--runs", type=click.IntRange(min=1, max=1_000_000), default=2000,
              show_default=True, help="Runs of each feasible plan.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True,
              help="The seed of every plan's study (common random numbers).")  # fmt: skip
@click.option("--objective", type=click.Choice(["p_late", "end"]), default="p_late",
              show_default=True,
              help="Rank by the mean share of steps that start late (p_late) or by the 80th "
                   "percentile of the tour's end (end).")  # fmt: skip
def suggest_command(  # click passes each option by its name
    file: str, *, flexible: tuple[str, ...], every: int, top: int, runs: int, seed: int,
    objective: Literal["p_late", "end"],
) -> None:  # fmt: skip
    """Suggest start times for --flexible steps of the [[plan]] that keep every rule; rank by risk."""
    import pendulum  # noqa: PLC0415 - only this command

    from itinerary.sim import Disruptions, suggest  # noqa: PLC0415 - only this command
    from itinerary.sim.suggest import flexible_from_text  # noqa: PLC0415 - only this command

    scenario = read(file)
    if scenario.plan is None:
        raise UserError(f"{file}: has no [[plan]] section to suggest times for")
    ranges = {}
    with _user_errors():
        for text in flexible:
            name, between = flexible_from_text(
                scenario.plan, text, every=pendulum.duration(minutes=every)
            )
            if name in ranges:
                raise UserError(f"--flexible {text!r}: {name!r} is given a range twice")
            ranges[name] = between
        found = suggest(
            scenario.plan, ranges, scenario.disruptions or Disruptions(), runs=runs, seed=seed,
            top=top, objective=objective,
        )  # fmt: skip
    _echo(str(found))


def _save_risk_plots(outcomes: Any, plots: tuple[str, ...], step: str | None) -> None:
    """Draw each of ``simulate --plot``'s pictures of *outcomes* (S-curve or tornado)."""
    if not plots:
        return
    from itinerary import plot  # noqa: PLC0415 - matplotlib is optional

    kinds = [_plot_kind(path) for path in plots]
    for path, kind in zip(plots, kinds, strict=True):
        draw = getattr(plot, kind)
        what = "the S-curve" if kind == "s_curve" else "the tornado"
        _save_figure(functools.partial(draw, outcomes, step), path, what)


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, where the system says), at least 1."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counted is not None:
        return max(counted() or 1, 1)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # not Linux
        return max(os.cpu_count() or 1, 1)


def _workers(asked: int, runs: int) -> int:
    """*asked* workers, capped at one per run and one per CPU; saying so above the CPUs."""
    cpus = cpu_count()
    if asked > cpus and runs > cpus:
        click.echo(
            f"itinerary: --workers {asked}: this machine has {cpus} CPU"
            f"{'s' if cpus != 1 else ''} for this process; using {cpus}",
            err=True,
        )
    return max(1, min(asked, runs, cpus))


FOLLOW_TICK = 1.0
"""How long ``follow`` waits for new events before looking again (the clock, for --as-of-now)."""


@main.command()
@click.argument("store", type=click.Path(dir_okay=False))
@click.option(
    "--after",
    type=click.IntRange(min=0),
    metavar="VERSION",
    help="Start from the whereabouts as of this version (the first VERSION events), then "
    "print every change after it. Default: the store's latest version.",
)
@click.option(
    "--as-of-now",
    is_flag=True,
    help="Show the whereabouts as of the wall clock now, not as of the latest event: an "
    "event recorded in advance (a planned arrival) counts only once its time has come; "
    "re-checked every second.",
)
def follow(store: str, after: int | None, as_of_now: bool) -> None:
    """Print whereabouts as they change, while other processes record events in STORE.

    First everyone's current whereabouts, then one line per change (``version N: WHO: at
    PLACE since LOCAL TIME +OFFSET ZONE``) as events are recorded, naming the version that
    made it true (read in chunks; each event's change is worked out at its version). STORE
    is a SQLite store (.sqlite, .db), a JSON Lines file (.jsonl), both polled, or a
    PostgreSQL store's URL, which wakes the follower when a writer commits. Ctrl-C stops
    it, with exit status 0.
    """
    from itinerary.projections import replay as replay_log  # noqa: PLC0415 - see the top
    from itinerary.store import Follower, open_store  # noqa: PLC0415 - see the top
    from itinerary.store.postgres import is_url  # noqa: PLC0415 - see the top

    shown = _shown(store)
    if _kind_of(store) != "store":
        raise UserError(f"{shown}: follow reads a store (.sqlite, .db, .jsonl or a URL)")
    if not is_url(store) and not os.path.exists(store):
        raise UserError(f"{shown}: no such file")
    follower: Follower[State] | None = None
    try:
        with _user_errors():
            opened = open_store(store, create=False)
        try:
            with _user_errors():
                held = opened.version
                if after is not None and after > held:
                    raise UserError(f"{shown}: --after {after}, but the store holds {held} events")
                view = _now_view if as_of_now else replay_log
                follower = Follower(opened, view, log=opened.load(upto=after))
            click.echo(
                f"Following {shown} from version {follower.version}; Ctrl-C to stop.", err=True
            )
            _follow(follower, as_of_now)
        finally:
            opened.close()
    except KeyboardInterrupt:
        said = "" if follower is None else f" (read to version {follower.version})"
        click.echo(f"Stopped following {shown}{said}.", err=True)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as a filter does
        _quiet_stdout()


FORECAST_TICK = 1.0
"""How long ``forecast`` waits for new events before looking again."""


@main.command(name="forecast")
@click.argument("store", type=click.Path(dir_okay=False))
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--runs", type=click.IntRange(min=1, max=100_000), default=1000,
              show_default=True,
              help="Runs of each study, run again after each batch of events (1,000 take "
              "under half a second: each run is replayed for the tour's end).")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True,
              help="The seed of every study (the same draws each time).")  # fmt: skip
@click.option("--min-change", "min_change", type=click.FloatRange(0, 100), default=1.0,
              show_default=True, metavar="POINTS",
              help="Show a step whose chance of being late or dropped moved by this many "
              "percentage points or more.")  # fmt: skip
def forecast_command(store: str, plan_file: str, runs: int, seed: int, min_change: float) -> None:
    """Re-run PLAN_FILE's study each time events are recorded in STORE; print what changed.

    First the forecast from what STORE holds (each step's chance of starting late and of
    being dropped, and the P80 of the tour's end), then, after each batch of events, the
    steps whose risk moved, the steps now dropped and the new P80 end. What has happened is
    every event recorded: "now" is the latest instant at which one occurred (never the
    wall clock), so the same events give the same forecast. Ctrl-C stops it, status 0.
    """
    from itinerary.sim import Disruptions  # noqa: PLC0415 - only this command
    from itinerary.sim.forecast import changes, forecast  # noqa: PLC0415 - only this command
    from itinerary.store import Follower, open_store  # noqa: PLC0415 - see the top
    from itinerary.store.postgres import is_url  # noqa: PLC0415 - see the top

    shown = _shown(store)
    if _kind_of(store) != "store":
        raise UserError(f"{shown}: forecast follows a store (.sqlite, .db, .jsonl or a URL)")
    if not is_url(store) and not os.path.exists(store):
        raise UserError(f"{shown}: no such file")
    scenario = read(plan_file)
    if scenario.plan is None:
        raise UserError(f"{_shown(plan_file)}: has no [[plan]] section to forecast")
    plan, disruptions = scenario.plan, scenario.disruptions or Disruptions()

    def study(log: EventLog) -> Forecast:
        return forecast(plan, disruptions, log, runs=runs, seed=seed)

    follower: Follower[EventLog] | None = None
    try:
        with _user_errors():
            opened = open_store(store, create=False)
        try:
            with _user_errors():
                follower = Follower(opened, lambda log: log)
            click.echo(
                f"Forecasting {_shown(plan_file)} from {shown} at version {follower.version}; "
                "Ctrl-C to stop.",
                err=True,
            )
            with _user_errors():
                last = study(follower.log)
            _echo("\n".join(changes(None, last)))
            while True:
                with _user_errors():
                    if not follower.step(timeout=FORECAST_TICK):
                        continue
                    latest = study(follower.log)
                _echo("\n".join(changes(last, latest, min_change=min_change / 100)))
                last = latest
        finally:
            opened.close()
    except KeyboardInterrupt:
        said = "" if follower is None else f" (read to version {follower.version})"
        click.echo(f"Stopped forecasting from {shown}{said}.", err=True)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as a filter does
        _quiet_stdout()


def _quiet_stdout() -> None:
    """Point standard output at the null device, so that flushing it at exit fails no more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _follow(follower: Follower[State], as_of_now: bool) -> None:
    """Print each person's whereabouts line when it changes, until interrupted.

    Reads in chunks; each event's people are checked at the version the event made (the
    state replayed up to it), so each change is printed with its version. Everyone is
    checked at the start and, for --as-of-now, when the time of an event recorded in
    advance comes (the clock is looked at every FOLLOW_TICK seconds).
    """
    from itinerary.display import whereabouts_line  # noqa: PLC0415 - see the top

    shown: dict[str, tuple[Whereabouts, str]] = {}  # who -> what was printed for them

    def show(where: Whereabouts, version: int) -> None:
        last = shown.get(where.who)
        if last is not None and (last[0] is where or last[0] == where):
            return  # the same value (kept by the replay that made both): nothing changed
        line = whereabouts_line(where)
        shown[where.who] = (where, line)
        if last is None or last[1] != line:
            _echo(whereabouts_line(where, version))

    now = datetime.now(UTC)  # read before any state is: an event after it is still due
    for where in follower.state.whereabouts.values():
        show(where, follower.version)
    due = _next_due(follower.log, now) if as_of_now else None
    while True:
        now = datetime.now(UTC)  # before the views are made: an event after it is still due
        with _user_errors():
            views = follower.step_each(timeout=FOLLOW_TICK)
        for recorded, state in views:
            known = state.whereabouts
            for who in dict.fromkeys(recorded.event.people):
                if who in known:
                    show(known[who], recorded.version)
            at = recorded.event.occurred_at
            if as_of_now and at > now and (due is None or at < due):
                due = at  # recorded in advance: it counts once its time has come
        if due is not None and datetime.now(UTC) >= due:
            # An event's time has come: only then can the state as of now change without
            # a new event, so only then is it replayed and everyone compared again.
            due = _next_due(follower.log, datetime.now(UTC))
            with _user_errors():
                state = follower.refresh()
            for where in state.whereabouts.values():
                show(where, follower.version)


def _next_due(log: EventLog, now: datetime) -> datetime | None:
    """The earliest instant after *now* at which an event of *log* occurs, if any."""
    return min((e.occurred_at for e in log if e.occurred_at > now), default=None)


def _now_view(log: EventLog) -> State:
    """The replayed state as of the wall clock now (the shell reads the clock, not the core)."""
    from itinerary.projections import replay as replay_log  # noqa: PLC0415 - see the top

    return replay_log(log, as_of=datetime.now(UTC))
