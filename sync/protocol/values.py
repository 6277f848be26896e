"""Making protocol values: a visit's follow-up token, UTC time stamps, a story cleaned for storage.

Standard library only (the kiosk makes these on every visit and must not wait for pydantic).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime

from sync.protocol.constants import FOLLOW_UP_TOKEN_BYTES

__all__ = ["clean_story", "new_follow_up_token", "utc_now_iso"]

# C0/C1 controls except tab and newline; stories keep their line breaks.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def utc_now_iso() -> str:
    """Now as UTC ISO 8601 with microseconds and a trailing ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_follow_up_token() -> str:
    """A fresh URL-safe token with 144 random bits; one per visit."""
    return secrets.token_urlsafe(FOLLOW_UP_TOKEN_BYTES)


def clean_story(text: str) -> str:
    """NFC-normalise, turn CRLF into LF, drop control characters, strip the ends."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text).strip()
