"""The timeline plot: one lane per person, labelled meetings, markers, a time axis in one zone."""

import functools
import io
import re
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import matplotlib
import matplotlib.dates as mdates
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from itinerary import (
    AgreementSigned,
    EventLog,
    ItineraryError,
    MeetingHeld,
    Obligation,
    ObligationMet,
    Place,
    _time,
    load_scenario,
)
from itinerary.cli import main
from itinerary.errors import MissingExtraError, UnknownZoneError
from itinerary.places import GAZETTEER, TOKYO
from itinerary.plot import DEADLINES_LANE, s_curve, timeline, tornado
from itinerary.scenarios import Scenario, save_scenario
from itinerary.sim import Disruptions, Outcomes, Plan, monte_carlo
from itinerary.sim.report import tour_end
from itinerary.strategies import NAMES, itineraries

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml"
PEOPLE = ["Donald Trump", "Emperor Naruhito", "Sanae Takaichi"]  # in order of first appearance


def tour_axes(**options: object) -> Axes:
    """The axes of the Asia tour's timeline, drawn with *options*."""
    return timeline(load_scenario(EXAMPLE).log, **options).axes[0]  # type: ignore[arg-type]


def lanes(axes: Axes) -> list[str]:
    """The lanes' labels, top to bottom."""
    return [label.get_text() for label in axes.get_yticklabels()]


def texts(axes: Axes) -> list[str]:
    """Every text drawn in the axes."""
    return [text.get_text() for text in axes.texts]


def test_one_lane_per_person_then_the_deadlines() -> None:
    """The tour has three people: three lanes in order of appearance, then the deadlines."""
    assert lanes(tour_axes(tz="Asia/Tokyo")) == [*PEOPLE, DEADLINES_LANE]


def test_meetings_are_labelled_with_their_titles() -> None:
    """Each meeting's title is drawn once per participant's lane."""
    drawn = texts(tour_axes(tz="Asia/Tokyo"))
    assert drawn.count("U.S.-Japan summit") == 2  # Trump and Takaichi
    assert drawn.count("Meeting with the Emperor") == 2
    assert drawn.count("APEC Summit") == 1


def test_other_offsets_are_shown_in_the_labels() -> None:
    """On a Tokyo axis, the ASEAN summit shows its own Kuala Lumpur times; Tokyo's do not."""
    drawn = texts(tour_axes(tz="Asia/Tokyo"))
    assert "ASEAN Summit (14:00-17:00 +08:00)" in drawn
    assert "U.S.-Japan summit" in drawn
    drawn = texts(tour_axes(tz="Asia/Kuala_Lumpur"))
    assert "U.S.-Japan summit (10:00-11:30 +09:00)" in drawn


def test_signings_and_deadlines_are_markers() -> None:
    """Two signings 15 minutes apart, by two people: a star each, marked x2; a deadline at the edge."""
    axes = tour_axes(tz="Asia/Tokyo")
    markers = [line.get_marker() for line in axes.lines]
    assert markers.count("*") == 2  # 15 minutes is less than a star's width: merged
    assert texts(axes).count("×2") == 2
    assert markers.count(">") == 1  # past the axis's right end
    drawn = texts(axes)
    assert "signed: U.S.-Japan trade agreement" in drawn
    assert any(text.startswith("due 2026-04-28 12:00 +09:00 Tokyo") for text in drawn)


def test_signings_far_apart_keep_their_stars() -> None:
    """Signings a day apart are drawn as a star each, with no count."""
    log = load_scenario(EXAMPLE).log
    signings = [e for e in log if isinstance(e, AgreementSigned)]
    later = attrs.evolve(signings[-1], at=signings[-1].at.add(days=1))
    moved = EventLog([later if e is signings[-1] else e for e in log])
    axes = timeline(moved, tz="Asia/Tokyo").axes[0]
    assert [line.get_marker() for line in axes.lines].count("*") == 4
    assert "×2" not in texts(axes)


def test_the_first_tick_of_each_day_shows_its_date() -> None:
    """The first tick (12:00 on the 26th) and each day's first tick name the day."""
    axes = tour_axes(tz="Asia/Tokyo")
    ticks = axes.xaxis.get_major_locator()()
    labels = axes.xaxis.get_major_formatter().format_ticks(ticks)
    assert labels[0] == "12:00\nSun 26 Oct 2025"
    days = {}
    for tick, label in zip(ticks, labels, strict=True):
        day = mdates.num2date(tick, tz=_time.zone("Asia/Tokyo")).date()
        days.setdefault(day, label)
        if days[day] != label:
            assert ":" in label  # later ticks of a day: the clock only
            assert "\n" not in label
    assert all(str(day.day) in label for day, label in days.items())


