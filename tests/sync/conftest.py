"""Fixtures of the sync tests: one real server for the session, a fresh kiosk per test.

Each test enrolls its own kiosk id, so what the server holds for that id is exactly what the
test sent, even though the server process is shared (starting it costs seconds).
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sync.client import SyncClient
from tests.sync.faultproxy import FaultProxy
from tests.sync.outbox import make_record
from tests.sync.server_process import ServerProcess

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("server")).start()
    yield process
    process.stop()


@dataclass
class Kiosk:
    """One enrolled kiosk with its own real LocalStore."""

    kiosk_id: str
    secret: str
    data_dir: Path
    store: Any
    rng: random.Random

    def save(self, n: int, **fields: Any) -> list[dict[str, Any]]:
        """Save ``n`` new records as the UI would; return them as the store normalised them."""
        saved = []
        kiosk_id = fields.pop("kiosk_id", self.kiosk_id)
        for _ in range(n):
            record = make_record(kiosk_id, self.rng, **fields)
            self.store.save(record)
            saved.append(record)
        return saved

    def pending(self) -> int:
        return int(self.store.counts()["pending"])

    def reopen(self) -> None:
        from kiosk.store import LocalStore

        self.store.close()
        self.store = LocalStore(self.data_dir)


@pytest.fixture
def kiosk(server: ServerProcess, tmp_path: Path) -> Iterator[Kiosk]:
    from kiosk.store import LocalStore

    kiosk_id = f"test-kiosk-{next(_numbers)}-{int(time.time() * 1000) % 100000}"
    secret = server.enroll(kiosk_id)
    data_dir = tmp_path / "kiosk-data"
    store = LocalStore(data_dir)
    k = Kiosk(kiosk_id, secret, data_dir, store, random.Random(kiosk_id))
    yield k
    k.store.close()


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[FaultProxy]:
    p = FaultProxy(server.port, stall_seconds=30.0).start()
    yield p
    p.stop()


@pytest.fixture
def make_client(kiosk: Kiosk, proxy: FaultProxy) -> Iterator[Callable[..., SyncClient]]:
    """Clients of the test's kiosk that talk through the fault proxy."""
    clients: list[SyncClient] = []

    def make(**options: Any) -> SyncClient:
        options.setdefault("timeout", 2.0)
        client = SyncClient(kiosk.store, proxy.url, kiosk.kiosk_id, kiosk.secret, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The schema's fields, normalised as the protocol does, for kiosk-versus-server comparison."""
    from sync.protocol import Record, validate_record

    fields = {k: record.get(k) for k in Record.model_fields if k in record}
    fields.setdefault("theme_ids", [])
    fields.setdefault("flags", [])
    return validate_record(fields)


def assert_server_holds_exactly(
    server: ServerProcess, kiosk_id: str, saved: list[dict[str, Any]]
) -> None:
    held = server.records(kiosk_id)
    ids = [r["id"] for r in held]
    assert len(ids) == len(set(ids)), "the server stored a record twice"
    assert sorted(ids) == sorted(r["id"] for r in saved)
    by_id = {r["id"]: comparable(r) for r in held}
    for record in saved:
        assert by_id[record["id"]] == comparable(record)
