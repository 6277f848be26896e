"""Reading staff form fields: trimmed text with length limits, ISO dates, slugs, checkboxes.

Each reader raises :class:`FormError` naming the field and the problem (an English gettext
message id with ``%(field)s``-style variables), so the page can show it translated next to the
form and nothing is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, time

from sync.protocol import ID_RE, SLUG_RE
from sync.server.errors import FormError

__all__ = ["FormError", "checkbox", "clock_time", "iso_date", "slug", "text"]

EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)


def text(form: Mapping, name: str, *, required: bool = False, max_length: int = 200) -> str:
    value = form.get(name, "")
    # Normalised before measuring: the limit is on the text as stored.
    value = unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""
    if required and not value:
        raise FormError("%(field)s is required.", field=name)
    if len(value) > max_length:
        raise FormError("%(field)s is longer than %(max)s characters.", field=name, max=max_length)
    return value


def iso_date(form: Mapping, name: str) -> date:
    value = text(form, name, required=True, max_length=10)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise FormError("%(field)s must be a date such as 2026-11-28.", field=name) from None
    # Bounded: a typo such as 9999-12-31 would otherwise break every page that counts from it
    # (the calendar download adds a day to an event's date).
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise FormError("%(field)s must be a date between 2000 and 2099.", field=name)
    return day


def clock_time(form: Mapping, name: str) -> time | None:
    """An optional time of day, ``18:00`` (what a time field sends) or ``18.00`` (as Finns write)."""
    value = text(form, name, max_length=20).replace(".", ":")
    if not value:
        return None
    try:
        return time.fromisoformat(value if len(value) > 2 else value + ":00")
    except ValueError:
        raise FormError("%(field)s must be a time such as 18.00.", field=name) from None


def slug(form: Mapping, name: str, *, event_id: bool = False) -> str:
    value = text(form, name, required=True, max_length=128 if event_id else 64)
    if not (ID_RE if event_id else SLUG_RE).fullmatch(value):
        raise FormError(
            "%(field)s may hold only lowercase letters, digits, '-' and '_'.", field=name
        )
    return value


def checkbox(form: Mapping, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "yes")
