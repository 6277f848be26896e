"""Batch ingest: parse and validate a kiosk's batch, then store it in one transaction.

A caller may rely on:
- :func:`parse_batch` raising ``BadRequest`` (not JSON), ``PayloadTooLarge`` (over 1 MiB or
  500 records) or ``InvalidInput`` listing every broken record by index and field, including
  records whose ``kiosk_id`` is not the signing kiosk; nothing is stored when it raises.
- :func:`store_batch` storing each record id at most once, ever (a stored id counts as a
  duplicate), refusing (``InvalidInput`` naming ``follow_up_token``) a record whose token a
  stored record of another visit or kiosk uses (a token belongs to the first visit using it), answering a resent batch (same ``batch_id``, same content) with the answer it
  gave first, and raising ``Conflict`` for a ``batch_id`` reused with other content or by
  another kiosk. It is safe to call from several processes at once on one PostgreSQL
  database: inserts use ``ON CONFLICT DO NOTHING`` and the batch row is claimed first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from gettext import gettext as _
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from sync.protocol import (
    BATCH_MAX_BYTES,
    BATCH_MAX_RECORDS,
    Batch,
    FieldError,
    RecordValidationError,
    canonical_json,
    validate_record,
)
from sync.server.db.engine import write_connection
from sync.server.db.tables import batches, record_themes, records
from sync.server.domain.moderation import looks_personal as default_looks_personal
from sync.server.errors import BadRequest, Conflict, InvalidInput, PayloadTooLarge

__all__ = ["IngestResult", "ParsedBatch", "parse_batch", "store_batch"]

MAX_REPORTED_ERRORS = 100
_RETRYABLE_PG_CODES = {"40001", "40P01"}  # serialization failure, deadlock detected
_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ParsedBatch:
    batch_id: str
    records: list[dict[str, Any]]  # normalised by sync.protocol.validate_record
    content_sha256: str


@dataclass(frozen=True)
class IngestResult:
    batch_id: str
    accepted: int
    duplicates: int
    replayed: bool = False  # True when this batch_id was stored before and is answered again

    def ack(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "accepted": self.accepted, "duplicates": self.duplicates}


def parse_batch(
    body: bytes,
    kiosk_id: str,
    *,
    age_groups: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
) -> ParsedBatch:
    document = _load_json(body)
    batch_id, raw_records = _batch_shape(document)
    normalised = _validate_records(raw_records, kiosk_id, age_groups, districts)
    digest = hashlib.sha256(canonical_json(raw_records)).hexdigest()
    return ParsedBatch(batch_id, normalised, digest)


def _load_json(body: bytes) -> Any:
    if len(body) > BATCH_MAX_BYTES:
        raise PayloadTooLarge(
            _("the batch is {size} bytes; the limit is {limit}").format(
                size=len(body), limit=BATCH_MAX_BYTES
            )
        )
    try:
        return json.loads(body)
    except RecursionError:
        raise BadRequest(_("the body is not valid JSON: it is nested too deeply")) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(_("the body is not valid JSON: {error}").format(error=exc)) from None


# Batch's problems in the words of the record problems (pydantic's own words otherwise).
_BATCH_PROBLEMS = {
    "extra_forbidden": _("is not a batch field"),
    "missing": _("is required"),
    "list_type": _("must be a list of records"),
    "too_short": _("must hold at least one record"),
}


def _batch_shape(document: Any) -> tuple[str, list]:
    """``(batch_id, records)`` of a document valid as a :class:`Batch`, else InvalidInput/413.

    Only the batch's own shape: each record is validated after, with its index."""
    if not isinstance(document, dict):
        raise InvalidInput(_("the batch must be a JSON object with batch_id and records"))
    raw_records = document.get("records")
    if isinstance(raw_records, list) and len(raw_records) > BATCH_MAX_RECORDS:
        raise PayloadTooLarge(
            _("the batch has {count} records; the limit is {limit}").format(
                count=len(raw_records), limit=BATCH_MAX_RECORDS
            )
        )
    try:
        batch = Batch.model_validate(document)
    except ValidationError as exc:
        raise InvalidInput(
            _("the batch is not in the protocol's shape"), _batch_problems(exc)
        ) from None
    return batch.batch_id, batch.records


def _batch_problems(exc: ValidationError) -> list[FieldError]:
    problems = []
    for error in exc.errors():
        where = error["loc"]
        if len(where) > 1 and where[0] == "records" and isinstance(where[1], int):
            problems.append(FieldError("record", _("must be a JSON object"), where[1]))
            continue
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(FieldError(str(where[0]), _BATCH_PROBLEMS.get(error["type"], message)))
    return problems


