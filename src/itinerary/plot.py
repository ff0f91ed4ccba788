"""Pictures of a tour and of its risk: a timeline, an S-curve and a tornado.

:func:`s_curve` and :func:`tornado` draw a Monte Carlo study (see the end of this module);
the rest of this module is the timeline, one swim lane per person on a time axis in one zone.

:func:`timeline` draws, for each person, their stays (coloured by place) and journeys
(hatched) as the whereabouts projection tells them, their meetings as solid bars labelled
with the meetings' titles, and their signings as stars; a last lane holds the obligations'
deadlines as diamonds coloured by status. Times read in the zone you choose; where a place's
own clocks show another offset, its local times are added to the labels.

Matplotlib is an optional extra (``pip install "itinerary[plot]"``, or
``"itinerary[notebook]"``): it is imported when :func:`timeline` is called, never with the
library, and the figure is made without ``pyplot``, so drawing one changes no backend and no
global state.

>>> from itinerary import load_scenario
>>> fig = timeline(load_scenario("examples/asia_tour_2025.toml").log, tz="Asia/Tokyo")
>>> [label.get_text() for label in fig.axes[0].get_yticklabels()]
['Donald Trump', 'Emperor Naruhito', 'Sanae Takaichi', 'Deadlines']
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import attrs

from itinerary import _time
from itinerary._extras import require
from itinerary._spans import Span, horizon, spans
from itinerary._text import clip, escape_controls
from itinerary.errors import ItineraryError
from itinerary.events import AgreementSigned, Event, MeetingHeld, format_local
from itinerary.log import EventLog
from itinerary.places import Place
from itinerary.projections import Deadline, replay
from itinerary.projections import timeline as occurrences

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from itinerary.sim import Outcomes

__all__ = ["DEADLINES_LANE", "s_curve", "timeline", "tornado"]

DEADLINES_LANE = "Deadlines"
"""The label of the last lane, which holds the obligations' deadlines."""

_WIDTH = 8.0  # inches: the figure's width when timeline() makes the figure (800 px at 100 dpi:
# a docs page or a notebook shows it at its natural size, not shrunk)
_BAR = 0.5  # a lane's bar height, in lane units
_LEVEL = 0.34  # the height of one row of labels above a bar, in lane units
_INCH_PER_UNIT = 0.62  # a lane unit's height in inches
_MAX_LEVELS = 8  # rows of labels above one lane; labels that find no room are left out
_FONT = 9.0  # points: 12.5 px high at 100 dpi, 11.5 px if an 800 px figure is shown 736 px wide
_STATUS_COLOURS = {"pending": "#e69f00", "overdue": "#d62728", "met": "#2ca02c"}
_TRAVEL_EDGE = "#555555"
_Style = Literal["normal", "italic"]
_NAME = 32  # characters of a name shown on a lane, in a bar or in the legend
_TEXT = 48  # characters of a title shown in a label (its local times are added after)
_TITLE = 80  # characters of the chart's title


def _shown(text: str, limit: int) -> str:
    r"""*text* as the figure shows it: controls escaped as in text output, cut to *limit*.

    A text cut short ends in ``…``. A ``$`` is drawn as itself, never read as the start of
    mathtext (``$\frac$`` in a name would otherwise stop the drawing).
    """
    return clip(text, limit).replace("$", r"\$")


def _whole(text: str, limit: int) -> str | None:
    """The artist's gid for *text*: its whole text (controls escaped) if it was cut, else None."""
    escaped = escape_controls(text)
    return escaped if len(escaped) > limit else None


def _matplotlib(feature: str = "itinerary.plot.timeline()") -> Any:
    """The matplotlib package, or :class:`MissingExtraError` saying how to install it."""
    matplotlib = require("matplotlib", extra="plot", feature=feature)
    for part in ("dates", "figure", "patches"):  # one message for a broken install too
        require(f"matplotlib.{part}", extra="plot", feature=feature)
    return matplotlib


@attrs.frozen
class _Label:
    """A text to place above or below a lane, starting at *x* (days), *width* days wide."""

    x: float
    width: float
    text: str
    style: _Style = "normal"
    whole: str | None = None  # the whole text, if *text* was cut short


def _num(instant: datetime) -> float:
    """An instant as matplotlib's date number (days since its epoch)."""
    import matplotlib.dates as mdates  # noqa: PLC0415 - loaded by _matplotlib()

    utc = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=_time.micros(instant))
    return float(mdates.date2num(utc))


def _zone_of_log(events: Sequence[Event]) -> str | None:
    """The zone of the place of the first event (in occurrence order) that has a place."""
    for event in events:
        place = getattr(event, "place", None)
        if isinstance(place, Place):
            return place.tz
    return None


def _zone(tz: str | Place | None, events: Sequence[Event]) -> str | None:
    if isinstance(tz, Place):
        return tz.tz
    if tz is None:
        return _zone_of_log(events)
    return _time.check_zone(tz)


