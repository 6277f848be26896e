"""A kiosk whose server cannot be reached writes nothing to its disk per attempt.

A sync that fails for hours keeps its failure in memory (``SyncStatus.last_error``); the store's
files change only when something happened (a visitor's record, a success, a refusal).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from sync.client import SyncClient
from tests.support.servers import free_port
from tests.sync.outbox import make_record


def files(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            stat = os.stat(os.path.join(root, name))
            found[os.path.join(root, name)] = (stat.st_size, stat.st_mtime_ns)
    return found


def test_failed_attempts_against_an_unreachable_server_write_nothing(tmp_path):
    from kiosk.store import LocalStore

    store = LocalStore(tmp_path / "data")
    try:
        store.save(make_record("offline-kiosk", random.Random(1)))
        url = f"http://127.0.0.1:{free_port()}"  # nobody listens: connections are refused
        client = SyncClient(store, url, "offline-kiosk", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=", timeout=2)
        before = files(tmp_path / "data")
        for _ in range(20):  # hours of retries in production
            assert client.drain_once().problem is not None
            assert client.pull_config() is not True
        assert client.status().last_error and client.status().pending == 1
        assert files(tmp_path / "data") == before
    finally:
        store.close()
