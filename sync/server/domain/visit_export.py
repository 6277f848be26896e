"""Per-visit exports: one row per visit (time, kiosk, event, face, themes, story, who), with
names beside codes and local time beside UTC, as CSV, JSON Lines or an Excel workbook.

A caller may rely on: :data:`VISIT_COLUMNS` being the contract in ``docs/exports.md``; a visit's
face being its LAST rating (a visitor who went back and chose again counts once, with their
final choice; ``ratings_given`` says how many they gave); story text only when it has passed
moderation and the privacy gate, unless the caller asks for unmoderated text; never the
follow-up token or short code.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sync.server.domain.answers import answer_order, counted_records
from sync.server.domain.labels import age_group_label, district_label, face_label
from sync.server.domain.privacy_gate import assess, publishable

__all__ = ["VISIT_COLUMNS", "VisitNames", "local_text", "visit_row", "xlsx_bytes"]

VISIT_COLUMNS = (
    "visit_id",
    "time_local",
    "time_utc",
    "kiosk_id",
    "kiosk",
    "site",
    "event_id",
    "event",
    "rating",
    "face",
    "ratings_given",
    "theme_ids",
    "themes",
    "story_status",
    "story",
    "lang",
    "age_group",
    "age_group_name",
    "district",
    "district_name",
)


@dataclass(frozen=True)
class VisitNames:
    """The names an export writes beside codes, in the staff member's language."""

    gettext: Callable[[str], str]
    timezone: tzinfo
    kiosks: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, site)
    events: Mapping[str, str] = field(default_factory=dict)
    themes: Mapping[str, str] = field(default_factory=dict)
    districts: Mapping[str, str] = field(default_factory=dict)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_text(value: datetime, zone: tzinfo) -> str:
    """``2026-11-14 12:05:00``: a spreadsheet reads it as a date and time without a dialog."""
    return _utc(value).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def visit_row(
    records: Sequence[Mapping[Any, Any]],
    names: VisitNames,
    *,
    include_unmoderated: bool = False,
    gates: Mapping[Any, Mapping[Any, Any]] | None = None,
) -> dict:
    """One export row from a visit's records (any order)."""
    ordered = sorted(records, key=answer_order)
    first = ordered[0]
    ratings = [r for r in ordered if r["kind"] == "rating" and r.get("rating")]
    rating = ratings[-1]["rating"] if ratings else None
    theme_ids: list[str] = []
    # Only the last themes record counts (sync.server.domain.answers); stories name themes too.
    for r in counted_records(ordered):
        if r["kind"] in ("themes", "story"):
            for theme_id in r.get("theme_ids") or []:
                if theme_id not in theme_ids:
                    theme_ids.append(theme_id)
    story_rec = next((r for r in reversed(ordered) if r["kind"] == "story"), None)
    story_status = story = None
    if story_rec is not None:
        story_status = story_rec.get("story_status") or "pending"
        text = story_rec.get("story_redacted") or story_rec.get("story")
        gate = (gates or {}).get(story_rec["id"]) or {}
        privacy = assess(
            text,
            dismissed_keys=gate.get("dismissed") or (),
            manually_flagged=bool(gate.get("manually_flagged")),
            override_reason=gate.get("override_reason"),
        )
        if story_status != "withdrawn" and (
            include_unmoderated or publishable(story_status, text, privacy)
        ):
            story = text
    who = next((r for r in reversed(ordered) if r.get("age_group") or r.get("district")), first)
    kiosk_name, site = names.kiosks.get(first["kiosk_id"], ("", ""))
    gettext = names.gettext
    return {
        "visit_id": first["visit_id"],
        "time_local": local_text(first["created_at"], names.timezone),
        "time_utc": _utc(first["created_at"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kiosk_id": first["kiosk_id"],
        "kiosk": kiosk_name,
        "site": site,
        "event_id": first["event_id"],
        "event": names.events.get(first["event_id"], ""),
        "rating": rating,
        "face": face_label(rating, gettext),
        "ratings_given": len(ratings),
        "theme_ids": theme_ids,
        "themes": [names.themes.get(t, t) for t in theme_ids],
        "story_status": story_status,
        "story": story,
        "lang": first["lang"],
        "age_group": who.get("age_group"),
        "age_group_name": age_group_label(who.get("age_group"), gettext),
        "district": who.get("district"),
        "district_name": district_label(who.get("district"), dict(names.districts)),
    }


def xlsx_bytes(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, sheet: str = "export"
) -> bytes:
    """An Excel workbook (one sheet, header row frozen): opens without an import dialog.

    Lists become space-separated text; ``time_local`` becomes a real date-time cell; text that
    starts with ``=`` is stored as text, never as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.freeze_panes = "A2"
    ws.append(list(columns))
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list):
                value = " ".join(str(v) for v in value)
            if column == "time_local" and isinstance(value, str) and value:
                cell = WriteOnlyCell(ws, value=datetime.strptime(value, "%Y-%m-%d %H:%M:%S"))
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                cells.append(cell)
                continue
            if isinstance(value, str) and value.startswith("="):
                # openpyxl would store it as a formula; the public's text stays text.
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                cells.append(cell)
                continue
            cells.append(value)
        ws.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
