"""A real kiosk process saving in a loop is SIGKILLed at random moments, again and again.

The child prints each id only after ``save`` returned, and each batch only after
``mark_synced`` returned (one short line each, a single atomic pipe write). After every kill the
parent opens the same folder (the lock died with the child) and checks that every printed id is
there and every printed batch is synced, and that nothing was quarantined. A kill comes after a
random number of acknowledged saves and a random moment more, so every child gets to save.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from kiosk.store import LocalStore

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KILLS = 24

CHILD = r"""
import random, sys
from kiosk.store import LocalStore
from tests.store.records import make_record

class SmallStore(LocalStore):
    pending_segment_records = 7
    archive_segment_records = 11

rng = random.Random(int(sys.argv[2]))
store = SmallStore(sys.argv[1])
out = sys.stdout
out.write("open\n"); out.flush()
for _ in range(20_000):  # bounded; the parent kills it long before
    record_id = store.save(make_record(kind=rng.choice(["rating", "themes", "story"]),
                                       days_ago=rng.choice([0, 0, 0, 40])))
    out.write("S " + record_id + "\n"); out.flush()
    if rng.random() < 0.2:
        batch = [r["id"] for r in store.pending(limit=rng.randint(1, 15))]
        store.mark_synced(batch)
        out.write("Y " + " ".join(batch) + "\n"); out.flush()
"""


class SmallStore(LocalStore):
    pending_segment_records = 7
    archive_segment_records = 11


def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path):
    folder = str(tmp_path / "kiosk-data")
    rng = random.Random(20261128)
    saved: set[str] = set()
    synced: set[str] = set()
    env = {**os.environ, "PYTHONPATH": REPO}
    for kill in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, folder, str(kill)],
            stdout=subprocess.PIPE,
            cwd=REPO,
            env=env,
            text=True,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == "open\n", "the child could not open the store"
            # Kill after a random number of acknowledged saves, then a random moment more: a
            # wall-clock delay alone proved nothing on a slow disk (a first save with its fsyncs
            # can outlast it, and once all 24 children were killed before saving anything).
            before: list[str] = []
            wanted = rng.randint(3, 10)
            while sum(line.startswith("S ") for line in before) < wanted:
                line = child.stdout.readline()
                if not line:
                    break  # the child ended: the returncode check below says so
                before.append(line)
            time.sleep(rng.uniform(0.0, 0.05))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            output = "".join(before) + child.stdout.read()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)
            if child.stdout is not None:
                child.stdout.close()
        assert child.returncode == -signal.SIGKILL, "the child ended before it was killed"
        lines = [line for line in output.split("\n")[:-1]]  # the last piece may be cut
        for line in lines:
            kind, _, rest = line.partition(" ")
            (saved if kind == "S" else synced).update(rest.split())

        with SmallStore(folder) as store:
            assert store.health()["quarantined"] == []
            missing = [i for i in saved if store.status(i) is None]
            assert not missing, f"kill {kill}: {len(missing)} acknowledged saves lost"
            unsynced = [i for i in synced if store.status(i) != "synced"]
            assert not unsynced, f"kill {kill}: {len(unsynced)} acknowledged syncs lost"
            counts = store.counts()
            assert counts["pending"] + counts["synced"] >= len(saved)
    assert len(saved) >= KILLS * 3, "the children saved too little to prove anything"
    assert synced, "no mark_synced returned before a kill"