def _people(events: Iterable[Event]) -> list[str]:
    """Everyone in *events*, in the order they first appear."""
    return list(dict.fromkeys(who for event in events for who in event.people))


def _offset_note(instant: datetime, place: Place, tz: str) -> str:
    """`` +08:00`` if clocks at *place* showed another offset than zone *tz*, else ``""``."""
    here, axis = place.local(instant), _time.to_zone(instant, tz)
    return "" if here.utcoffset() == axis.utcoffset() else f" {_time.format_offset(here)}"


def _meeting_label(meeting: MeetingHeld, tz: str) -> str:
    title = _shown(meeting.title, _TEXT)
    note = _offset_note(meeting.start, meeting.place, tz)
    if not note:
        return title
    start, end = meeting.place.local(meeting.start), meeting.place.local(meeting.end)
    return f"{title} ({start:%H:%M}-{end:%H:%M}{note})"


def _signing_label(signing: AgreementSigned, tz: str) -> str:
    note = _offset_note(signing.at, signing.place, tz)
    at = signing.place.local(signing.at)
    title = _shown(signing.title, _TEXT)
    return f"signed: {title}" + (f" ({at:%H:%M}{note})" if note else "")


def _deadline_label(deadline: Deadline, shown: bool) -> str:
    what, agreement = _shown(deadline.what, _TEXT // 2), _shown(deadline.agreement, _TEXT // 2)
    text = f"{what} ({agreement}), {deadline.status}"
    if shown:
        return text
    place = _shown(deadline.place.name, _TEXT // 2)
    return f"due {format_local(deadline.due, deadline.place)} {place}: {text}"


def _deadline_whole(deadline: Deadline) -> str | None:
    if _whole(deadline.what, _TEXT // 2) is None and _whole(deadline.agreement, _TEXT // 2) is None:
        return None
    return escape_controls(f"{deadline.what} ({deadline.agreement})")


def _levels(labels: list[_Label], low: float, high: float, gap: float) -> list[tuple[_Label, int]]:
    """Each label with the row it goes in: the lowest row where it overlaps nothing.

    A label that would run past *high* is moved left to end there. Labels that find no row
    among the first :data:`_MAX_LEVELS` are left out.
    """
    placed: list[tuple[_Label, int]] = []
    ends: list[float] = []
    moved = sorted(
        (attrs.evolve(label, x=max(low, min(label.x, high - label.width))) for label in labels),
        key=lambda label: label.x,
    )
    for label in moved:
        for level, end in enumerate(ends):  # noqa: B007 - the row found is used below
            if end + gap <= label.x:
                break
        else:
            if len(ends) == _MAX_LEVELS:
                continue
            level = len(ends)
            ends.append(low)
        ends[level] = label.x + label.width
        placed.append((label, level))
    return placed


def _count(rows: list[tuple[_Label, int]]) -> int:
    """How many rows of labels *rows* fills."""
    return 1 + max((level for _, level in rows), default=-1)


def _colours(places: Iterable[Place]) -> dict[str, Any]:
    """A colour for each place name, in the order given (tab10 without its grey, then tab20)."""
    from matplotlib import colormaps  # noqa: PLC0415

    tab10 = colormaps["tab10"].colors  # type: ignore[attr-defined]
    palette = [c for i, c in enumerate(tab10) if i != 7] + list(colormaps["tab20"].colors)  # type: ignore[attr-defined]
    names = dict.fromkeys(place.name for place in places)
    return dict(zip(names, itertools.cycle(palette), strict=False))


def timeline(
    log: EventLog | Iterable[Event],
    *,
    tz: str | Place | None = None,
    ax: Axes | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    title: str | None = None,
) -> Figure:
    """A swim-lane chart of *log*: one lane per person, and a lane of deadlines.

    Args:
        log: The events to draw (an :class:`~itinerary.EventLog` or any iterable of events).
        tz: The zone the time axis reads in: an IANA zone name or a :class:`Place`. By default
            the zone of the first event's place (in occurrence order), never the machine's
            zone and never UTC unless the tour starts there. The axis label names the zone
            and its offsets; a meeting, signing or stay at a place whose clocks show another
            offset has its local times in its label.
        ax: Draw on these matplotlib axes instead of a new figure (its size is kept).
        start: The left end of the time axis, an aware datetime; by default the first event.
        end: The right end; by default the latest instant the events record (a meeting's
            end). Deadlines outside the axis are drawn at its edge, with their date.
        title: A title above the chart.

    Returns:
        The :class:`matplotlib.figure.Figure` drawn on (the one *ax* belongs to, if given).
        Lanes are in the order people first appear in the log; their names are the y tick
        labels, followed by :data:`DEADLINES_LANE` if any agreement has obligations. Save it
        with ``fig.savefig("tour.png")``; in a notebook (IPython, Jupyter) it shows itself as
        a PNG, whether or not ``pyplot`` was imported.

    Raises:
        MissingExtraError: matplotlib is not installed (``pip install "itinerary[plot]"``).
        UnknownZoneError: *tz* is not an IANA zone name.
        NaiveDatetimeError: *start* or *end* has no zone.
        ItineraryError: *end* is not after *start*.

    """
    _matplotlib()
    from matplotlib.figure import Figure  # noqa: PLC0415 - loaded by _matplotlib()

    events = occurrences(log).events
    zone = _zone(tz, events)
    window = _window(events, start, end)
    if ax is None:
        fig, axes = Figure(figsize=(_WIDTH, 4.0)), None
    else:
        root = ax.figure
        fig, axes = (root if isinstance(root, Figure) else root.figure), ax
    if zone is None or window is None:  # nothing to draw
        shown = axes if axes is not None else fig.add_subplot()
        shown.set_yticks([])
        shown.set_xticks([])
        note = "No event has a place: give tz= to draw the axis" if events else "No events"
        shown.text(0.5, 0.5, note, ha="center", va="center", transform=shown.transAxes)
        if title:
            shown.set_title(_shown(title, _TITLE), gid=_whole(title, _TITLE))
        if ax is None:
            _show_in_notebooks(fig)
        return fig
    chart = _Chart(fig, axes, events, zone, window)
    chart.lay_out(title)
    chart.draw_axis()
    chart.draw_marks()
    chart.draw_labels()
    chart.draw_legend(title)
    if ax is None:
        _show_in_notebooks(fig)
    return fig


def _png(fig: Figure) -> bytes:
    """*fig* as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _show_in_notebooks(fig: Figure) -> None:
    """Give *fig* a ``_repr_png_``, so that IPython and Jupyter show it as a picture.

    A figure made without ``pyplot`` has no display formatter until something imports
    ``pyplot`` (which loads the notebook's backend); without this it would show as
    ``<Figure size 1200x548 with 1 Axes>``. Where the backend's formatter is registered,
    IPython uses that one instead, so the picture is never shown twice.
    """
    setattr(fig, "_repr_png_", functools.partial(_png, fig))  # noqa: B010 - not a Figure attribute


def _window(
    events: Sequence[Event], start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime] | None:
    """The instants at the two ends of the time axis, or None if there is nothing to show."""
    first = _time.instant(start, what="start") if start is not None else None
    last = _time.instant(end, what="end") if end is not None else None
    if first is None and events:
        first = events[0].occurred_at
    if last is None:
        last = horizon(events)
    if first is None or last is None:
        return None
    if _time.micros(last) <= _time.micros(first):
        if start is not None and end is not None:
            raise ItineraryError(
                f"timeline(): end ({last.isoformat()}) must be after start ({first.isoformat()})"
            )
        last = first + timedelta(hours=1)
    return first, last


class _Chart:
    """One timeline being drawn: its lanes, scales and labels, step by step."""

    def __init__(
        self,
        fig: Figure,
        axes: Axes | None,
        events: Sequence[Event],
        zone: str,
        window: tuple[datetime, datetime],
    ) -> None:
        self.fig = fig
        self.own = axes is None  # a figure of our own, sized to fit the lanes
        self.axes: Axes = fig.add_subplot() if axes is None else axes
        self.zone = zone
        self.window = window
        self.people = _people(events)
        self.spans = [span for span in spans(events) if span.who in self.people]
        self.signings = [e for e in events if isinstance(e, AgreementSigned)]
        self.meetings = [e for e in events if isinstance(e, MeetingHeld)]
        self.deadlines = replay(events).deadlines if events else ()
        self.lanes = self.people + ([DEADLINES_LANE] if self.deadlines else [])
        x0, x1 = _num(window[0]), _num(window[1])
        pad = (x1 - x0) * 0.02
        self.low, self.high = x0 - pad, x1 + pad
        self.axes.set_xlim(self.low, self.high)
        if self.own:  # room on the left for the longest name (at most half the width)
            names = max(
                (_text_width(fig, _shown(name, _NAME), _FONT + 1) for name in self.lanes),
                default=0,
            )
            left = min((names / fig.dpi + 0.35) / _WIDTH, 0.5)
            fig.subplots_adjust(left=left, right=1 - 0.25 / _WIDTH)
        axes_px = self.axes.get_window_extent().width
        self.days_per_px = (self.high - self.low) / axes_px if axes_px else 0.0
        places = [span.place for span in self.spans if span.place is not None]
        places += [e.place for e in events if isinstance(e, MeetingHeld | AgreementSigned)]
        self.colours = _colours(places)
        self.centres: dict[str, float] = {}
        self.above: dict[str, list[tuple[_Label, int]]] = {}
        self.below: dict[str, list[tuple[_Label, int]]] = {}

    def width(self, text: str, size: float = _FONT, style: _Style = "normal") -> float:
        """The width of *text* on the time axis, in days."""
        return _text_width(self.fig, text, size, style) * self.days_per_px

    def lay_out(self, title: str | None) -> None:
        """Rows of labels above each lane (its meetings, or deadlines) and below (signings).

        Then the lanes from the top, each with room for its rows; the figure's height follows.
        """
        above: dict[str, list[_Label]] = {lane: [] for lane in self.lanes}
        below: dict[str, list[_Label]] = {lane: [] for lane in self.lanes}
        for meeting in self.meetings:
            text = _meeting_label(meeting, self.zone)
            whole = _whole(meeting.title, _TEXT)
            for who in meeting.participants:
                above[who].append(_Label(_num(meeting.start), self.width(text), text, whole=whole))
        for signing in self.signings:
            text = _signing_label(signing, self.zone)
            wide = self.width(text, style="italic")
            whole = _whole(signing.title, _TEXT)
            for who in signing.signatories:
                below[who].append(_Label(_num(signing.at), wide, text, "italic", whole))
        for deadline in self.deadlines:
            x = _num(deadline.due)
            text = _deadline_label(deadline, shown=self.low <= x <= self.high)
            x = min(max(x, self.low), self.high)
            whole = _deadline_whole(deadline)
            above[DEADLINES_LANE].append(_Label(x, self.width(text), text, whole=whole))
        gap = 6 * self.days_per_px
        for lane in self.lanes:
            self.above[lane] = _levels(above[lane], self.low, self.high, gap)
            self.below[lane] = _levels(below[lane], self.low, self.high, gap)
        y = 0.0
        for lane in self.lanes:
            y += 0.15 + _count(self.above[lane]) * _LEVEL + _BAR / 2
            self.centres[lane] = y
            y += _BAR / 2 + 0.15 + _count(self.below[lane]) * _LEVEL
        total = y + 0.15
        if self.own:
            legend_rows = -(-len(self.legend_labels()) // self.legend_columns())
            top = 0.15 + (0.4 if title else 0.0)
            bottom = 0.95 + 0.3 * legend_rows  # two lines of ticks, the axis label, the legend
            height = total * _INCH_PER_UNIT + bottom + 0.25 + top
            self.fig.set_size_inches(_WIDTH, height)
            self.fig.subplots_adjust(top=1 - top / height, bottom=bottom / height)
        axes = self.axes
        axes.set_ylim(total, 0.0)
        axes.set_yticks(
            [self.centres[lane] for lane in self.lanes],
            labels=[_shown(lane, _NAME) for lane in self.lanes],
        )
        for label, lane in zip(axes.get_yticklabels(), self.lanes, strict=True):
            label.set_gid(_whole(lane, _NAME))
        axes.tick_params(axis="y", length=0, labelsize=_FONT + 1)
        if DEADLINES_LANE in self.centres:
            axes.get_yticklabels()[-1].set_fontstyle("italic")
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)

    def draw_axis(self) -> None:
        """The time axis, its ticks and label in the chosen zone."""
        axes = self.axes
        locator = _time_axis(axes, self.zone)
        axes.grid(axis="x", color="#dddddd", linewidth=0.8)
        axes.set_axisbelow(True)
        label = _axis_label(self.zone, *self.window, locator())
        axes.set_xlabel(label, fontsize=_FONT + 1)

    def draw_marks(self) -> None:
        """Stays and journeys, meetings, signings and deadlines."""
        busy: dict[str, list[tuple[float, float]]] = {who: [] for who in self.people}
        for meeting in self.meetings:
            for who in meeting.participants:
                busy[who].append((_num(meeting.start), _num(meeting.end)))
        for who, x, count in self.stars():
            busy[who].append(
                (x, x + (self.width(f"×{count}") + 9 * self.days_per_px) * (count > 1))
            )
        for span in self.spans:
            self.draw_span(span, busy[span.who])
        for meeting in self.meetings:
            s, e = _num(meeting.start), _num(meeting.end)
            for who in meeting.participants:
                self.axes.broken_barh(
                    [(s, max(e - s, 2 * self.days_per_px))],
                    (self.centres[who] - _BAR / 2, _BAR),
                    facecolors=self.colours[meeting.place.name],
                    edgecolors="#222222",
                    linewidth=0.6,
                    zorder=3,
                )
        for who, x, count in self.stars():
            self.axes.plot(
                x, self.centres[who], marker="*", markersize=11, color="#111111",
                markeredgecolor="white", markeredgewidth=0.6, zorder=4, linestyle="none",
            )  # fmt: skip
            if count > 1:  # signings too close to tell apart: one star, and how many
                self.axes.text(
                    x + 7 * self.days_per_px, self.centres[who], f"×{count}",
                    fontsize=_FONT - 1, ha="left", va="center", color="#111111", zorder=5,
                )  # fmt: skip
        for deadline in self.deadlines:
            x, marker = _num(deadline.due), "D"
            if x > self.high or x < self.low:
                x, marker = (self.high, ">") if x > self.high else (self.low, "<")
            self.axes.plot(
                x, self.centres[DEADLINES_LANE], marker=marker, markersize=7,
                linestyle="none", color=_STATUS_COLOURS[deadline.status],
                markeredgecolor="#333333", markeredgewidth=0.5, zorder=4, clip_on=False,
            )  # fmt: skip

    def stars(self) -> list[tuple[str, float, int]]:
        """Each lane's signing stars: (who, x, how many signings it stands for).

        Signings of one person closer than a star's width (14 px) would print on top of
        each other: they are merged into one star at the first, marked with their count.
        """
        found: list[tuple[str, float, int]] = []
        near = 14 * self.days_per_px
        for who in self.people:
            xs = sorted(_num(s.at) for s in self.signings if who in s.signatories)
            group: list[float] = []
            for x in xs:
                if group and x - group[-1] >= near:
                    found.append((who, group[0], len(group)))
                    group = []
                group.append(x)
            if group:
                found.append((who, group[0], len(group)))
        return found

    def draw_span(self, span: Span, busy: list[tuple[float, float]]) -> None:
        """A stay as a light bar in its place's colour, a journey as a hatched one.

        Its label goes in the widest stretch no meeting or signing covers, if it fits there;
        a last stay (no departure recorded) is paler and runs to the axis's end.
        """
        s = max(_num(span.start), self.low)
        e = self.high if span.end is None else min(_num(span.end), self.high)
        if e <= s:
            return
        y = self.centres[span.who]
        box = (y - _BAR / 2, _BAR)
        style: _Style = "normal"
        if span.kind == "stay":
            assert span.place is not None
            self.axes.broken_barh(
                [(s, e - s)], box, facecolors=self.colours[span.place.name],
                alpha=0.22 if span.end is None else 0.45, edgecolors="none", zorder=2,
            )  # fmt: skip
            text = _shown(span.place.name, _NAME) + _offset_note(span.start, span.place, self.zone)
            whole = _whole(span.place.name, _NAME)
            if span.end is None:
                style = "italic"
        else:
            self.axes.broken_barh(
                [(s, e - s)], box, facecolors="white", edgecolors=_TRAVEL_EDGE, hatch="////",
                linewidth=0.6, zorder=2,
            )  # fmt: skip
            to = span.destination.name if span.destination is not None else "?"
            text, whole = f"to {_shown(to, _NAME)}", _whole(to, _NAME)
        space = self.width(" ")
        free_start, free_width = _widest_gap(s, e, busy, space)
        if self.width(text, _FONT - 0.5, style) + 2 * space < free_width:
            self.axes.text(
                free_start + space, y, text, fontsize=_FONT - 0.5, va="center", ha="left",
                fontstyle=style, color="#333333", zorder=2.5, gid=whole,
                bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1.0}
                if span.kind == "travel" else None,
            )  # fmt: skip

    def draw_labels(self) -> None:
        """The labels, in their rows above and below the lanes."""
        for lane in self.lanes:
            top = self.centres[lane] - _BAR / 2 - 0.05
            bottom = self.centres[lane] + _BAR / 2 + 0.05
            for rows, y0, step, va in (
                (self.above[lane], top, -_LEVEL, "bottom"),
                (self.below[lane], bottom, _LEVEL, "top"),
            ):
                for label, level in rows:
                    self.axes.text(
                        label.x, y0 + level * step, label.text, fontsize=_FONT, ha="left",
                        va=va, fontstyle=label.style, color="#222222", zorder=5,
                        clip_on=False, gid=label.whole,
                    )  # fmt: skip

    def legend_labels(self) -> list[str]:
        """The legend's entries: the places, then what the shapes mean."""
        labels = [_shown(name, _NAME) for name in self.colours]
        labels += ["travelling", "meeting"] + (["signing"] if self.signings else [])
        for status in ("pending", "overdue", "met"):
            if any(d.status == status for d in self.deadlines):
                labels.append(f"deadline, {status}")
        return labels

    def legend_columns(self) -> int:
        """As many legend columns as fit the figure's width, each as wide as the widest entry.

        An entry is its text and about 5 em of handle and spacing.
        """
        room = _WIDTH * self.fig.dpi - 20
        labels = self.legend_labels()
        widest = max(_text_width(self.fig, label, _FONT) for label in labels)
        entry = widest + 5 * _FONT * self.fig.dpi / 72
        return max(1, min(len(labels), int(room // entry)))

    def draw_legend(self, title: str | None) -> None:
        """The legend (places, then what the shapes mean) and the title."""
        from matplotlib.patches import Patch  # noqa: PLC0415

        handles: list[Any] = [
            Patch(facecolor=colour, alpha=0.45, label=_shown(name, _NAME), gid=_whole(name, _NAME))
            for name, colour in self.colours.items()
        ]
        handles.append(
            Patch(facecolor="white", edgecolor=_TRAVEL_EDGE, hatch="////", label="travelling")
        )
        handles.append(Patch(facecolor="#999999", edgecolor="#222222", label="meeting"))
        if self.signings:
            handles.append(_marker("*", "#111111", "signing", 11))
        for status in ("pending", "overdue", "met"):
            if any(d.status == status for d in self.deadlines):
                colour = _STATUS_COLOURS[status]
                handles.append(_marker("D", colour, f"deadline, {status}", 7))
        if self.own:
            legend = self.fig.legend(
                handles=handles, loc="lower center", ncols=self.legend_columns(),
                fontsize=_FONT, frameon=False, bbox_to_anchor=(0.5, 0.0),
            )  # fmt: skip
        else:
            legend = self.axes.legend(  # outside the axes, on the right: the lanes keep their room
                handles=handles, fontsize=_FONT, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                frameon=False,
            )  # fmt: skip
        for text, handle in zip(legend.get_texts(), handles, strict=True):
            text.set_gid(handle.get_gid())  # a place's whole name, if it was cut
        if title:
            self.axes.set_title(
                _shown(title, _TITLE), fontsize=_FONT + 3, loc="left", gid=_whole(title, _TITLE)
            )


def _marker(marker: str, colour: str, label: str, size: float) -> Any:
    from matplotlib.lines import Line2D  # noqa: PLC0415

    return Line2D(
        [], [], marker=marker, color=colour, markeredgecolor="#333333", markeredgewidth=0.5,
        linestyle="none", markersize=size, label=label,
    )  # fmt: skip


@functools.lru_cache(maxsize=8)
def _renderer(dpi: float) -> Any:
    """An Agg renderer at *dpi*, only to measure text (text sizes depend on the dpi only)."""
    from matplotlib.backends.backend_agg import RendererAgg  # noqa: PLC0415

    return RendererAgg(1, 1, dpi)


@functools.lru_cache(maxsize=4096)
def _measure(text: str, size: float, style: _Style, dpi: float) -> float:
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    font = FontProperties(size=size, style=style)
    width, _, _ = _renderer(dpi).get_text_width_height_descent(text, font, ismath=False)
    return float(width)


def _text_width(fig: Figure, text: str, size: float, style: _Style = "normal") -> float:
    """The width of *text* in pixels, as drawn at *fig*'s dpi (measured once, then kept)."""
    return _measure(text, size, style, float(fig.dpi))


def _time_axis(axes: Axes, zone_name: str) -> Any:
    """Put a time axis in *zone_name* on *axes*: its locator, and ticks that say the day.

    The first tick of each local day shows its date (and the first tick, its year): a
    midnight tick reads ``Tue 28 Oct``, another ``12:00`` over ``Sun 26 Oct 2025``, and
    the day's later ticks their clock time only. Returns the locator.
    """
    import matplotlib.dates as mdates  # noqa: PLC0415
    from matplotlib.ticker import Formatter  # noqa: PLC0415

    zone = _time.zone(zone_name)

    class DayTicks(Formatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return self.format_ticks([x])[0]

        def format_ticks(self, values: Sequence[float]) -> list[str]:
            out: list[str] = []
            day, year = None, None
            for value in values:
                local = mdates.num2date(value, tz=zone)
                clock = f"{local:%H:%M}"
                if local.date() == day:
                    out.append(clock)
                    continue
                date = f"{local:%a %d %b}" + ("" if local.year == year else f" {local:%Y}")
                out.append(date if clock == "00:00" else f"{clock}\n{date}")
                day, year = local.date(), local.year
            return out

    locator = mdates.AutoDateLocator(tz=zone, minticks=4, maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(DayTicks())
    axes.tick_params(axis="x", labelsize=_FONT)
    return locator


def _axis_label(zone: str, first: datetime, last: datetime, ticks: Sequence[float]) -> str:
    """``Time in Asia/Tokyo (+09:00)``, with every offset the zone shows on the axis."""
    import matplotlib.dates as mdates  # noqa: PLC0415

    seen = [_time.to_zone(first, zone), _time.to_zone(last, zone)]
    seen += [_time.to_zone(mdates.num2date(x), zone) for x in ticks]
    seen.sort(key=_time.micros)
    offsets = list(dict.fromkeys(_time.format_offset(moment) for moment in seen))
    return f"Time in {zone} ({', then '.join(offsets)})"


def _widest_gap(
    start: float, end: float, busy: list[tuple[float, float]], margin: float
) -> tuple[float, float]:
    """The widest stretch of ``start..end`` at least *margin* away from every busy interval."""
    best = (start, 0.0)
    cursor = start
    for s, e in sorted(busy):
        if e + margin <= cursor or s - margin >= end:
            continue
        if s - margin - cursor > best[1]:
            best = (cursor, s - margin - cursor)
        cursor = max(cursor, e + margin)
    if end - cursor > best[1]:
        best = (cursor, end - cursor)
    return best


# -- pictures of risk: a Monte Carlo study's S-curve and tornado ---------------------------

_QUANTILES = (0.5, 0.8, 0.9)
_RISK_WIDTH = 7.5  # inches: 750 px at 100 dpi, about the width a page shows
_PLANNED = "#d62728"
_CURVE = "#1f77b4"


def _new_figure(ax: Axes | None, height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure  # noqa: PLC0415 - loaded by _matplotlib()

    if ax is not None:
        root = ax.figure
        return (root if isinstance(root, Figure) else root.figure), ax
    fig = Figure(figsize=(_RISK_WIDTH, height), layout="constrained")
    return fig, fig.add_subplot()


def _check_outcomes(outcomes: object, what: str) -> None:
    from itinerary.sim import Outcomes  # noqa: PLC0415 - below presentation, loaded already

    if not isinstance(outcomes, Outcomes):
        raise ItineraryError(f"{what} needs the Outcomes of monte_carlo(), got {outcomes!r}")


def s_curve(
    outcomes: Outcomes, step: str | None = None, *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """An S-curve: the share of runs in which *step* had started by each local time.

    The cumulative distribution of the step's start over the runs in which it happened, or,
    with ``step=None``, of the tour's end (when its last meeting, signing or leg ended;
    see ``itinerary.sim.report.run_ends``). The planned time is a red line, where the
    curve's height is ``1 - p_late``; P50, P80 and P90 are marked and labelled with their
    local times. The axis reads in the zone of the step's place (a leg's origin; the tour's
    end: where its planned last step ends), with the date on the first tick of each day.
    The curve is drawn up to P99 (or the planned time, if later), so a long tail does not
    squash it; the title says how far the last runs went.

    Returns:
        The :class:`matplotlib.figure.Figure` (with ``_repr_png_``, like :func:`timeline`).

    Raises:
        MissingExtraError: matplotlib is not installed (``pip install "itinerary[plot]"``).
        itinerary.errors.InvalidPlanError: no step called *step* in the plan.
        ItineraryError: the step happened in no run.

    """
    _matplotlib("itinerary.plot.s_curve()")
    from itinerary.sim.report import quantile  # noqa: PLC0415 - the sim layer

    _check_outcomes(outcomes, "s_curve()")
    values, planned_at, name = _curve(outcomes, step)
    zone = _time.zone_name(planned_at) or "UTC"
    fig, axes = _new_figure(ax, 4.2)
    planned_us = _time.micros(planned_at)
    n = len(values)
    xs = [_num(_time.from_micros(v, zone)) for v in values]
    ys = [(i + 1) / n for i in range(n)]
    p99 = quantile(values, 0.99)
    right = max(p99, planned_us)
    left = min(values[0], planned_us)
    if right - left < 3_600_000_000:  # at least an hour wide: a step that never slips
        right = left + 3_600_000_000
    pad = (right - left) // 25
    low, high = (
        _num(_time.from_micros(left - pad, zone)),
        _num(_time.from_micros(right + pad, zone)),
    )
    axes.step([low, *xs, high], [0.0, *ys, 1.0], where="post", color=_CURVE, linewidth=2,
              gid="s-curve")  # fmt: skip
    on_time = sum(1 for v in values if v <= planned_us) / n
    x_plan = _num(planned_at)
    axes.axvline(x_plan, color=_PLANNED, linewidth=1.5, linestyle="--", gid="planned")
    axes.annotate(  # right of the line and low down: the curve is left of it there
        f"planned {_time.to_zone(planned_at, zone):%H:%M}: {on_time:.1%} by then",
        (x_plan, 0.04), xytext=(5, 0), textcoords="offset points", ha="left",
        va="bottom", fontsize=_FONT, color=_PLANNED,
    )  # fmt: skip
    _mark_quantiles(axes, values, zone, low)
    axes.set_xlim(low, high)
    axes.set_ylim(0.0, 1.02)
    axes.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    axes.tick_params(axis="y", labelsize=_FONT)
    locator = _time_axis(axes, zone)
    axes.set_xlabel(_axis_label(zone, _time.from_micros(left, zone), _time.from_micros(right, zone),
                                locator()), fontsize=_FONT)  # fmt: skip
    axes.set_ylabel("share of runs", fontsize=_FONT)
    axes.grid(color="#e5e5e5", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    later = sum(1 for v in values if v > right)
    tail = ""
    if later:
        last = _time.from_micros(values[-1], zone)
        tail = f"; {later / n:.1%} of runs later, the last {format_local(last, None)}"
    _headings(axes, title if title is not None else f"S-curve: {name}", f"{n:,} runs{tail}")
    if ax is None:
        _show_in_notebooks(fig)
    return fig


def _curve(outcomes: Outcomes, step: str | None) -> tuple[list[int], datetime, str]:
    """The sorted instants (µs) :func:`s_curve` draws, the planned one, and what they are."""
    from itinerary.sim.report import run_ends  # noqa: PLC0415 - the sim layer

    if step is None:
        ends = run_ends(outcomes)
        if ends is None:
            raise ItineraryError("s_curve(): the plan has no meeting, signing or leg to end it")
        values = sorted(e for e in ends.ends if e is not None)
        planned_at, name = ends.planned, "the tour's end"
    else:
        planned_at = outcomes.planned(step)
        base = _time.micros(planned_at)
        gone = outcomes.dropped(step)
        values = sorted(base + s for s, d in zip(outcomes.slips(step), gone, strict=True) if not d)
        name = f"start of {step}"
    if not values:
        raise ItineraryError(f"s_curve(): {step!r} happened in no run")
    return values, planned_at, name


def _mark_quantiles(axes: Axes, values: list[int], zone: str, low: float) -> None:
    """P50, P80 and P90 of *values*: a dot on the curve, a dotted line, the local time."""
    from itinerary.sim.report import quantile, to_minute  # noqa: PLC0415 - the sim layer

    for q in _QUANTILES:
        at = quantile(values, q)
        x = _num(_time.from_micros(at, zone))
        axes.plot([low, x], [q, q], color="#777777", linewidth=0.8, linestyle=":")
        axes.plot([x], [q], marker="o", color=_CURVE, markersize=5, linestyle="none",
                  gid=f"P{round(q * 100)}")  # fmt: skip
        axes.annotate(
            f"P{round(q * 100)} {_time.from_micros(to_minute(at), zone):%H:%M}", (x, q),
            xytext=(6, -2), textcoords="offset points", ha="left", va="top", fontsize=_FONT,
        )  # fmt: skip


def _headings(axes: Axes, title: str, note: str) -> None:
    """A title, and under it a smaller grey note, above *axes*."""
    axes.set_title(_shown(title, _TITLE), fontsize=_FONT + 2, loc="left", pad=_FONT + 10)
    axes.annotate(
        _shown(note, _TITLE + 20), (0.0, 1.0), xycoords="axes fraction", xytext=(0, 5),
        textcoords="offset points", fontsize=_FONT - 1, color="#555555", ha="left",
        va="bottom",
    )  # fmt: skip


def tornado(
    outcomes: Outcomes, step: str | None = None, *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """A tornado: what makes *step* (or, with None, the tour's end) late, ranked by blame.

    One bar per thing blamed, the largest on top, its length the share of runs in which it
    was to blame (``itinerary.sim.report.blame``: for a step, its criticality), so the
    bars sum to the share of runs in which *step* started late (the tour: ended late). The
    names are whatever the study blames, so steps, and risks or resources when a study
    names them, are drawn alike.

    Returns:
        The :class:`matplotlib.figure.Figure` (with ``_repr_png_``, like :func:`timeline`).

    Raises:
        MissingExtraError: matplotlib is not installed (``pip install "itinerary[plot]"``).
        itinerary.errors.InvalidPlanError: no step called *step* in the plan.

    """
    _matplotlib("itinerary.plot.tornado()")
    from itinerary.sim.report import blame, tour_end  # noqa: PLC0415 - the sim layer

    _check_outcomes(outcomes, "tornado()")
    shares = blame(outcomes, step)
    if step is None:
        end = tour_end(outcomes)
        p_late = 0.0 if end is None or end.p_late != end.p_late else end.p_late
        name = "the tour's end"
    else:
        p_late = outcomes.p_late(step)
        name = step
    names = list(shares)[::-1]  # the largest on top
    fig, axes = _new_figure(ax, 1.4 + 0.38 * max(len(names), 1))
    labels = [_shown(n, _TEXT) for n in names]
    widths = [shares[n] for n in names]
    bars = axes.barh(range(len(names)), widths, color="#e07b39", edgecolor="#7a3b12",
                     linewidth=0.6, height=0.6)  # fmt: skip
    for bar, full in zip(bars, names, strict=True):
        bar.set_gid(escape_controls(full))
    axes.set_yticks(range(len(names)), labels=labels)
    for label, full in zip(axes.get_yticklabels(), names, strict=True):
        label.set_gid(_whole(full, _TEXT))
    axes.tick_params(axis="y", length=0, labelsize=_FONT)
    axes.tick_params(axis="x", labelsize=_FONT)
    top = max(widths, default=0.0)
    axes.set_xlim(0.0, (top or 0.01) * 1.25)
    for i, share in enumerate(widths):
        shown = f" {share:.1%}" if share >= 0.001 or not share else f" {share:.2%}"
        axes.text(share, i, shown, va="center", ha="left", fontsize=_FONT)
    axes.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}" if top >= 0.05 else f"{x:.1%}")
    axes.set_xlabel("share of runs in which it was to blame", fontsize=_FONT)
    axes.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if not names:
        axes.text(0.5, 0.5, "never late", transform=axes.transAxes, ha="center", va="center",
                  fontsize=_FONT)  # fmt: skip
    _headings(
        axes,
        title if title is not None else f"What makes {name} late",
        f"late in {p_late:.1%} of {outcomes.runs:,} runs; the bars sum to it",
    )
    if ax is None:
        _show_in_notebooks(fig)
    return fig
