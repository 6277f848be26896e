"""Making protocol values: a visit's follow-up token and short code, UTC time stamps, a story cleaned for storage.

Standard library only (the kiosk makes these on every visit and must not wait for pydantic).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime

from sync.protocol.constants import (
    FOLLOW_UP_TOKEN_BYTES,
    SHORT_CODE_ALPHABET,
    SHORT_CODE_CHARS,
    SHORT_CODE_GROUP,
)

__all__ = [
    "clean_story",
    "new_follow_up_token",
    "new_short_code",
    "normalize_short_code",
    "utc_now_iso",
]

# C0/C1 controls except tab and newline; stories keep their line breaks.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def utc_now_iso() -> str:
    """Now as UTC ISO 8601 with microseconds and a trailing ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_follow_up_token() -> str:
    """A fresh URL-safe token with 144 random bits; one per visit."""
    return secrets.token_urlsafe(FOLLOW_UP_TOKEN_BYTES)


def new_short_code() -> str:
    """A fresh short code such as ``K7QM4-PX2RT``: 50 random bits; one per visit, made offline."""
    chars = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_CHARS))
    return f"{chars[:SHORT_CODE_GROUP]}-{chars[SHORT_CODE_GROUP:]}"


# What a person may type for a code: lower case, spaces, dashes, and the lookalikes Crockford
# maps (O -> 0, I and L -> 1).
_SHORT_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_short_code(typed: str) -> str | None:
    """The canonical ``XXXXX-XXXXX`` form of what a person typed, or None if it cannot be one.

    Accepts lower case, spaces and dashes anywhere, and the lookalikes O, I and L (read as 0, 1, 1).
    """
    if not isinstance(typed, str) or len(typed) > 64:
        return None
    chars = re.sub(r"[\s\-\u2010-\u2015]", "", typed).upper().translate(_SHORT_CODE_LOOKALIKES)
    if len(chars) != SHORT_CODE_CHARS or any(c not in SHORT_CODE_ALPHABET for c in chars):
        return None
    return f"{chars[:SHORT_CODE_GROUP]}-{chars[SHORT_CODE_GROUP:]}"


def clean_story(text: str) -> str:
    """NFC-normalise, turn CRLF into LF, drop control characters, strip the ends."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text).strip()