def _record_problems(raw: Any, record: dict[str, Any], kiosk_id: str, index: int) -> list:
    """What the server checks beyond the schema of one (already valid) record."""
    problems = []
    if record["story"] is not None and not _encodable(record["story"]):
        # JSON can carry escaped lone surrogates, which no database stores as text.
        problems.append(
            FieldError("story", _("contains invalid Unicode (a lone surrogate)"), index)
        )
    if "id" not in raw:
        # The server must not invent ids: a resend would then be stored twice.
        problems.append(FieldError("id", _("is required in a batch"), index))
    if record["kiosk_id"] != kiosk_id:
        problems.append(
            FieldError(
                "kiosk_id",
                _("is {theirs!r} but the batch is signed by kiosk {ours!r}").format(
                    theirs=record["kiosk_id"], ours=kiosk_id
                ),
                index,
            )
        )
    return problems


def _validate_records(
    raw_records: list,
    kiosk_id: str,
    age_groups: Iterable[str] | None,
    districts: Iterable[str] | None,
) -> list[dict[str, Any]]:
    """The normalised records, or InvalidInput listing every broken one by index and field."""
    normalised, errors = [], []
    first_visit: dict[str, str] = {}  # follow-up token -> the first visit using it in the batch
    for index, raw in enumerate(raw_records):
        try:
            record = validate_record(
                raw, age_groups=age_groups, districts=districts, record_index=index
            )
        except RecordValidationError as exc:
            errors.extend(exc.errors)
            continue
        errors.extend(_record_problems(raw, record, kiosk_id, index))
        if (
            first_visit.setdefault(record["follow_up_token"], record["visit_id"])
            != record["visit_id"]
        ):
            errors.append(_foreign_token(index))
        normalised.append(record)
    _refuse(errors)
    return normalised


def _foreign_token(index: int | None) -> FieldError:
    return FieldError(
        "follow_up_token",
        _("belongs to another visit; a kiosk makes a new token for every visit"),
        index,
    )


