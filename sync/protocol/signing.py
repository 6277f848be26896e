"""Request signing: HMAC-SHA256 with the kiosk's secret over method, path, time and body digest.

Standard library only. The secret is the base64url text printed by ``kiosk-server
enroll-kiosk``; its decoded bytes are the HMAC key, and text that is not base64url is an error
(:class:`SecretError`), never silently used as a key of its own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

__all__ = [
    "SecretError",
    "body_digest",
    "canonical_json",
    "secret_bytes",
    "sign_request",
    "signature_headers",
    "signing_message",
    "verify_signature",
]


class SecretError(ValueError):
    """A kiosk secret that is not the base64url text ``enroll-kiosk`` printed."""


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8. Used for batch bodies and hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signing_message(method: str, path: str, timestamp: int | str, body: bytes) -> bytes:
    """``METHOD\\nPATH\\nTIMESTAMP\\nhex(sha256(body))``; PATH without the query string."""
    path = path.split("?", 1)[0]
    return f"{method.upper()}\n{path}\n{timestamp}\n{body_digest(body)}".encode()


def secret_bytes(secret: str | bytes) -> bytes:
    """The HMAC key of a secret: bytes as given, text decoded from base64url (padding optional).

    Raises :class:`SecretError` for text that is not base64url or decodes to nothing.
    """
    if isinstance(secret, bytes):
        return secret
    padded = secret.strip() + "=" * (-len(secret.strip()) % 4)
    try:
        key = base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise SecretError(
            "the kiosk secret is not base64url text (letters, digits, '-' and '_'); copy it "
            "again exactly as kiosk-server enroll-kiosk printed it"
        ) from None
    if not key:
        raise SecretError("the kiosk secret is empty")
    return key


def sign_request(
    secret: str | bytes, method: str, path: str, timestamp: int | str, body: bytes
) -> str:
    """Lowercase hex HMAC-SHA256 of :func:`signing_message` with the kiosk's secret."""
    return hmac.new(
        secret_bytes(secret), signing_message(method, path, timestamp, body), hashlib.sha256
    ).hexdigest()


def verify_signature(
    secret: str | bytes, method: str, path: str, timestamp: int | str, body: bytes, signature: str
) -> bool:
    expected = sign_request(secret, method, path, timestamp, body)
    # As bytes: compare_digest refuses non-ASCII text with a TypeError.
    given = (signature or "").lower().encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected.encode(), given)


def signature_headers(
    kiosk_id: str, secret: str | bytes, method: str, path: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The three ``X-Kiosk-*`` headers for one request."""
    return {
        "X-Kiosk-Id": kiosk_id,
        "X-Kiosk-Timestamp": str(timestamp),
        "X-Kiosk-Signature": sign_request(secret, method, path, timestamp, body),
    }