def test_labels_are_legible_at_the_site_s_width() -> None:
    """Drawn 900 px wide and shown 736 px wide, every label is at least 10 px high."""
    fig = timeline(load_scenario(EXAMPLE).log, tz="Asia/Tokyo")
    scale = 736 / (fig.get_figwidth() * 100)  # saved at 100 dpi
    sizes = [t.get_fontsize() for t in _all_texts(fig) if t.get_text()]
    assert min(sizes) * 100 / 72 * scale >= 10


def test_journeys_are_hatched_bars() -> None:
    """Trump's three journeys are hatched; stays are not."""
    axes = tour_axes(tz="Asia/Tokyo")
    hatched = [c for c in axes.collections if c.get_hatch()]
    assert len(hatched) == 3


def test_the_axis_reads_in_the_chosen_zone() -> None:
    """The axis label names the zone and offset, and a midnight tick is that zone's midnight."""
    for zone, offset in (("Asia/Tokyo", "+09:00"), ("America/New_York", "-04:00")):
        axes = tour_axes(tz=zone)
        assert axes.get_xlabel() == f"Time in {zone} ({offset})"
        ticks = axes.xaxis.get_major_locator()()
        midnight = datetime(2025, 10, 28, tzinfo=UTC) - timedelta(hours=int(offset[:3]))
        assert mdates.date2num(midnight) in ticks
        labels = axes.xaxis.get_major_formatter().format_ticks(ticks)
        assert labels[list(ticks).index(mdates.date2num(midnight))] == "Tue 28 Oct"


def test_the_default_zone_is_the_first_events_place() -> None:
    """Without tz, the axis reads in Kuala Lumpur's zone, where the tour starts; never UTC."""
    assert tour_axes().get_xlabel() == "Time in Asia/Kuala_Lumpur (+08:00)"


def test_a_place_gives_its_zone() -> None:
    """A Place as tz: the axis reads in its zone."""
    assert tour_axes(tz=GAZETTEER["Seoul"]).get_xlabel() == "Time in Asia/Seoul (+09:00)"


def test_a_bad_zone_is_refused() -> None:
    """A zone that is not an IANA name raises UnknownZoneError."""
    with pytest.raises(UnknownZoneError):
        tour_axes(tz="Mars/Olympus_Mons")


def test_end_before_start_is_refused() -> None:
    """An axis whose end is not after its start raises the library's error."""
    with pytest.raises(ItineraryError, match="must be after start"):
        tour_axes(start=TOKYO.at("2025-10-28 12:00"), end=TOKYO.at("2025-10-28 11:00"))


def test_a_window_moves_the_deadline_inside() -> None:
    """With the axis running to May 2026, the deadline is a diamond on it, not at the edge."""
    axes = tour_axes(tz="Asia/Tokyo", end=TOKYO.at("2026-05-01 00:00"))
    assert [line.get_marker() for line in axes.lines].count("D") == 1


def test_draws_on_given_axes() -> None:
    """Given axes, the timeline draws there and returns that figure."""
    figure = Figure()
    axes = figure.add_subplot()
    assert timeline(load_scenario(EXAMPLE).log, ax=axes, tz="Asia/Tokyo") is figure
    assert lanes(axes) == [*PEOPLE, DEADLINES_LANE]


def test_an_empty_log_says_so() -> None:
    """No events: a figure that says so, with no lanes."""
    axes = timeline(EventLog()).axes[0]
    assert texts(axes) == ["No events"]
    assert lanes(axes) == []


def test_a_new_figure_shows_itself_in_notebooks() -> None:
    """The figure timeline() makes has _repr_png_ (IPython's hook), even without pyplot."""
    png = timeline(load_scenario(EXAMPLE).log)._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    figure = Figure()
    timeline(load_scenario(EXAMPLE).log, ax=figure.add_subplot())
    assert not hasattr(figure, "_repr_png_")  # the caller's own figure is left as it was


