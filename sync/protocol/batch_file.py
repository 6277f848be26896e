"""USB batch files: a signed batch carried on a stick when a kiosk has no network at all.

Standard library only. The envelope wraps the exact bytes of a ``POST /api/v1/batches`` body
with the kiosk's signature; the server's ``import-batch`` checks it like a network request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.protocol.constants import BATCHES_PATH
from sync.protocol.signing import sign_request

__all__ = ["BATCH_FILE_FORMAT", "BatchFileError", "make_batch_file", "read_batch_file"]

BATCH_FILE_FORMAT = "kayttajatori-batch/1"


def make_batch_file(
    kiosk_id: str, secret: str | bytes, body: bytes, timestamp: int
) -> dict[str, Any]:
    """Wrap the exact bytes of a ``POST /api/v1/batches`` body with the kiosk's signature.

    The server's ``import-batch`` checks the same signature as over the network (but not the
    clock skew: a stick may travel for days) and ingests with the same idempotency.
    """
    return {
        "format": BATCH_FILE_FORMAT,
        "kiosk_id": kiosk_id,
        "timestamp": int(timestamp),
        "signature": sign_request(secret, "POST", BATCHES_PATH, timestamp, body),
        "body": body.decode("utf-8"),
    }


class BatchFileError(ValueError):
    """A USB batch file that is not one, or is not what its kiosk signed."""


def read_batch_file(document: Mapping[str, Any]) -> tuple[str, int, str, bytes]:
    """Check the envelope's shape; return ``(kiosk_id, timestamp, signature, body)``.

    The caller looks up the kiosk's secret and calls :func:`verify_signature` with
    ``("POST", BATCHES_PATH, timestamp, body, signature)``.
    """
    if not isinstance(document, Mapping) or document.get("format") != BATCH_FILE_FORMAT:
        raise BatchFileError(f"not a batch file: 'format' must be {BATCH_FILE_FORMAT!r}")
    missing = [k for k in ("kiosk_id", "timestamp", "signature", "body") if k not in document]
    if missing:
        raise BatchFileError(f"batch file lacks {', '.join(missing)}")
    timestamp = document["timestamp"]
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or timestamp < 0:
        raise BatchFileError("batch file 'timestamp' must be Unix seconds")
    body = document["body"]
    if not isinstance(body, str):
        raise BatchFileError("batch file 'body' must be the batch JSON as a string")
    try:
        raw = body.encode("utf-8")
    except UnicodeEncodeError:  # JSON can carry escaped lone surrogates
        raise BatchFileError("batch file 'body' is not valid Unicode") from None
    return str(document["kiosk_id"]), timestamp, str(document["signature"]), raw