def _refuse(errors: list[FieldError]) -> None:
    """InvalidInput listing ``errors`` (the first hundred), when there are any."""
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = (
            _(" (first {shown} of {total} shown)").format(shown=len(shown), total=len(errors))
            if len(errors) > len(shown)
            else ""
        )
        broken = {e.record for e in errors if e.record is not None}
        raise InvalidInput(
            _("{count} record(s) break the schema; nothing was stored").format(count=len(broken))
            + more,
            shown,
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _insert(conn: Connection, table):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _record_row(
    record: dict[str, Any],
    batch_id: str,
    received_at: datetime,
    looks_personal: Callable[[str], bool],
) -> dict[str, Any]:
    is_story = record["kind"] == "story"
    return {
        "id": record["id"],
        "batch_id": batch_id,
        "visit_id": record["visit_id"],
        "created_at": datetime.fromisoformat(record["created_at"].replace("Z", "+00:00")),
        "received_at": received_at,
        "kiosk_id": record["kiosk_id"],
        "event_id": record["event_id"],
        "kind": record["kind"],
        "rating": record["rating"],
        "theme_ids": record["theme_ids"],
        "story": record["story"],
        "lang": record["lang"],
        "age_group": record["age_group"],
        "district": record["district"],
        "follow_up_token": record["follow_up_token"],
        "short_code": record.get("short_code"),
        "flags": record["flags"],
        "story_status": "pending" if is_story else None,
        "story_redacted": None,
        "personal_data_suspected": bool(is_story and looks_personal(record["story"])),
        "moderated_at": None,
        "moderated_by": None,
    }


def _stored_answer(conn: Connection, parsed: ParsedBatch, kiosk_id: str) -> IngestResult | None:
    row = conn.execute(
        select(
            batches.c.kiosk_id, batches.c.content_sha256, batches.c.accepted, batches.c.duplicates
        ).where(batches.c.batch_id == parsed.batch_id)
    ).first()
    if row is None:
        return None
    if row.kiosk_id != kiosk_id:
        raise Conflict(
            _("batch {id} was sent by another kiosk; use a new batch_id").format(id=parsed.batch_id)
        )
    if row.content_sha256 != parsed.content_sha256:
        raise Conflict(
            _(
                "batch {id} was received before with other records; "
                "a batch_id must never be reused for new content"
            ).format(id=parsed.batch_id)
        )
    return IngestResult(parsed.batch_id, row.accepted, row.duplicates, replayed=True)


def _foreign_tokens(conn: Connection, parsed: ParsedBatch, kiosk_id: str) -> list[FieldError]:
    """Records whose follow-up token a stored record of another visit (or kiosk) uses.

    The first visit that uses a token owns it: another visit's record with that token would put
    its text on the first visitor's follow-up page.
    """
    tokens = {r["follow_up_token"] for r in parsed.records}
    owners: dict[str, set[tuple[str, str]]] = {}
    for token, visit_id, owner_kiosk in conn.execute(
        select(records.c.follow_up_token, records.c.visit_id, records.c.kiosk_id)
        .where(records.c.follow_up_token.in_(sorted(tokens)))
        .distinct()
    ):
        owners.setdefault(token, set()).add((visit_id, owner_kiosk))
    return [
        _foreign_token(index)
        for index, record in enumerate(parsed.records)
        if owners.get(record["follow_up_token"], {(record["visit_id"], kiosk_id)})
        != {(record["visit_id"], kiosk_id)}
    ]


def _store_once(
    engine: Engine,
    parsed: ParsedBatch,
    kiosk_id: str,
    source: str,
    now: datetime,
    looks_personal: Callable[[str], bool],
) -> IngestResult:
    with write_connection(engine) as conn:
        answer = _stored_answer(conn, parsed, kiosk_id)
        if answer is not None:
            return answer
        _refuse(_foreign_tokens(conn, parsed, kiosk_id))
        # Claim the batch id. A concurrent process inserting the same batch makes this a no-op
        # (on PostgreSQL it waits for that transaction first); we then answer as it did.
        claimed = conn.execute(
            _insert(conn, batches)
            .values(
                batch_id=parsed.batch_id,
                kiosk_id=kiosk_id,
                received_at=now,
                content_sha256=parsed.content_sha256,
                record_count=len(parsed.records),
                accepted=0,
                duplicates=0,
                source=source,
            )
            .on_conflict_do_nothing(index_elements=["batch_id"])
            .returning(batches.c.batch_id)
        ).first()
        if claimed is None:
            answer = _stored_answer(conn, parsed, kiosk_id)
            if answer is None:  # pragma: no cover - the conflicting row vanished: retry
                raise _Retry()
            return answer
        inserted = _insert_records(conn, parsed, now, looks_personal)
        accepted = inserted
        duplicates = len(parsed.records) - accepted
        conn.execute(
            update(batches)
            .where(batches.c.batch_id == parsed.batch_id)
            .values(accepted=accepted, duplicates=duplicates)
        )
    return IngestResult(parsed.batch_id, accepted, duplicates)


def _insert_records(
    conn: Connection, parsed: ParsedBatch, now: datetime, looks_personal: Callable[[str], bool]
) -> int:
    """Insert the records not stored yet (and their theme rows); return how many were new."""
    unique: dict[str, dict[str, Any]] = {}
    for record in parsed.records:
        unique.setdefault(record["id"], record)
    # Sorted ids: two transactions inserting overlapping records lock them in the same order,
    # so they queue instead of deadlocking.
    rows = [
        _record_row(unique[rid], parsed.batch_id, now, looks_personal) for rid in sorted(unique)
    ]
    inserted = {
        row[0]
        for row in conn.execute(
            _insert(conn, records)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(records.c.id),
            rows,
        )
    }
    theme_rows = [
        {"record_id": row["id"], "theme_id": theme_id}
        for row in rows
        if row["id"] in inserted
        for theme_id in row["theme_ids"]
    ]
    if theme_rows:
        conn.execute(_insert(conn, record_themes).on_conflict_do_nothing(), theme_rows)
    return len(inserted)


class _Retry(Exception):
    pass


def store_batch(
    engine: Engine,
    parsed: ParsedBatch,
    kiosk_id: str,
    *,
    source: str = "network",
    now: datetime | None = None,
    looks_personal: Callable[[str], bool] | None = None,
) -> IngestResult:
    looks_personal = looks_personal or default_looks_personal
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        try:
            return _store_once(
                engine, parsed, kiosk_id, source, now or datetime.now(UTC), looks_personal
            )
        except _Retry:
            continue
        except DBAPIError as exc:
            code = getattr(exc.orig, "sqlstate", None)
            if code not in _RETRYABLE_PG_CODES or attempt == _MAX_ATTEMPTS:
                raise
    raise RuntimeError(f"batch {parsed.batch_id} could not be stored after {_MAX_ATTEMPTS} tries")
