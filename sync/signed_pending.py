"""``X-Kiosk-Pending`` signed: signature version 2 of a kiosk request.

Version 1 (``X-Kiosk-Signature``, :func:`sync.protocol.sign_request`) covers method, path,
timestamp and body, but not ``X-Kiosk-Pending``, so a replayed request could carry any backlog
figure. Version 2 is one more header, ``X-Kiosk-Signature-V2``: lowercase hex HMAC-SHA256 with
the same key over the version-1 message followed by ``"\\npending=" + PENDING``. A kiosk sends
both signatures, so servers that know only version 1 go on accepting it (they ignore the new
header); this server records ``X-Kiosk-Pending`` only when version 2 vouches for it, and refuses
(401) a request whose version-2 signature does not match.

A caller may rely on: :func:`parse_pending` accepting only 1 to 10 ASCII digits (capped at
2**31 - 1) and returning None otherwise; :func:`pending_signature` and
:func:`verify_pending_signature` agreeing for the same inputs.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from sync.protocol import secret_bytes, signing_message

__all__ = [
    "PENDING_HEADER",
    "PENDING_SIGNATURE_HEADER",
    "parse_pending",
    "pending_signature",
    "verify_pending_signature",
]

PENDING_HEADER = "X-Kiosk-Pending"
PENDING_SIGNATURE_HEADER = "X-Kiosk-Signature-V2"
_DIGITS = re.compile(r"[0-9]{1,10}")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def parse_pending(text: str | None) -> int | None:
    if text is None or not _DIGITS.fullmatch(text.strip()):
        return None
    return min(int(text.strip()), 2**31 - 1)


def _message(method: str, path: str, timestamp: int | str, body: bytes, pending: str) -> bytes:
    return signing_message(method, path, timestamp, body) + b"\npending=" + pending.encode()


def pending_signature(
    secret: str | bytes, method: str, path: str, timestamp: int | str, body: bytes, pending: int
) -> str:
    """The ``X-Kiosk-Signature-V2`` value for a request that reports ``pending``."""
    message = _message(method, path, timestamp, body, str(pending))
    return hmac.new(secret_bytes(secret), message, hashlib.sha256).hexdigest()


def verify_pending_signature(
    secret: str | bytes,
    method: str,
    path: str,
    timestamp: int | str,
    body: bytes,
    pending: str,
    signature: str,
) -> bool:
    """True when ``signature`` (hex, any case) signs this request with this pending text."""
    if not _HEX64.fullmatch(signature or ""):
        return False
    message = _message(method, path, timestamp, body, pending.strip())
    expected = hmac.new(secret_bytes(secret), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.lower().encode())
