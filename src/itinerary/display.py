"""Text and HTML tables for every public value: one source for the CLI, ``print()`` and notebooks.

Each value becomes one or more :class:`Table` values; a table prints as aligned columns
(what ``itinerary replay`` shows) and renders as an HTML ``<table>`` (what a notebook shows,
through each value's ``_repr_html_``). Every user string is shown with its control
characters written out (:func:`escape_controls`), and escaped for HTML.

>>> from itinerary import EventLog, Arrived, replay
>>> from itinerary.places import TOKYO
>>> state = replay(EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))]))
>>> print(whereabouts_table(state).text())
Whereabouts
  WHO           STATUS  WHERE  SINCE (LOCAL)
  Donald Trump  at      Tokyo  2025-10-27 17:00 +09:00
>>> format_instant(state.as_of)
'2025-10-27 17:00 +09:00 Asia/Tokyo'

A long log shows its first and last rows only: :func:`log_table` never reads the middle.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from itinerary._text import clip, escape_controls, format_instant, text_ref
from itinerary._time import format_offset
from itinerary.errors import InvalidTableError
from itinerary.events import Event, format_local

if TYPE_CHECKING:
    from itinerary.agenda import AgendaEntry
    from itinerary.consistency import Violation
    from itinerary.log import EventLog
    from itinerary.places import Place
    from itinerary.projections import Deadline, State, Whereabouts
    from itinerary.scenarios import Scenario
    from itinerary.sim import Outcomes, Plan, Run

__all__ = [
    "HEAD",
    "TAIL",
    "Table",
    "agenda_table",
    "agreements_table",
    "deadlines_table",
    "escape_controls",
    "event_table",
    "format_agenda",
    "format_instant",
    "format_outcomes",
    "format_state",
    "log_table",
    "outcomes_tables",
    "place_table",
    "plan_table",
    "render_html",
    "run_table",
    "scenario_tables",
    "state_heading",
    "state_repr",
    "state_tables",
    "violations_table",
    "whereabouts_line",
    "whereabouts_phrase",
    "whereabouts_table",
]

HEAD = 10
"""How many first rows a long table (a log, an agenda) shows."""
TAIL = 10
"""How many last rows a long table shows."""


def _cells(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(escape_controls(str(value)) for value in values)


def _rows(rows: Iterable[Iterable[object]]) -> tuple[tuple[str, ...], ...]:
    return tuple(_cells(row) for row in rows)


def _title(value: str | None) -> str | None:
    return None if value is None else escape_controls(value)


def _check_table(
    instance: Table, _: attrs.Attribute[Any], rows: tuple[tuple[str, ...], ...]
) -> None:
    width, name = len(instance.headers), instance.title or "(untitled)"
    for number, row in enumerate(rows):
        if len(row) != width:
            raise InvalidTableError(
                f"Table {name!r}: row {number} has {len(row)} cells for {width} headers"
            )
    if instance.status is not None and not 0 <= instance.status < width:
        raise InvalidTableError(f"Table {name!r}: status={instance.status} is not a column")
    if any(not 0 <= i < width for i in instance.right):
        raise InvalidTableError(f"Table {name!r}: right={instance.right} names a missing column")
    if instance.omitted < 0 or not 0 <= instance.head <= len(rows):
        raise InvalidTableError(
            f"Table {name!r}: omitted={instance.omitted} must be >= 0 and head={instance.head} "
            f"within 0..{len(rows)}"
        )


def _indexes(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(values)


@attrs.frozen
class Table:
    r"""A titled table of text cells, shown as aligned text or as HTML.

    Every cell, header and the title have their control characters written out visibly
    (``\x1b``) when the table is made, so no consumer can print one.

    Args:
        title: Shown above the table (``None``: no title).
        headers: The column names, lower case (text output shows them upper case).
        rows: The cells, one tuple per row; anything is turned into text with ``str``.
        empty: What to show instead when there are no rows.
        status: The index of the column that holds a status (``pending``, ``at``...): the
            CLI colours it, HTML gives its cells a ``status-<value>`` class.
        right: Indexes of right-aligned columns (numbers).
        omitted: How many rows were left out of a long table, between the first *head*
            rows and the rest; shown as ``... 990 more ...``.
        head: How many of *rows* come before the omitted ones.

    """

    title: str | None = attrs.field(converter=_title)
    headers: tuple[str, ...] = attrs.field(converter=_cells)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows, validator=_check_table)
    empty: str = attrs.field(default="(none)", kw_only=True)
    status: int | None = attrs.field(default=None, kw_only=True)
    right: tuple[int, ...] = attrs.field(default=(), kw_only=True, converter=_indexes)
    omitted: int = attrs.field(default=0, kw_only=True)
    head: int = attrs.field(default=0, kw_only=True)

    def _body(self) -> list[tuple[str, ...] | None]:
        """The rows, with ``None`` where the omitted ones would be."""
        rows: list[tuple[str, ...] | None] = list(self.rows)
        if self.omitted:
            rows.insert(self.head, None)
        return rows

    def text(
        self,
        *,
        style: Callable[[str, str], str] | None = None,
        upper: bool = True,
        indent: str = "  ",
        rule: bool = False,
    ) -> str:
        """The table as aligned columns under its title, as the command line prints it.

        *style(text, value)* may decorate the status column's padded cells (the CLI colours
        them); *upper* writes the headers in capitals; *rule* underlines them with dashes.
        """
        lines = [self.title] if self.title is not None else []
        if not self.rows and not rule:
            return "\n".join([*lines, indent + self.empty] if self.empty else lines)
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

        def line(cells: Sequence[str], styled: bool) -> str:
            out = []
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
                padded = cell.rjust(width) if i in self.right else cell.ljust(width)
                if styled and style is not None and i == self.status:
                    padded = style(padded, cell)
                out.append(padded)
            return (indent + "  ".join(out)).rstrip()

        if any(self.headers):  # a table of labels and values has no header line
            lines.append(line(tuple(h.upper() if upper else h for h in self.headers), False))
        if rule:
            lines.append(line(tuple("-" * w for w in widths), styled=False))
        for cells in self._body():
            if cells is None:
                lines.append(f"{indent}... {self.omitted:,} more ...")
            else:
                lines.append(line(cells, styled=True))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def html(self) -> str:
        """The table as HTML, with its own small stylesheet (see :func:`render_html`)."""
        return render_html((self,))

    def _repr_html_(self) -> str:
        return self.html()

    def html_table(self) -> str:
        """The bare ``<table>`` element: every string escaped, no stylesheet."""
        e = html.escape
        parts = ["<table>"]
        if self.title is not None:
            parts.append(f"<caption>{e(self.title)}</caption>")
        if not self.rows:
            parts.append(f'<tbody><tr><td class="empty">{e(self.empty)}</td></tr></tbody>')
            parts.append("</table>")
            return "".join(parts)
        if any(self.headers):
            parts.append("<thead><tr>")
            parts += [
                f'<th class="num">{e(h)}</th>' if i in self.right else f"<th>{e(h)}</th>"
                for i, h in enumerate(self.headers)
            ]
            parts.append("</tr></thead>")
        parts.append("<tbody>")
        for row in self._body():
            if row is None:
                parts.append(
                    f'<tr class="more"><td colspan="{len(self.headers)}">'
                    f"… {self.omitted:,} more …</td></tr>"
                )
                continue
            parts.append("<tr>")
            for i, cell in enumerate(row):
                classes = []
                if i == self.status and cell:
                    classes.append(f"status-{e(cell.replace(' ', '_'))}")
                if i in self.right:
                    classes.append("num")
                attr = f' class="{" ".join(classes)}"' if classes else ""
                parts.append(f"<td{attr}>{e(cell)}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)


_STYLE = (
    "<style>"
    ".itinerary table{border-collapse:collapse;margin:0 0 .8em 0;font-size:.9em}"
    ".itinerary caption{text-align:left;font-weight:bold;padding:.2em 0;white-space:nowrap}"
    ".itinerary th,.itinerary td{text-align:left;padding:.15em .6em;"
    "border-bottom:1px solid #ddd;vertical-align:top;white-space:nowrap}"
    ".itinerary td:last-child{white-space:normal}"
    ".itinerary .num{text-align:right}"
    ".itinerary tr.more td{text-align:center;color:#777;font-style:italic}"
    ".itinerary td.empty{color:#777}"
    ".itinerary p{margin:.2em 0 .5em 0}"
    ".itinerary .status-at,.itinerary .status-met{color:#1a7f37}"
    ".itinerary .status-pending{color:#9a6700}"
    ".itinerary .status-overdue{color:#cf222e;font-weight:bold}"
    ".itinerary .status-in_transit{color:#0969da}"
    ".itinerary .status-unknown{color:#777}"
    "</style>"
)


def render_html(tables: Iterable[Table], heading: str | None = None) -> str:
    """*tables* as one HTML block (``<div class="itinerary">``) under an optional heading.

    The stylesheet is scoped to the block's class, so it styles nothing else on a page.
    """
    parts = ['<div class="itinerary">', _STYLE]
    if heading is not None:
        parts.append(f"<p><strong>{html.escape(escape_controls(heading))}</strong></p>")
    parts += [table.html_table() for table in tables]
    parts.append("</div>")
    return "".join(parts)


# -- places and time ------------------------------------------------------------------------


def _local(instant: Any, place: Place | None) -> str:
    return "" if instant is None else format_local(instant, place)


def place_table(place: Place) -> Table:
    """One place: name, country, zone, coordinates."""
    where = "" if place.lat is None or place.lon is None else f"{place.lat}, {place.lon}"
    return Table(
        None,
        ("place", "country", "zone", "lat, lon"),
        [(place.name, place.country, place.tz, where)],
    )


# -- the state ------------------------------------------------------------------------------


def _whereabouts_row(where: Whereabouts) -> tuple[str, str, str, str]:
    if where.place is not None:
        place = where.place.name
        since = _local(where.since, where.place)
    elif where.origin is not None:
        bound = where.destination.name if where.destination is not None else "?"
        place = f"{where.origin.name} -> {bound}"
        since = _local(where.since, where.origin)
    else:
        place, since = "", ""
    return (where.who, where.status, place, since)


def whereabouts_table(state: State | Iterable[Whereabouts]) -> Table:
    """Who is where, and since when in local time (a journey: since leaving its origin)."""
    found = state.whereabouts.values() if hasattr(state, "whereabouts") else state
    return Table(
        "Whereabouts",
        ("who", "status", "where", "since (local)"),
        [_whereabouts_row(w) for w in found],
        empty="(nobody yet)",
        status=1,
    )


def agreements_table(state: State) -> Table:
    """The agreements signed, oldest first: when (local), where, title and signatories."""
    return Table(
        "Agreements signed",
        ("at (local)", "place", "title", "signatories"),
        [
            (format_local(s.at, s.place), s.place.name, s.title, ", ".join(s.signatories))
            for s in state.agreements
        ],
    )


def deadlines_table(deadlines: State | Iterable[Deadline]) -> Table:
    """The obligations signed, soonest due first, with their status."""
    found = deadlines.deadlines if hasattr(deadlines, "deadlines") else deadlines
    return Table(
        "Deadlines",
        ("due (local)", "place", "status", "agreement", "obligation"),
        [
            (format_local(d.due, d.place), d.place.name, d.status, d.agreement, d.what)
            for d in found
        ],
        status=2,
    )


def state_heading(state: State, counted: int | None = None, total: int | None = None) -> str:
    """``State as of 2025-10-28 12:30 +09:00 Asia/Tokyo (8 of 14 events had happened)``.

    The instant is shown in its own zone, with its offset (which of two readings of a
    repeated hour it is); the counts are shown if given.
    """
    if state.as_of is None:
        return "State before any event"
    counts = f" ({counted} of {total} events had happened)" if counted is not None else ""
    return f"State as of {format_instant(state.as_of)}{counts}"


def whereabouts_phrase(where: Whereabouts) -> str:
    """``at Tokyo``, ``in transit Tokyo -> Seoul`` or ``unknown``: for reprs."""
    if where.place is not None:
        return f"at {clip(where.place.name)}"
    if where.origin is not None:
        bound = clip(where.destination.name) if where.destination is not None else "?"
        return f"in transit {clip(where.origin.name)} -> {bound}"
    return "unknown"


def whereabouts_line(where: Whereabouts, version: int | None = None) -> str:
    """One person's whereabouts as one line of text, as ``itinerary follow`` prints it.

    ``version 3: Donald Trump: at Tokyo since 2025-10-27 16:30 +09:00 Asia/Tokyo``: the
    time in the place's zone (a journey's in its origin's), names whole, control characters
    written out; *version*, if given, is the log's version it is true at.

    >>> from itinerary import Whereabouts
    >>> from itinerary.places import SEOUL, TOKYO
    >>> whereabouts_line(Whereabouts("Donald Trump", None, TOKYO.at("2025-10-29 09:00"),
    ...                              origin=TOKYO, destination=SEOUL), 7)
    'version 7: Donald Trump: in transit Tokyo -> Seoul since 2025-10-29 09:00 +09:00 Asia/Tokyo'
    """
    prefix = "" if version is None else f"version {version}: "
    who = escape_controls(where.who)
    if where.place is not None:
        phrase, place = f"at {escape_controls(where.place.name)}", where.place
    elif where.origin is not None:
        bound = escape_controls(where.destination.name) if where.destination is not None else "?"
        phrase, place = f"in transit {escape_controls(where.origin.name)} -> {bound}", where.origin
    else:
        return f"{prefix}{who}: unknown"
    since = "" if where.since is None else f" since {format_instant(where.since, place)}"
    return f"{prefix}{who}: {phrase}{since}"


def state_repr(state: State, shown: int = 3) -> str:
    """A state in one line: when, who is where (the first *shown* people), the counts."""
    when = format_instant(state.as_of) if state.as_of is not None else "None"
    everyone = state.whereabouts
    people = [
        f"{text_ref(who)}: {whereabouts_phrase(everyone[who])}" for who in list(everyone)[:shown]
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
    return (whereabouts_table(state), agreements_table(state), deadlines_table(state))


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


# -- logs, events, agendas, checks ----------------------------------------------------------

_EVENT_HEADERS = ("#", "at (local)", "event", "place", "what")


def _event_row(position: int | str, event: Event) -> tuple[str, ...]:
    place = getattr(event, "place", None)
    return (
        str(position),
        format_local(event.occurred_at, place),
        type(event).__name__,
        place.name if place is not None else "",
        event.describe(),
    )


def event_table(event: Event) -> Table:
    """One event as a one-row table: when (local), kind, place, what happened."""
    return Table(None, _EVENT_HEADERS[1:], [_event_row("", event)[1:]])


def _head_tail(count: int, head: int, tail: int) -> tuple[list[int], int]:
    """The indexes a table of *count* items shows, and how many it leaves out."""
    if count <= head + tail + 1:
        return list(range(count)), 0
    return [*range(head), *range(count - tail, count)], count - head - tail


def log_table(log: EventLog | Sequence[Event], *, head: int = HEAD, tail: int = TAIL) -> Table:
    """The log in recording order, its first *head* and last *tail* events only.

    Only those events are read, so a log of a million events shows as fast as one of ten.
    """
    shown, omitted = _head_tail(len(log), head, tail)
    version = len(log)
    return Table(
        f"EventLog: {version:,} event{'s' if version != 1 else ''}, in recording order",
        _EVENT_HEADERS,
        [_event_row(i, log[i]) for i in shown],
        empty="(no events)",
        right=(0,),
        omitted=omitted,
        head=min(head, len(shown)) if omitted else 0,
    )


def agenda_table(
    entries: Sequence[AgendaEntry], *, head: int | None = None, tail: int | None = None
) -> Table:
    """The agenda as a table: day, local hours, offset, place, what happens.

    With *head* and *tail*, only the first and last entries are shown.
    """
    if head is None or tail is None:
        shown, omitted = list(range(len(entries))), 0
    else:
        shown, omitted = _head_tail(len(entries), head, tail)
    rows = []
    for i in shown:
        entry = entries[i]
        hours = entry.start.strftime("%H:%M")
        if entry.end is not None:
            hours += "-" + entry.end.strftime("%H:%M")
        rows.append(
            (
                f"{entry.start:%a} {entry.start:%Y-%m-%d}",
                hours,
                format_instant(entry.start).split(" ", 2)[2],
                entry.place.name if entry.place is not None else "",
                entry.text,
            )
        )
    return Table(
        "Agenda",
        ("day", "hours", "offset, zone", "place", "what"),
        rows,
        empty="(no events)",
        omitted=omitted,
        head=min(head or 0, len(shown)) if omitted else 0,
    )


def format_agenda(entries: Iterable[AgendaEntry]) -> str:
    r"""Plain-text agenda: a heading per local day, then one aligned line per entry.

    Control characters in names are written out visibly (``\x1b``), as in every display.
    """
    lines: list[str] = []
    day = None
    for entry in entries:
        if entry.start.date() != day:
            day = entry.start.date()
            lines.append(f"{entry.start:%A} {entry.start.day} {entry.start:%B %Y}")
        hours = entry.start.strftime("%H:%M")
        if entry.end is not None:
            hours += "-" + entry.end.strftime("%H:%M")
        where = escape_controls(entry.place.name) if entry.place is not None else ""
        text = escape_controls(entry.text)
        lines.append(f"  {hours:<11} {format_offset(entry.start)}  {where:<12}  {text}".rstrip())
    return "\n".join(lines)


def violations_table(violations: Sequence[Violation], *, events: int | None = None) -> Table:
    """The violations :func:`itinerary.check` found: rule, who, positions, message.

    The title counts them, and the events of the log if *events* is given.
    """
    count = len(violations)
    of = f" in {events} events" if events is not None else ""
    return Table(
        f"{count} violation{'s' if count != 1 else ''}{of}" if count else f"No violations{of}",
        ("rule", "who", "positions", "message"),
        [
            (v.rule, v.who or "", ", ".join(map(str, v.positions)), " ".join(v.message.split()))
            for v in violations
        ],
        empty="",
    )


def scenario_tables(scenario: Scenario, *, head: int = HEAD, tail: int = TAIL) -> tuple[Table, ...]:
    """A scenario's summary (title, participants, places, events, plan) and its log's ends."""
    summary = [
        ("title", scenario.title or ""),
        ("participants", ", ".join(scenario.participants) or "(any)"),
        ("places", ", ".join(sorted(scenario.places)) or "(the gazetteer's)"),
        ("events", f"{len(scenario.log):,}"),
    ]
    if scenario.plan is not None:
        summary.append(("plan", f"{len(scenario.plan)} steps"))
    if scenario.disruptions is not None:
        summary.append(("disruptions", "yes"))
    return (
        Table("Scenario", ("", ""), summary),
        log_table(scenario.log, head=head, tail=tail),
    )


# -- the simulator --------------------------------------------------------------------------


def plan_table(plan: Plan) -> Table:
    """A plan's steps in its order: name, kind, who, where, when (planned, local)."""
    from itinerary.sim.plan import _span  # noqa: PLC0415 - the simulator loads on demand
    from itinerary.sim.steps import Fulfilment, Meeting, Signing, Travel  # noqa: PLC0415

    rows = []
    for step in plan.steps:
        if isinstance(step, Fulfilment):
            rows.append((step.name, "fulfilment", "", "", f"{step.after} after {step.agreement!r}"))
            continue
        kind = (
            "travel"
            if isinstance(step, Travel)
            else "meeting"
            if isinstance(step, Meeting)
            else "signing"
        )
        where = (
            f"{step.origin.name} -> {step.destination.name}"
            if isinstance(step, Travel)
            else step.place.name
        )
        assert isinstance(step, Travel | Meeting | Signing)
        rows.append((step.name, kind, ", ".join(step.people), where, _span(step)))
    title = f"Plan {plan.title!r}" if plan.title else "Plan"
    return Table(
        f"{title}: {len(plan)} step{'s' if len(plan) != 1 else ''}",
        ("step", "kind", "who", "where", "when (planned, local)"),
        rows,
        empty="(no steps)",
    )


