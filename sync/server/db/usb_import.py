"""USB batch files into the database: the one function behind ``kiosk-server import-batch`` and
the Batches page's upload, so both check a file the same way.

A caller may rely on: :func:`import_batch_file` reading a file's bytes through
:func:`open_batch_file` (the single place where a file becomes an envelope — where an encrypted
file would be opened), checking its kiosk (known, not disabled) and signature like a network
request except for the clock (a stick may travel for days), validating and storing the batch
with the network's idempotency (``source="usb"``), and writing the outcome, success or refusal,
to the audit trail. A refusal is :class:`BatchFileRefused` with a ``kind`` (one of
:data:`REFUSALS`) for the page to name the problem in one sentence, and ``message`` in English
for the command line; nothing is stored then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from nacl.public import PrivateKey
from sqlalchemy import Engine

from sync.protocol import (
    BATCH_MAX_BYTES,
    BATCHES_PATH,
    ID_RE,
    BatchFileError,
    read_batch_file,
    verify_signature,
)
from sync.server.db import audit
from sync.server.db.ingest import IngestResult, parse_batch, store_batch
from sync.server.db.kiosks import get_kiosk
from sync.server.domain.audit import Actor
from sync.server.domain.roles import EVERYTHING, Scope
from sync.server.errors import Conflict, DomainError, PayloadTooLarge
from sync.usb_crypto import SealedFileError, is_sealed, open_sealed

__all__ = [
    "REFUSALS",
    "USB_FILE_MAX_BYTES",
    "BatchFileRefused",
    "import_batch_file",
    "open_batch_file",
]

# The envelope carries the batch body as a JSON string: escaping can near double its size; a
# sealed file adds its nonce, key and tag (well under the 64 KiB of slack).
USB_FILE_MAX_BYTES = 2 * BATCH_MAX_BYTES + 64 * 1024
REFUSALS = (
    "not-batch-file",
    "too-large",
    "unknown-kiosk",
    "disabled-kiosk",
    "bad-signature",
    "invalid-batch",
    "conflict",
)


class BatchFileRefused(DomainError):
    """A USB file refused; ``kind`` says why (one of :data:`REFUSALS`)."""

    def __init__(self, kind: str, message: str, errors: Iterable = (), kiosk_id: str = ""):
        super().__init__(message, list(errors))
        self.kind = kind
        self.kiosk_id = kiosk_id


def open_batch_file(
    data: bytes, private_keys: Iterable[PrivateKey] = ()
) -> tuple[str, int, str, bytes]:
    """``(kiosk_id, timestamp, signature, body)`` of a batch file's bytes, or a refusal.

    A sealed file (``sync.usb_crypto``) is opened with the first of ``private_keys`` that fits;
    an unsealed one (from kiosks older than sealing) is read as it is."""
    if len(data) > USB_FILE_MAX_BYTES:
        raise BatchFileRefused(
            "too-large", f"the file is over {USB_FILE_MAX_BYTES} bytes: not one kiosk's batch"
        )
    if is_sealed(data):
        try:
            data = open_sealed(private_keys, data)
        except SealedFileError as exc:
            raise BatchFileRefused("not-batch-file", str(exc)) from None
    try:
        document: Any = json.loads(data)
    except RecursionError:
        raise BatchFileRefused(
            "not-batch-file", "its JSON is nested too deeply: not a batch file"
        ) from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise BatchFileRefused(
            "not-batch-file", "the file is not UTF-8 JSON: not a batch file"
        ) from None
    try:
        return read_batch_file(document)
    except BatchFileError as exc:
        raise BatchFileRefused("not-batch-file", str(exc)) from None


def _refuse_and_record(engine: Engine, actor: Actor, refusal: BatchFileRefused, details: dict):
    audit.record(
        engine,
        actor,
        "usb_import_refused",
        details.get("kiosk_id", ""),
        details | {"refusal": refusal.kind, "message": refusal.message},
    )
    return refusal


def import_batch_file(
    engine: Engine,
    data: bytes,
    *,
    actor: Actor,
    file_name: str = "",
    private_keys: Iterable[PrivateKey] = (),
    scope: Scope = EVERYTHING,
    age_groups: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Check and store one USB batch file; see the module's contract."""
    details: dict[str, Any] = {"file": file_name[:200], "bytes": len(data)}
    try:
        kiosk_id, timestamp, signature, body = open_batch_file(data, private_keys)
        details["kiosk_id"] = kiosk_id
        kiosk = None
        if ID_RE.fullmatch(kiosk_id):
            with engine.connect() as conn:
                kiosk = get_kiosk(conn, kiosk_id)
        if kiosk is None or not scope.covers_site(kiosk.site):
            # A kiosk of another library is, to a site's staff, a kiosk they do not know.
            raise BatchFileRefused(
                "unknown-kiosk", f"unknown kiosk {kiosk_id!r}", kiosk_id=kiosk_id[:128]
            )
        if kiosk.disabled_at is not None:
            raise BatchFileRefused(
                "disabled-kiosk", f"kiosk {kiosk_id!r} is disabled", kiosk_id=kiosk_id
            )
        # The network's signature rule, without the clock: a stick may travel for days.
        if not verify_signature(kiosk.secret, "POST", BATCHES_PATH, timestamp, body, signature):
            raise BatchFileRefused(
                "bad-signature", f"the signature does not match kiosk {kiosk_id!r}'s secret"
            )
        try:
            parsed = parse_batch(body, kiosk.id, age_groups=age_groups, districts=districts)
            result = store_batch(engine, parsed, kiosk.id, source="usb", now=now)
        except PayloadTooLarge as exc:
            raise BatchFileRefused("too-large", exc.message) from None
        except Conflict as exc:
            raise BatchFileRefused("conflict", exc.message) from None
        except DomainError as exc:  # InvalidInput, BadRequest: the batch inside is broken
            raise BatchFileRefused("invalid-batch", exc.message, exc.errors) from None
    except BatchFileRefused as refusal:
        raise _refuse_and_record(engine, actor, refusal, details) from None
    audit.record(
        engine,
        actor,
        "usb_import",
        kiosk.id,
        details
        | {
            "batch_id": result.batch_id,
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "replayed": result.replayed,
        },
    )
    return result
