"""The built docs site in a real browser: every page fits a 1,280 px window, figures unshrunk.

Not part of the default test run (the file name does not match ``test_*.py``): it needs the
site built first and headless Chromium, so CI runs it as its own step after the build::

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html
    python -m pytest tests/site_check.py

It drives Debian's Chromium (``apt-get install chromium``; ``ITINERARY_CHROMIUM`` names
another) through Playwright's Python package, which downloads no browser of its own here.
Screenshots of the index, the notebook and the simulation page at 1,280 px are left in
``docs/_build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SITE = Path(__file__).resolve().parent.parent / "docs" / "_build" / "html"
SHOTS = SITE.parent / "screenshots"
WIDTH = 1280
SHOWN = ("index.html", "examples/asia_tour_2025.html", "simulation.html")
"""The pages whose screenshots are kept."""
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]  # fmt: skip
"""Chromium's flags: root in a container, no GPU, and no calls home (there is no network)."""


def _pages() -> list[str]:
    """Every page of the built site, relative to its root (generated indexes left out)."""
    if not (SITE / "index.html").exists():
        return []
    skipped = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(
        path.relative_to(SITE).as_posix()
        for path in SITE.rglob("*.html")
        if path.name not in skipped and "_static" not in path.parts and "_sources" not in path.parts
    )


def _chromium() -> str | None:
    """The system's Chromium (or ITINERARY_CHROMIUM); None: Playwright's own (playwright install)."""
    return os.environ.get("ITINERARY_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through Playwright, one for all the pages."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - the site extra

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=_chromium(), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab with a 1,280 x 900 window."""
    tab = browser.new_page(viewport={"width": WIDTH, "height": 900})
    yield tab
    tab.close()


def test_the_site_is_built() -> None:
    """The site and the three pages the issue names are there (else: build it first)."""
    pages = _pages()
    assert pages, f"no site at {SITE}: python -m sphinx -W --keep-going -n -b html docs {SITE}"
    assert set(SHOWN) <= set(pages)


def _open(page: Any, name: str) -> None:
    page.goto((SITE / name).as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")


@pytest.mark.parametrize("name", _pages())
def test_a_page_fits_a_1280_px_window(page: Any, name: str) -> None:
    """No sideways scroll, nothing cut off at the right, every figure at 90% of its size or more."""
    _open(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    article = page.evaluate("document.querySelector('article').getBoundingClientRect().right")
    assert article <= WIDTH, f"the article ends at {article} px, past the window"
    images = page.evaluate(
        "[...document.images].map(i => [i.getAttribute('src'), i.naturalWidth,"
        " i.getBoundingClientRect().width])"
    )
    for src, natural, shown in images:
        assert natural > 0, f"{src} did not load"
        assert shown >= 0.9 * natural, f"{src}: shown {shown:.0f} px wide of its {natural} px"
    if name in SHOWN:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (name.replace("/", "_") + ".png")), full_page=True)


def test_dataframe_cells_read_on_one_line(page: Any) -> None:
    """In the notebook, no DataFrame cell wraps (a timestamp reads on one line)."""
    _open(page, "examples/asia_tour_2025.html")
    lines = page.evaluate(
        """[...document.querySelectorAll('table.dataframe td, table.dataframe th')].map(c => {
             const r = document.createRange(); r.selectNodeContents(c);
             const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
             return [c.textContent.trim(), tops.size]; })"""
    )
    assert lines, "the notebook shows no DataFrame"
    assert [text for text, count in lines if count > 1] == []


def test_status_words_are_not_coloured_as_links(page: Any) -> None:
    """A status such as in_transit is a value, not a link: not in the links' colour."""
    _open(page, "examples/asia_tour_2025.html")
    colours = page.evaluate(
        "[getComputedStyle(document.querySelector('.status-in_transit')).color,"
        " getComputedStyle(document.querySelector('a.reference')).color]"
    )
    status, link = colours
    assert status != link
