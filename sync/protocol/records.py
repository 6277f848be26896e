"""The record and batch schema shared by the kiosk store and the central server (pydantic).

This module is the one place the schema is written down (docs/sync-protocol.md describes it in
prose). The kiosk's ``LocalStore`` validates every record with :func:`validate_record` before it
touches the disk; the server's ingest validates a batch's shape with :class:`Batch` and every
record of it with the same :func:`validate_record`, so a record the kiosk accepted is a record
the server accepts. It imports nothing of ours outside ``sync.protocol``.
"""

from __future__ import annotations

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

from sync.protocol.constants import (
    AGE_GROUPS,
    BATCH_MAX_RECORDS,
    CREATED_AT_EARLIEST,
    CREATED_AT_MAX_AHEAD,
    DISTRICTS,
    FOLLOW_UP_TOKEN_MAX_CHARS,
    ID_RE,
    MAX_THEMES,
    RATINGS,
    SHORT_CODE_RE,
    SLUG_RE,
    STORY_MAX_CHARS,
    TOKEN_RE,
)
from sync.protocol.values import clean_story

__all__ = [
    "Batch",
    "BatchAck",
    "FieldError",
    "Record",
    "RecordValidationError",
    "validate_record",
]


class Record(BaseModel):
    """One finished step of one visit. The field list is the schema; see docs/sync-protocol.md."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)

    id: str = Field(description="UUID of the record; the server stores each id once.")
    visit_id: str = Field(description="UUID shared by the records of one visit.")
    created_at: str = Field(
        description="UTC ISO 8601 time the step was finished; from 2020-01-01T00:00:00Z to 24 "
        "hours past the receiving side's clock."
    )
    kiosk_id: str = Field(min_length=1, max_length=128)
    event_id: str = Field(min_length=1, max_length=128)
    kind: Literal["rating", "themes", "story"]
    rating: int | None = Field(
        default=None, description="1-4 for the four faces; rating records only."
    )
    theme_ids: list[str] = Field(default_factory=list, max_length=MAX_THEMES)
    story: str | None = Field(
        default=None,
        description=f"At most {STORY_MAX_CHARS} characters after NFC normalisation.",
        json_schema_extra={"maxLength": STORY_MAX_CHARS},
    )
    lang: Literal["fi", "sv", "en"]
    age_group: str | None = None
    district: str | None = None
    follow_up_token: str = Field(
        description="At least 128 random bits, URL-safe, 22 to 64 characters; shared by a visit "
        "and owned by the first visit that uses it.",
        json_schema_extra={
            "minLength": 22,
            "maxLength": FOLLOW_UP_TOKEN_MAX_CHARS,
            "pattern": r"^[A-Za-z0-9_-]+$",
        },
    )
    short_code: str | None = Field(
        default=None,
        description="The visit's short code, Crockford base32 in two groups of five"
        " (K7QM4-PX2RT, 50 random bits), for people without a phone camera: they open"
        " <public_base_url>/k and type it. Shared by a visit; never exported.",
        json_schema_extra={"pattern": "^" + SHORT_CODE_RE.pattern + "$"},
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
    def _utc_iso(cls, value: str, info: ValidationInfo) -> str:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except (ValueError, AttributeError):
            raise ValueError("must be an ISO 8601 time such as 2026-04-14T10:00:00Z") from None
        if parsed.tzinfo is None or parsed.utcoffset() != UTC.utcoffset(None):
            raise ValueError("must be in UTC (end with Z or +00:00)")
        if parsed < CREATED_AT_EARLIEST:
            raise ValueError("must not be before 2020-01-01T00:00:00Z")
        now = (info.context or {}).get("now") or datetime.now(UTC)
        if parsed > now + CREATED_AT_MAX_AHEAD:
            raise ValueError("must not be more than 24 hours ahead of the receiving side's clock")
        return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    @field_validator("kiosk_id", "event_id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not ID_RE.fullmatch(value):
            raise ValueError("must be letters, digits, '.', '_', ':' or '-' (at most 128)")
        return value

    @field_validator("theme_ids")
    @classmethod
    def _theme_ids(cls, value: list[str]) -> list[str]:
        for theme_id in value:
            if not isinstance(theme_id, str) or not SLUG_RE.fullmatch(theme_id):
                raise ValueError(f"theme id {theme_id!r} is not a lowercase slug")
        if len(set(value)) != len(value):
            raise ValueError("theme ids must not repeat")
        return value

    @field_validator("story")
    @classmethod
    def _story(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # Measured after normalising: NFC may lengthen a text (U+FB2C is three characters).
        value = clean_story(value)
        if len(value) > STORY_MAX_CHARS:
            raise ValueError(f"must be at most {STORY_MAX_CHARS} characters (after NFC)")
        return value

    @field_validator("short_code")
    @classmethod
    def _short_code(cls, value: str | None) -> str | None:
        if value is not None and not SHORT_CODE_RE.fullmatch(value):
            raise ValueError(
                "must be two groups of five Crockford base32 characters, such as K7QM4-PX2RT"
            )
        return value

    @field_validator("follow_up_token")
    @classmethod
    def _token(cls, value: str) -> str:
        if not TOKEN_RE.fullmatch(value):
            raise ValueError(
                "must be URL-safe base64 of at least 128 random bits (22 to 64 characters)"
            )
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
        if not allowed and not SLUG_RE.fullmatch(value):
            raise ValueError("must be a lowercase slug")
        return value

    @field_validator("flags")
    @classmethod
    def _flags(cls, value: list[str]) -> list[str]:
        for flag in value:
            if not isinstance(flag, str) or not SLUG_RE.fullmatch(flag):
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
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return the normalised record (a new dict) or raise :class:`RecordValidationError`.

    ``id`` is assigned when absent; ``story`` is NFC-normalised with control characters removed.
    ``age_groups`` and ``districts`` restrict those optional fields to configured lists.
    ``now`` is the validating side's clock for the bound on ``created_at`` (default: this
    machine's clock).
    """
    if not isinstance(record, Mapping):
        raise RecordValidationError([FieldError("record", "must be a JSON object", record_index)])
    data = dict(record)
    data.setdefault("id", str(uuid.uuid4()))
    context = {
        "age_groups": tuple(age_groups or ()),
        "districts": tuple(districts or ()),
        "now": now,
    }
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
