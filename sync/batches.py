"""The batches the kiosk sends: records packed into one upload body, and what became of them.

A caller may rely on this:

- :func:`pack_batch` takes the oldest records that fit the protocol's count and byte limits
  (``BATCH_MAX_RECORDS``, ``BATCH_MAX_BYTES``), sends only the record schema's fields and gives
  the exact bytes of the ``POST /api/v1/batches`` body, so an :class:`OutgoingBatch` can be
  resent byte for byte under the same ``batch_id``. The USB export (:mod:`sync.usb`) packs its
  files with it too.
- :class:`BatchOutcome` is what the server did with one batch (``problem`` is None when it
  acknowledged all of it); :class:`DrainReport` sums up one
  :meth:`sync.client.SyncClient.drain_once`.
- This module imports nothing of ``kiosk``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sync.problems import SyncProblem
from sync.protocol import BATCH_MAX_BYTES, BATCH_MAX_RECORDS, Record, canonical_json

__all__ = ["BatchOutcome", "DrainReport", "OutgoingBatch", "pack_batch"]

_RECORD_FIELDS = tuple(Record.model_fields)


@dataclass(frozen=True)
class OutgoingBatch:
    """The exact bytes of one ``POST /api/v1/batches`` body and the record ids inside it."""

    batch_id: str
    ids: tuple[str, ...]
    body: bytes


def pack_batch(
    records: Sequence[Mapping[str, Any]],
    batch_id: str | None = None,
    *,
    max_records: int = BATCH_MAX_RECORDS,
    max_bytes: int = BATCH_MAX_BYTES,
) -> OutgoingBatch:
    """Pack the oldest records that fit (count and size limits of the protocol) into one batch.

    Only the schema's fields are sent, so a store's own bookkeeping never reaches the server.
    The body equals ``canonical_json({"batch_id": ..., "records": [...]})``.
    """
    import uuid

    if not records:
        raise ValueError("pack_batch needs at least one record")
    batch_id = batch_id or str(uuid.uuid4())
    chosen = [{k: r[k] for k in _RECORD_FIELDS if k in r} for r in records[:max_records]]
    # Fast path: one C-level encoding of the whole batch (a few ms), when it fits in the limit.
    body = canonical_json({"batch_id": batch_id, "records": chosen})
    if len(body) <= max_bytes:
        return OutgoingBatch(batch_id, tuple(str(r["id"]) for r in chosen), body)
    head = b'{"batch_id":' + canonical_json(batch_id) + b',"records":['
    size = len(head) + 2
    parts: list[bytes] = []
    ids: list[str] = []
    for record in chosen:
        encoded = canonical_json(record)
        if parts and size + len(encoded) + 1 > max_bytes:
            break
        parts.append(encoded)
        ids.append(str(record["id"]))
        size += len(encoded) + 1
    return OutgoingBatch(batch_id, tuple(ids), head + b",".join(parts) + b"]}")


@dataclass(frozen=True)
class BatchOutcome:
    batch_id: str
    sent: int
    acknowledged: int = 0
    accepted: int = 0
    duplicates: int = 0
    problem: SyncProblem | None = None


@dataclass(frozen=True)
class DrainReport:
    """What one :meth:`sync.client.SyncClient.drain_once` did; ``problem`` is why it stopped early,
    if it did (a permanent rejection does not stop a drain: those records are held, ``held``
    counts them)."""

    batches: tuple[BatchOutcome, ...] = ()
    pending_left: int = 0
    problem: SyncProblem | None = None
    held: int = 0

    @property
    def sent(self) -> int:
        return sum(b.sent for b in self.batches)

    @property
    def acknowledged(self) -> int:
        return sum(b.acknowledged for b in self.batches)
