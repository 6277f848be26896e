"""The client's pure parts: batch packing (sync.batches), backoff arithmetic and classifying the
server's answers (sync.problems)."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from sync.batches import pack_batch
from sync.problems import Backoff, SyncProblem, problem_from_response
from sync.protocol import BATCH_MAX_BYTES, Batch, canonical_json
from tests.sync.outbox import make_record


def test_pack_batch_body_is_the_canonical_batch_and_strips_store_fields():
    rng = random.Random(1)
    records = [dict(make_record("k1", rng), _seq=i, synced=False) for i in range(3)]
    batch = pack_batch(records, "3f1c2d9e-8a4b-4c6d-9e0f-1a2b3c4d5e6f")
    sent = json.loads(batch.body)
    clean = [{k: v for k, v in r.items() if k not in ("_seq", "synced")} for r in records]
    assert batch.body == canonical_json({"batch_id": batch.batch_id, "records": clean})
    assert batch.ids == tuple(r["id"] for r in records)
    Batch.model_validate(sent)  # the server's model accepts it


def test_pack_batch_respects_record_and_byte_limits():
    rng = random.Random(2)
    small = [make_record("k1", rng, kind="rating") for _ in range(700)]
    assert len(pack_batch(small).ids) == 500
    long_story = "Järven rannalla on hyvä olla. " * 66  # just under 2000 characters
    big = [make_record("k1", rng, kind="story", story=long_story) for _ in range(500)]
    batch = pack_batch(big)
    assert len(batch.body) <= BATCH_MAX_BYTES
    assert 300 < len(batch.ids) < 500  # cut by size, not count
    assert batch.ids == tuple(r["id"] for r in big[: len(batch.ids)])  # oldest first, no gaps


def test_backoff_is_full_jitter_doubling_to_the_cap():
    top = Backoff(base=2.0, cap=300.0, random=lambda: 1.0)
    assert [top.delay(n) for n in range(10)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert top.delay(10_000) == 300  # no overflow on very long outages
    assert Backoff(random=lambda: 0.0).delay(5) == 0
    half = Backoff(random=lambda: 0.5)
    assert half.delay(3) == 8.0
    draws = [Backoff().delay(4) for _ in range(200)]
    assert all(0 <= d <= 32 for d in draws) and max(draws) - min(draws) > 5


def _response(status: int, body: object = None, **headers: str) -> httpx.Response:
    content = json.dumps(body).encode() if body is not None else b""
    return httpx.Response(status, content=content, headers=headers)


@pytest.mark.parametrize(
    ("status", "kind", "permanent"),
    [
        (400, "rejected", True),
        (409, "rejected", True),
        (413, "rejected", True),
        (422, "rejected", True),
        (401, "auth", False),
        (408, "busy", False),
        (429, "busy", False),
        (500, "server", False),
        (502, "server", False),
        (503, "server", False),
    ],
)
def test_only_4xx_other_than_401_408_429_are_permanent(status, kind, permanent):
    problem = problem_from_response(_response(status, {"detail": "x"}))
    assert (problem.kind, problem.permanent) == (kind, permanent)


def test_rejection_words_carry_the_servers_field_errors():
    body = {
        "error": "a record breaks the schema",
        "errors": [{"record": 3, "field": "rating", "problem": "must be 1-4"}],
    }
    problem = problem_from_response(_response(422, body))
    words = problem.words()
    assert "422" in words and "a record breaks the schema" in words
    assert "record 3: rating: must be 1-4" in words
    assert "stay on this kiosk" in words


def test_retry_after_is_read_from_429():
    assert problem_from_response(_response(429, {}, **{"Retry-After": "7"})).retry_after == 7.0


def test_words_use_the_given_translation():
    problem = SyncProblem("timeout")
    assert (
        problem.words(lambda s: s.upper())
        == "THE SERVER DID NOT ANSWER IN TIME. SENDING IS RETRIED."
    )
