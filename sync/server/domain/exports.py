"""Record exports: CSV (UTF-8 with BOM, comma or semicolon) and JSON Lines, streamed in chunks.

The column list :data:`COLUMNS` is the contract documented in ``docs/exports.md``. The visit's
follow-up token is never exported: it is the key to a visitor's page. A withdrawn story has no
text (the server erased it); a redacted story is exported as redacted. CSV cells that a
spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime

__all__ = ["BOM", "COLUMNS", "DELIMITERS", "csv_chunks", "export_row", "jsonl_chunks"]

COLUMNS = (
    "record_id",
    "visit_id",
    "batch_id",
    "created_at",
    "received_at",
    "kiosk_id",
    "event_id",
    "kind",
    "rating",
    "theme_ids",
    "story",
    "story_status",
    "personal_data_suspected",
    "lang",
    "age_group",
    "district",
    "flags",
)
DELIMITERS = {"comma": ",", "semicolon": ";"}
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK_ROWS = 500


def _iso(value: object) -> object:
    # SQLite hands back naive datetimes for timezone-aware columns; they are UTC by convention.
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        # The year padded by hand: strftime("%Y") writes year 1 as "1" (rows stored before
        # created_at was bounded may be that old).
        return f"{value.year:04d}-" + value.strftime("%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_row(record: Mapping) -> dict:
    """One database record as an export row (JSON types); the story as staff may publish it."""
    status = record.get("story_status")
    story = record.get("story_redacted") or record.get("story")
    if status == "withdrawn":
        story = None
    return {
        "record_id": record["id"],
        "visit_id": record["visit_id"],
        "batch_id": record["batch_id"],
        "created_at": _iso(record["created_at"]),
        "received_at": _iso(record["received_at"]),
        "kiosk_id": record["kiosk_id"],
        "event_id": record["event_id"],
        "kind": record["kind"],
        "rating": record.get("rating"),
        "theme_ids": list(record.get("theme_ids") or []),
        "story": story,
        "story_status": status,
        "personal_data_suspected": bool(record.get("personal_data_suspected")),
        "lang": record["lang"],
        "age_group": record.get("age_group"),
        "district": record.get("district"),
        "flags": list(record.get("flags") or []),
    }


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_chunks(
    rows: Iterable[Mapping], delimiter: str = "comma", columns: Sequence[str] = COLUMNS
) -> Iterator[bytes]:
    """UTF-8 CSV with BOM and CRLF line ends, header first, ``delimiter`` ``comma``/``semicolon``."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {', '.join(DELIMITERS)}, not {delimiter!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITERS[delimiter], lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    pending = 0
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in columns])
        pending += 1
        if pending >= _CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(rows: Iterable[Mapping], columns: Sequence[str] = COLUMNS) -> Iterator[bytes]:
    """One JSON object per line (UTF-8, no BOM), keys in ``columns`` order."""
    lines: list[str] = []
    for row in rows:
        lines.append(json.dumps({c: row[c] for c in columns}, ensure_ascii=False, default=str))
        if len(lines) >= _CHUNK_ROWS:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")
