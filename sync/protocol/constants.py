"""The protocol's shared constants: languages, record kinds, limits and the patterns of ids.

Standard library only, so the kiosk (and anything else) can import it without pydantic; the
records module, the server's forms and the kiosk's settings all check ids with these patterns.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = [
    "AGE_GROUPS",
    "BATCHES_PATH",
    "BATCH_MAX_BYTES",
    "BATCH_MAX_RECORDS",
    "CREATED_AT_EARLIEST",
    "CREATED_AT_MAX_AHEAD",
    "DISTRICTS",
    "FOLLOW_UP_TOKEN_BYTES",
    "FOLLOW_UP_TOKEN_MAX_CHARS",
    "ID_RE",
    "KINDS",
    "LANGS",
    "MAX_THEMES",
    "RATINGS",
    "SHORT_CODE_ALPHABET",
    "SHORT_CODE_CHARS",
    "SHORT_CODE_GROUP",
    "SHORT_CODE_RE",
    "SIGNATURE_MAX_SKEW_SECONDS",
    "SLUG_RE",
    "STORY_MAX_CHARS",
    "TOKEN_RE",
]

KINDS = ("rating", "themes", "story")
LANGS = ("fi", "sv", "en")
RATINGS = (1, 2, 3, 4)  # four faces, very unhappy .. very happy; no neutral on purpose
MAX_THEMES = 3
STORY_MAX_CHARS = 2000
BATCH_MAX_RECORDS = 500
BATCH_MAX_BYTES = 1024 * 1024
SIGNATURE_MAX_SKEW_SECONDS = 300
FOLLOW_UP_TOKEN_BYTES = 18  # 144 random bits, 24 URL-safe characters
FOLLOW_UP_TOKEN_MAX_CHARS = 64  # what the server's column holds
# created_at must lie in [CREATED_AT_EARLIEST, the validating side's clock + CREATED_AT_MAX_AHEAD]:
# nothing was made before the project, and a kiosk clock a day fast is broken, not early.
CREATED_AT_EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)
CREATED_AT_MAX_AHEAD = timedelta(hours=24)
# The short code typed by a visitor without a phone camera: Crockford's base32 (no I, L, O or U,
# so nothing reads as another letter or a word), two groups of five: 10 x 5 = 50 random bits.
SHORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_GROUP = 5
SHORT_CODE_CHARS = 2 * SHORT_CODE_GROUP
# Defaults for the optional, anonymous demographics; a deployment may configure its own lists.
AGE_GROUPS = ("under-18", "18-29", "30-44", "45-64", "65-74", "75+")
DISTRICTS: tuple[str, ...] = ()  # empty means "any short slug" unless configured
BATCHES_PATH = "/api/v1/batches"

# Whole-string patterns: always used with ``fullmatch`` (``$`` would let a trailing newline in).
# A follow-up token: URL-safe base64 of at least 128 random bits, at most what the server's
# column holds.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")  # FOLLOW_UP_TOKEN_MAX_CHARS
# A short code in its canonical form, K7QM4-PX2RT.
SHORT_CODE_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}")
# Theme ids, flags, districts: lowercase slugs.
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# Kiosk and event ids.
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
