"""The in-memory reference store passes the store contract."""

from pathlib import Path

from itinerary import EventLog
from itinerary.store import EventStore, MemoryStore
from tests.store_contract import StoreContract, batch, exact


class TestMemoryStore(StoreContract):
    """The contract, for MemoryStore."""

    def make_store(self, directory: Path) -> MemoryStore:
        """A new, empty memory store (the directory is not used)."""
        return MemoryStore()


def test_starts_from_a_log() -> None:
    """A memory store made from a log holds that log."""
    log = EventLog(batch("A", 3))
    store = MemoryStore(log)
    assert store.version == 3
    assert exact(store.load()) == exact(log)


def test_is_an_event_store() -> None:
    """MemoryStore satisfies the EventStore protocol."""
    assert isinstance(MemoryStore(), EventStore)
