"""Stores written in older formats, checked into tests/data/, still load as what was written."""

import shutil
from pathlib import Path

import pytest

from itinerary.scenarios import load_scenario
from itinerary.store import open_store
from tests.store_contract import exact

DATA = Path(__file__).resolve().parent / "data"
TOUR = load_scenario(Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml").log


@pytest.mark.parametrize("name", ["tour-format-1.sqlite", "tour-format-1.jsonl"])
def test_a_format_1_store_loads_the_tour_exactly(tmp_path: Path, name: str) -> None:
    """The tour as format 1 stored it (batches of 5) loads event for event, instant for instant."""
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    with open_store(path, create=False) as store:
        assert exact(store.load()) == exact(TOUR)
        assert store.load(upto=5).version == 5
