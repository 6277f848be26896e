"""The record and batch schema shared by the kiosk store and the central server, and request signing.

This module is the one place the schema is written down (docs/sync-protocol.md describes it in
prose). The kiosk's ``LocalStore`` validates every record with :func:`validate_record` before it
touches the disk; the server validates every record of a batch with the same models, so a record
the kiosk accepted is a record the server accepts. It imports nothing else of ours.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

__all__ = [
    "AGE_GROUPS",
    "BATCH_MAX_BYTES",
    "BATCH_MAX_RECORDS",
    "BATCHES_PATH",
    "BATCH_FILE_FORMAT",
    "Batch",
    "BatchFileError",
    "BatchAck",
    "FieldError",
    "EventInfo",
    "KINDS",
    "KioskConfig",
    "Localized",
    "MoodWeek",
    "PathStep",
    "StatusUpdate",
    "ThemeInfo",
    "Velho",
    "WallStory",
    "LANGS",
    "MAX_THEMES",
    "Record",
    "RecordValidationError",
    "SIGNATURE_MAX_SKEW_SECONDS",
    "STORY_MAX_CHARS",
    "body_digest",
    "canonical_json",
    "clean_story",
    "make_batch_file",
    "new_follow_up_token",
    "read_batch_file",
    "sign_request",
    "signature_headers",
    "signing_message",
    "utc_now_iso",
    "validate_record",
    "verify_signature",
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
# Defaults for the optional, anonymous demographics; a deployment may configure its own lists.
AGE_GROUPS = ("under-18", "18-29", "30-44", "45-64", "65-74", "75+")
DISTRICTS: tuple[str, ...] = ()  # empty means "any short slug" unless configured

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,}$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
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


class Record(BaseModel):
    """One finished step of one visit. The field list is the schema; see docs/sync-protocol.md."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)

    id: str = Field(description="UUID of the record; the server stores each id once.")
    visit_id: str = Field(description="UUID shared by the records of one visit.")
    created_at: str = Field(description="UTC ISO 8601 time the step was finished.")
    kiosk_id: str = Field(min_length=1, max_length=128)
    event_id: str = Field(min_length=1, max_length=128)
    kind: Literal["rating", "themes", "story"]
    rating: int | None = Field(
        default=None, description="1-4 for the four faces; rating records only."
    )
    theme_ids: list[str] = Field(default_factory=list, max_length=MAX_THEMES)
    story: str | None = Field(default=None, max_length=STORY_MAX_CHARS)
    lang: Literal["fi", "sv", "en"]
    age_group: str | None = None
    district: str | None = None
    follow_up_token: str = Field(
        description="At least 128 random bits, URL-safe; shared by a visit."
    )
    flags: list[str] = Field(default_factory=list, max_length=8)

    @field_validator("id", "visit_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        try:
            return str(uuid.UUID(str(value)))
        except (ValueError, AttributeError, TypeError):
            raise ValueError(
                "must be a UUID such as 3f1c2d9e-8a4b-4c6d-9e0f-1a2b3c4d5e6f"
            ) from None

    @field_validator("created_at")
    @classmethod
    def _utc_iso(cls, value: str) -> str:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except (ValueError, AttributeError):
            raise ValueError("must be an ISO 8601 time such as 2026-04-14T10:00:00Z") from None
        if parsed.tzinfo is None or parsed.utcoffset() != UTC.utcoffset(None):
            raise ValueError("must be in UTC (end with Z or +00:00)")
        return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    @field_validator("kiosk_id", "event_id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("must be letters, digits, '.', '_', ':' or '-' (at most 128)")
        return value

    @field_validator("theme_ids")
    @classmethod
    def _theme_ids(cls, value: list[str]) -> list[str]:
        for theme_id in value:
            if not isinstance(theme_id, str) or not _SLUG_RE.match(theme_id):
                raise ValueError(f"theme id {theme_id!r} is not a lowercase slug")
        if len(set(value)) != len(value):
            raise ValueError("theme ids must not repeat")
        return value

    @field_validator("story")
    @classmethod
    def _story(cls, value: str | None) -> str | None:
        return None if value is None else clean_story(value)

    @field_validator("follow_up_token")
    @classmethod
    def _token(cls, value: str) -> str:
        if not _TOKEN_RE.match(value):
            raise ValueError("must be URL-safe base64 of at least 128 random bits (22+ characters)")
        return value

    @field_validator("age_group")
    @classmethod
    def _age_group(cls, value: str | None, info: ValidationInfo) -> str | None:
        allowed = (info.context or {}).get("age_groups") or AGE_GROUPS
        if value is not None and value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    @field_validator("district")
    @classmethod
    def _district(cls, value: str | None, info: ValidationInfo) -> str | None:
        allowed = (info.context or {}).get("districts") or DISTRICTS
        if value is None:
            return None
        if allowed and value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        if not allowed and not _SLUG_RE.match(value):
            raise ValueError("must be a lowercase slug")
        return value

    @field_validator("flags")
    @classmethod
    def _flags(cls, value: list[str]) -> list[str]:
        for flag in value:
            if not isinstance(flag, str) or not _SLUG_RE.match(flag):
                raise ValueError(f"flag {flag!r} is not a lowercase slug")
        return value

    def model_post_init(self, __context: Any) -> None:
        # Cross-field rules: each kind carries exactly its own payload.
        if self.kind == "rating":
            if self.rating not in RATINGS:
                raise ValueError("rating: a rating record needs rating 1, 2, 3 or 4")
        elif self.rating is not None:
            raise ValueError(f"rating: only rating records carry a rating, not {self.kind}")
        if self.kind == "story":
            if not self.story:
                raise ValueError("story: a story record needs a non-empty story")
        elif self.story is not None:
            raise ValueError(f"story: only story records carry a story, not {self.kind}")
        if self.kind != "themes" and self.theme_ids and self.kind != "story":
            raise ValueError(f"theme_ids: a {self.kind} record carries no theme ids")


@dataclass(frozen=True)
class FieldError:
    """One problem in one field, in words a person can act on."""

    field: str
    problem: str
    record: int | None = None  # index in the batch, when the record came in one

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "problem": self.problem}
        if self.record is not None:
            out["record"] = self.record
        return out

    def __str__(self) -> str:
        where = f"record {self.record}: " if self.record is not None else ""
        return f"{where}{self.field}: {self.problem}"


class RecordValidationError(ValueError):
    """A record broke the schema. ``errors`` names each field and what was wrong with it."""

    def __init__(self, errors: Sequence[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def _field_errors(exc: ValidationError, record_index: int | None) -> list[FieldError]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        msg = str(err["msg"]).removeprefix("Value error, ")
        if not err["loc"] and ": " in msg:  # cross-field rule: "field: problem"
            loc, msg = msg.split(": ", 1)
        out.append(FieldError(loc, msg, record_index))
    return out


def validate_record(
    record: Mapping[str, Any],
    *,
    age_groups: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
    record_index: int | None = None,
) -> dict[str, Any]:
    """Return the normalised record (a new dict) or raise :class:`RecordValidationError`.

    ``id`` is assigned when absent; ``story`` is NFC-normalised with control characters removed.
    ``age_groups`` and ``districts`` restrict those optional fields to configured lists.
    """
    if not isinstance(record, Mapping):
        raise RecordValidationError([FieldError("record", "must be a JSON object", record_index)])
    data = dict(record)
    data.setdefault("id", str(uuid.uuid4()))
    context = {"age_groups": tuple(age_groups or ()), "districts": tuple(districts or ())}
    try:
        model = Record.model_validate(data, context=context)
    except ValidationError as exc:
        raise RecordValidationError(_field_errors(exc, record_index)) from None
    except ValueError as exc:  # raised by model_post_init outside pydantic's wrapping
        field, _, problem = str(exc).partition(": ")
        raise RecordValidationError(
            [FieldError(field, problem or str(exc), record_index)]
        ) from None
    return model.model_dump()


class Batch(BaseModel):
    """What a kiosk POSTs to ``/api/v1/batches``."""

    model_config = ConfigDict(extra="forbid")

    batch_id: str = Field(description="UUID chosen by the kiosk; resending it is idempotent.")
    records: list[dict[str, Any]] = Field(min_length=1, max_length=BATCH_MAX_RECORDS)

    @field_validator("batch_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        return Record._uuid(value)


class BatchAck(BaseModel):
    """The server's 201 answer to a batch."""

    batch_id: str
    accepted: int
    duplicates: int


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8. Used for batch bodies and hashes."""
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signing_message(method: str, path: str, timestamp: int | str, body: bytes) -> bytes:
    """``METHOD\\nPATH\\nTIMESTAMP\\nhex(sha256(body))``; PATH without the query string."""
    path = path.split("?", 1)[0]
    return f"{method.upper()}\n{path}\n{timestamp}\n{body_digest(body)}".encode()


def _secret_bytes(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        return secret
    padded = secret + "=" * (-len(secret) % 4)
    try:
        return base64.urlsafe_b64decode(padded)
    except (ValueError, TypeError):
        return secret.encode()


def sign_request(
    secret: str | bytes, method: str, path: str, timestamp: int | str, body: bytes
) -> str:
    """Lowercase hex HMAC-SHA256 of :func:`signing_message` with the kiosk's secret.

    The secret is the base64url text printed by ``kiosk-server enroll-kiosk``; its decoded bytes
    are the HMAC key.
    """
    return hmac.new(
        _secret_bytes(secret), signing_message(method, path, timestamp, body), hashlib.sha256
    ).hexdigest()


def verify_signature(
    secret: str | bytes, method: str, path: str, timestamp: int | str, body: bytes, signature: str
) -> bool:
    expected = sign_request(secret, method, path, timestamp, body)
    return hmac.compare_digest(expected, (signature or "").lower())


def signature_headers(
    kiosk_id: str, secret: str | bytes, method: str, path: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The three ``X-Kiosk-*`` headers for one request."""
    return {
        "X-Kiosk-Id": kiosk_id,
        "X-Kiosk-Timestamp": str(timestamp),
        "X-Kiosk-Signature": sign_request(secret, method, path, timestamp, body),
    }


# --- kiosk-config: what GET /api/v1/kiosk-config answers, and the shape of the bundled demo content.


class Localized(BaseModel):
    """A text in the kiosk's three languages. Finnish is required; the others fall back to it."""

    fi: str
    sv: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        return getattr(self, lang, "") or self.fi


class Velho(BaseModel):
    """The process person of a theme; without one a theme does not move."""

    name: str
    role: Localized
    contact: str | None = Field(
        default=None, description="Shown publicly only when staff set it so."
    )
    photo_url: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^https?://[^\s]+$",
        description="The velho's photo (http or https), set by staff; kiosks cache it.",
    )


class PathStep(BaseModel):
    """One dated step on a theme's path, which should reach a year ahead."""

    date: str = Field(description="ISO date, YYYY-MM-DD.")
    title: Localized
    done: bool = False


class StatusUpdate(BaseModel):
    """'What happened' - the 'we did' of 'you said - we did'."""

    date: str = Field(description="ISO date, YYYY-MM-DD.")
    text: Localized


class MoodWeek(BaseModel):
    """Counts of the four faces in one ISO week."""

    week: str = Field(description="ISO week such as 2026-W47.")
    counts: dict[str, int] = Field(description='Keys "1".."4", one per face.')


class ThemeInfo(BaseModel):
    id: str
    name: Localized
    velho: Velho | None = None
    path: list[PathStep] = Field(default_factory=list)
    updates: list[StatusUpdate] = Field(default_factory=list)
    mood_weeks: list[MoodWeek] = Field(default_factory=list)


class EventInfo(BaseModel):
    id: str
    name: Localized
    date: str = Field(description="ISO date of the käyttäjätori, YYYY-MM-DD.")
    question: Localized
    location: str = ""


class WallStory(BaseModel):
    """An approved 'Minun Mikkelini' story for the kiosk's story wall."""

    id: str
    text: str
    lang: Literal["fi", "sv", "en"] = "fi"
    theme_ids: list[str] = Field(default_factory=list)


class KioskConfig(BaseModel):
    """Everything a kiosk shows that staff keep current on the server."""

    generated_at: str
    public_base_url: str = Field(
        description="Base of the follow-up links a visitor's phone can reach."
    )
    event: EventInfo | None = Field(
        default=None,
        description="This kiosk's active event: one that lists the kiosk, else one for all kiosks.",
    )
    events: list[EventInfo] = Field(
        default_factory=list,
        description="Events the kiosk's staff may switch to: the active one and the coming ones,"
        " by date (at most 5).",
    )
    themes: list[ThemeInfo] = Field(default_factory=list)
    stories: list[WallStory] = Field(default_factory=list)
    age_groups: list[str] = Field(default_factory=lambda: list(AGE_GROUPS))
    districts: list[str] = Field(default_factory=list)


# --- USB batch files: a signed batch carried on a stick when a kiosk has no network at all.

BATCH_FILE_FORMAT = "kayttajatori-batch/1"
BATCHES_PATH = "/api/v1/batches"


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
    try:
        timestamp = int(document["timestamp"])
    except (TypeError, ValueError):
        raise BatchFileError("batch file 'timestamp' must be Unix seconds") from None
    body = document["body"]
    if not isinstance(body, str):
        raise BatchFileError("batch file 'body' must be the batch JSON as a string")
    return str(document["kiosk_id"]), timestamp, str(document["signature"]), body.encode("utf-8")