def _short(d: timedelta) -> str:
    """A slip for a table: ``0``, ``25 min``, ``1h05``."""
    us = int(d.total_seconds() * 1_000_000)
    if us == 0:
        return "0"
    minutes = round(us / 60_000_000)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def _slip(run: Run, name: str) -> str:
    slip = run.slip(name)
    return _short(slip) if slip.total_seconds() >= 0 else f"-{_short(-slip)}"


def run_table(run: Run) -> Table:
    """One simulated run: each step's start (local), slip against the plan, and its cause."""
    rows = [
        (name, format_local(run.start(name), None), _slip(run, name), run.cause(name) or "")
        for name in run.plan.names
    ]
    late = sum(1 for name in run.plan.names if run.slip(name).total_seconds() > 0)
    return Table(
        f"Run, seed {run.seed}: {late} of {len(run.plan)} steps started late; "
        f"{len(run.log):,} events",
        ("step", "started (local)", "slip", "cause"),
        rows,
        right=(2,),
    )


def format_outcomes(
    outcomes: Outcomes, *, kinds: Iterable[str] = ("meeting", "signing", "travel")
) -> str:
    """The risk tables as text: what ``itinerary simulate`` prints (and ``str(outcomes)``)."""
    return "\n\n".join(
        table.text(upper=False, indent="", rule=True)
        for table in outcomes_tables(outcomes, kinds=kinds)
    )


def outcomes_tables(
    outcomes: Outcomes, *, kinds: Iterable[str] = ("meeting", "signing", "travel")
) -> tuple[Table, ...]:
    """The risk table and the deadline risks: what ``itinerary simulate`` prints.

    The risk table gives each step's chance of starting late and its median and 90% slip.
    """
    wanted = set(kinds)
    risks = Table(
        f"{outcomes.runs:,} runs, seed {outcomes.seed}",
        ("step", "kind", "p late", "median slip", "90% slip"),
        [
            (r.name, r.kind, f"{r.p_late:6.1%}", _short(r.median), _short(r.p90))
            for r in outcomes.risks()
            if r.kind in wanted
        ],
        right=(2, 3, 4),
    )
    deadlines = outcomes.deadline_risks()
    if not deadlines:
        return (risks,)
    return (
        risks,
        Table(
            None,
            ("agreement", "obligation", "risk late or unmet"),
            [(a, w, f"{risk:6.1%}") for (a, w), risk in deadlines.items()],
            right=(2,),
        ),
    )
