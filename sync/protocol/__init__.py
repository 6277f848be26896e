"""The kiosk <-> server protocol, in one package (docs/sync-protocol.md describes it in prose).

- :mod:`~sync.protocol.constants`: languages, record kinds, limits, id/slug/token patterns.
- :mod:`~sync.protocol.values`: a visit's follow-up token, UTC time stamps, a cleaned story.
- :mod:`~sync.protocol.signing`: request signing with the kiosk's secret.
- :mod:`~sync.protocol.batch_file`: the envelope of a signed batch carried on a USB stick.
- :mod:`~sync.protocol.records`: the record and batch schema (pydantic).
- :mod:`~sync.protocol.kiosk_config`: what a kiosk shows, as the server sends it (pydantic).

The first four use the standard library only, so the kiosk imports them without pydantic. This
module re-exports every name, so ``from sync.protocol import X`` works for all of them; the
pydantic modules are imported on first use of one of their names (PEP 562), not with the package.
The package imports nothing else of ours.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sync.protocol.batch_file import (
    BATCH_FILE_FORMAT,
    BatchFileError,
    make_batch_file,
    read_batch_file,
)
from sync.protocol.constants import (
    AGE_GROUPS,
    BATCH_MAX_BYTES,
    BATCH_MAX_RECORDS,
    BATCHES_PATH,
    CREATED_AT_EARLIEST,
    CREATED_AT_MAX_AHEAD,
    DISTRICTS,
    FOLLOW_UP_TOKEN_BYTES,
    FOLLOW_UP_TOKEN_MAX_CHARS,
    ID_RE,
    KINDS,
    LANGS,
    MAX_THEMES,
    RATINGS,
    SHORT_CODE_ALPHABET,
    SHORT_CODE_RE,
    SIGNATURE_MAX_SKEW_SECONDS,
    SLUG_RE,
    STORY_MAX_CHARS,
    TOKEN_RE,
)
from sync.protocol.signing import (
    SecretError,
    body_digest,
    canonical_json,
    secret_bytes,
    sign_request,
    signature_headers,
    signing_message,
    verify_signature,
)
from sync.protocol.values import (
    clean_story,
    new_follow_up_token,
    new_short_code,
    normalize_short_code,
    utc_now_iso,
)

if TYPE_CHECKING:
    from sync.protocol.kiosk_config import (
        EventInfo,
        KioskConfig,
        Localized,
        MoodWeek,
        PathStep,
        StatusUpdate,
        ThemeInfo,
        Velho,
        WallStory,
    )
    from sync.protocol.records import (
        Batch,
        BatchAck,
        FieldError,
        Record,
        RecordValidationError,
        validate_record,
    )

_PYDANTIC_MODULES = {
    "sync.protocol.records": (
        "Batch",
        "BatchAck",
        "FieldError",
        "Record",
        "RecordValidationError",
        "validate_record",
    ),
    "sync.protocol.kiosk_config": (
        "EventInfo",
        "KioskConfig",
        "Localized",
        "MoodWeek",
        "PathStep",
        "StatusUpdate",
        "ThemeInfo",
        "Velho",
        "WallStory",
    ),
}
_LAZY = {name: module for module, names in _PYDANTIC_MODULES.items() for name in names}

__all__ = [
    "AGE_GROUPS",
    "BATCHES_PATH",
    "BATCH_FILE_FORMAT",
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
    "SHORT_CODE_RE",
    "SIGNATURE_MAX_SKEW_SECONDS",
    "SLUG_RE",
    "STORY_MAX_CHARS",
    "TOKEN_RE",
    "Batch",
    "BatchAck",
    "BatchFileError",
    "EventInfo",
    "FieldError",
    "KioskConfig",
    "Localized",
    "MoodWeek",
    "PathStep",
    "Record",
    "RecordValidationError",
    "SecretError",
    "StatusUpdate",
    "ThemeInfo",
    "Velho",
    "WallStory",
    "body_digest",
    "canonical_json",
    "clean_story",
    "make_batch_file",
    "new_follow_up_token",
    "new_short_code",
    "normalize_short_code",
    "read_batch_file",
    "secret_bytes",
    "sign_request",
    "signature_headers",
    "signing_message",
    "utc_now_iso",
    "validate_record",
    "verify_signature",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