def test_events_without_places_need_a_zone() -> None:
    """Only fulfilments (no place, no person): the figure says to give tz=; with it, an axis."""
    log = EventLog([ObligationMet("Deal", "pay", TOKYO.at("2025-10-28 12:00"))])
    assert texts(timeline(log).axes[0]) == ["No event has a place: give tz= to draw the axis"]
    axes = timeline(log, tz="Asia/Tokyo").axes[0]
    assert (lanes(axes), axes.get_xlabel()) == ([], "Time in Asia/Tokyo (+09:00)")


def test_no_pyplot_and_no_backend_change() -> None:
    """Importing imports no extra; drawing and saving never imports pyplot (no backend change)."""
    code = (
        "import sys, io; from itinerary import load_scenario; from itinerary.plot import timeline;"
        "import itinerary.ical, itinerary.cli;"
        "assert 'matplotlib' not in sys.modules and 'icalendar' not in sys.modules;"
        f"fig = timeline(load_scenario({str(EXAMPLE)!r}).log); fig.savefig(io.BytesIO());"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without matplotlib, timeline() raises MissingExtraError (an ImportError) naming the extra."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r'pip install "itinerary\[plot\]"') as info:
        timeline(EventLog())
    assert isinstance(info.value, ImportError)
    assert info.value.extra == "plot"


@settings(max_examples=15)
@given(
    itineraries(
        people=st.sampled_from(NAMES),
        places=st.sampled_from(tuple(GAZETTEER.values())),
        max_events=30,
    )
)
def test_any_tour_has_one_lane_per_person(log: EventLog) -> None:
    """For any tour, the lanes are its people in order of appearance, then deadlines if any."""
    axes = timeline(log).axes[0]
    people = list(dict.fromkeys(who for event in sorted_events(log) for who in event.people))
    has_deadlines = any(getattr(event, "obligations", ()) for event in log)
    assert lanes(axes) == people + ([DEADLINES_LANE] if has_deadlines else [])


def sorted_events(log: EventLog) -> list[object]:
    """The log's events in occurrence order (the order lanes are given in)."""
    from itinerary.projections import timeline as occurrences  # noqa: PLC0415

    return list(occurrences(log).events)


def test_cli_agenda_plots_a_png(tmp_path: Path) -> None:
    """`itinerary agenda FILE --plot out.png` prints the agenda and writes a PNG."""
    target = tmp_path / "tour.png"
    result = CliRunner().invoke(main, ["agenda", str(EXAMPLE), "--plot", str(target)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert "Tuesday 28 October 2025" in result.stdout
    assert f"Wrote the timeline to {target}" in result.stdout
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_cli_plot_follows_tz(tmp_path: Path) -> None:
    """--tz sets the plot's zone too: an SVG drawn with --tz Seoul names Asia/Seoul."""
    target = tmp_path / "tour.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # keep text as text in the SVG
        result = CliRunner().invoke(
            main, ["agenda", str(EXAMPLE), "--tz", "Seoul", "--plot", str(target)]
        )
    assert result.exit_code == 0
    assert "Time in Asia/Seoul (+09:00)" in target.read_text()


def test_cli_plot_to_an_unknown_format_is_a_user_error(tmp_path: Path) -> None:
    """An image suffix matplotlib cannot write is one line on stderr, exit status 2."""
    result = CliRunner().invoke(
        main, ["agenda", str(EXAMPLE), "--plot", str(tmp_path / "tour.xyz")]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("itinerary: ")
    assert "xyz" in result.stderr


def test_cli_plot_without_matplotlib_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without matplotlib, --plot is one line on stderr naming the extra, exit status 2."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    target = tmp_path / "tour.png"
    result = CliRunner().invoke(main, ["agenda", str(EXAMPLE), "--plot", str(target)])
    assert result.exit_code == 2
    assert 'pip install "itinerary[plot]"' in result.stderr
    assert not target.exists()


# -- long names and control characters (issue 23, items 3 and 4) --------------------------

HOSTILE = "Min\x1b[31mister\x07 $\\frac$ \x00\x7f\x0b\x0c\u202e"


def _hostile_log(name: str, title: str) -> EventLog:
    """*name* meets and signs *title* with Xi in Tokyo, with an obligation named *title*."""
    place = Place("Far " + title, "Japan", "Asia/Tokyo", lat=35.0, lon=139.0)
    at = TOKYO.at
    return EventLog([
        MeetingHeld(title, (name, "Xi"), place, at("2025-10-28 10:00"), at("2025-10-28 11:00")),
        AgreementSigned(title, (name, "Xi"), place, at("2025-10-28 12:00"),
                        obligations=(Obligation(title, within=timedelta(days=30)),)),
    ])  # fmt: skip


def _all_texts(fig: Figure) -> list[Text]:
    """Every Text artist of *fig*: tick labels, labels, the legend's, the title."""
    return [artist for artist in fig.findobj(Text) if isinstance(artist, Text)]


@pytest.mark.parametrize("length", [200, 1000])
def test_a_very_long_name_is_shortened_with_its_whole_text_kept(length: int) -> None:
    """A name of 200+ characters is cut with an ellipsis; the label's gid keeps the whole name."""
    name, title = "A" * length, "T" * length
    fig = timeline(_hostile_log(name, title), title=title)
    fig.savefig(io.BytesIO(), format="png")  # it draws, and fits
    axes = fig.axes[0]
    first = axes.get_yticklabels()[0]
    assert first.get_text().endswith("…")
    assert len(first.get_text()) <= 32
    assert first.get_gid() == name
    assert [t.get_gid() for t in axes.texts if t.get_text().startswith("TTT")] == [title, title]
    legend = [t for t in _all_texts(fig) if t.get_text().startswith("Far T")]
    assert {t.get_gid() for t in legend} == {"Far " + title}


def test_control_characters_are_escaped_in_every_label() -> None:
    """ESC, BEL, NUL, DEL, VT, FF and bidi overrides are drawn escaped: matplotlib never sees them."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 27 (\x1b) missing from font(s)" would raise
        fig = timeline(_hostile_log(HOSTILE, HOSTILE), title=HOSTILE)
        fig.savefig(io.BytesIO(), format="png")
    tick = re.compile(r"\d\d:\d\d\n\w{3} \d\d \w{3}( \d{4})?")  # ours: a clock over a date
    shown = [t.get_text() for t in _all_texts(fig) if not tick.fullmatch(t.get_text())]
    assert not [s for s in shown if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in s)]
    assert any(s.startswith("Min\\x1b[31mister\\x07") for s in shown)


def test_cli_agenda_plot_with_hostile_names_says_nothing_raw(tmp_path: Path) -> None:
    """`agenda --plot` with ESC and BEL in names writes a PNG; no raw control byte is printed."""
    source = tmp_path / "hostile.toml"
    save_scenario(Scenario(_hostile_log(HOSTILE, "x" * 300)), source)
    target = tmp_path / "hostile.png"
    result = CliRunner().invoke(main, ["agenda", str(source), "--plot", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG")
    assert "\x1b" not in result.output
    assert "\x07" not in result.output


# -- pictures of risk: s_curve and tornado -------------------------------------------------

PLAN = EXAMPLE.parent / "asia_tour_2025_plan.toml"


@functools.cache
def study(runs: int = 2000, seed: int = 0) -> Outcomes:
    """A study of the tour's plan (kept: the tests only read it)."""
    tour = load_scenario(PLAN)
    assert tour.plan is not None
    assert tour.disruptions is not None
    return monte_carlo(tour.plan, tour.disruptions, runs=runs, seed=seed)


def _height_at(axes: Axes, x: float) -> float:
    """The S-curve's height at *x*: its step line (drawn 'post') read there."""
    (line,) = [line for line in axes.lines if line.get_gid() == "s-curve"]
    xs, ys = list(line.get_xdata()), list(line.get_ydata())
    return max((y for xv, y in zip(xs, ys, strict=True) if xv <= x), default=0.0)


@pytest.mark.parametrize(
    "step", [None, "Meeting with Xi Jinping", "APEC Summit", "Donald Trump: Tokyo -> Yokosuka"]
)
def test_the_s_curve_at_the_planned_time_is_the_share_on_time(step: str | None) -> None:
    """The S-curve's height at the planned time (its red line) is 1 - p_late."""
    outcomes = study()
    axes = s_curve(outcomes, step).axes[0]
    (planned,) = [line for line in axes.lines if line.get_gid() == "planned"]
    x = planned.get_xdata()[0]
    end = tour_end(outcomes)
    assert end is not None
    p_late = end.p_late if step is None else outcomes.p_late(step)
    assert _height_at(axes, x) == pytest.approx(1 - p_late, abs=1e-12)


def test_the_s_curve_marks_p50_p80_p90_in_local_time() -> None:
    """The tour's end: P50, P80 and P90 marked at those heights, labelled in Seoul time."""
    outcomes = study()
    axes = s_curve(outcomes).axes[0]
    marks = {line.get_gid(): line.get_ydata()[0] for line in axes.lines if line.get_gid()}
    assert (marks["P50"], marks["P80"], marks["P90"]) == (0.5, 0.8, 0.9)
    assert axes.get_xlabel() == "Time in Asia/Seoul (+09:00)"
    end = tour_end(outcomes)
    assert end is not None
    for q, at in end.quantiles:
        assert f"P{round(q * 100)} {at:%H:%M}" in texts(axes)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32))
def test_the_tornado_s_bars_sum_to_p_late(seed: int) -> None:
    """For a step and for the tour's end, the bars' lengths sum to the share of runs late."""
    outcomes = monte_carlo(*_tour_plan(), runs=300, seed=seed)
    for step in ("APEC Summit", "Meeting with Xi Jinping", None):
        axes = tornado(outcomes, step).axes[0]
        total = sum(bar.get_width() for bar in axes.patches)
        end = tour_end(outcomes)
        assert end is not None
        expected = end.p_late if step is None else outcomes.p_late(step)
        assert total == pytest.approx(expected, abs=1e-9)
        widths = [bar.get_width() for bar in axes.patches]
        assert widths == sorted(widths)  # drawn bottom-up: the largest on top


def test_the_tornado_draws_whatever_names_are_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Risks and resources (names that are not steps) are bars like steps."""
    blamed = {"Risk: typhoon": 0.06, "Resource: Air Force One": 0.03, "APEC Summit": 0.01}
    monkeypatch.setattr(Outcomes, "criticality", lambda self, name: blamed)
    axes = tornado(study(), "Meeting with Xi Jinping").axes[0]
    assert [label.get_text() for label in axes.get_yticklabels()] == list(blamed)[::-1]
    assert [bar.get_width() for bar in axes.patches] == list(blamed.values())[::-1]


def test_risk_pictures_show_themselves_in_notebooks() -> None:
    """Both are matplotlib figures with a _repr_png_, as the timeline is."""
    for fig in (s_curve(study()), tornado(study())):
        assert isinstance(fig, Figure)
        assert fig._repr_png_().startswith(b"\x89PNG")  # type: ignore[attr-defined]


def test_an_unknown_step_is_refused() -> None:
    """A step the plan does not have: the library's error, naming it."""
    with pytest.raises(ItineraryError, match="no step called 'Nowhere'"):
        s_curve(study(), "Nowhere")
    with pytest.raises(ItineraryError, match="no step called 'Nowhere'"):
        tornado(study(), "Nowhere")


def test_cli_simulate_draws_the_pictures_its_file_names_ask_for(tmp_path: Path) -> None:
    """`simulate --plot s-curve.png --plot tornado.svg` writes both; another name is refused."""
    curve, bars = tmp_path / "s-curve.png", tmp_path / "tour-tornado.svg"
    result = CliRunner().invoke(
        main, ["simulate", str(PLAN), "--runs", "200", "--plot", str(curve), "--plot", str(bars),
               "--plot-step", "APEC Summit"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert curve.read_bytes().startswith(b"\x89PNG")
    assert bars.read_text().lstrip().startswith("<?xml")
    assert "Wrote the S-curve to" in result.output
    other = tmp_path / "picture.png"
    result = CliRunner().invoke(main, ["simulate", str(PLAN), "--plot", str(other)])
    assert result.exit_code == 2
    assert "'s-curve' or 'tornado'" in result.output
    assert not other.exists()
    result = CliRunner().invoke(
        main, ["simulate", str(PLAN), "--plot", str(curve), "--plot-step", "Nowhere"]
    )
    assert result.exit_code == 2
    assert "no step called 'Nowhere'" in result.output
    assert "Risk report" not in result.output  # refused before any run


def _tour_plan() -> tuple[Plan, Disruptions]:
    tour = load_scenario(PLAN)
    assert tour.plan is not None
    assert tour.disruptions is not None
    return tour.plan, tour.disruptions


def test_risk_pictures_draw_on_given_axes() -> None:
    """With ax=, both draw there and return that figure, without a figure of their own."""
    for draw in (s_curve, tornado):
        fig = Figure()
        ax = fig.add_subplot()
        assert draw(study(), "APEC Summit", ax=ax) is fig
        assert ax.get_title(loc="left")
