"""iCalendar (.ics) files of käyttäjätori events, for the follow-up page's download link.

Events are all-day entries (the table has a date, not a time). UIDs are stable per event id so
that importing the file twice updates instead of duplicating the entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

__all__ = ["events_ics"]


def events_ics(events: Iterable[Mapping], lang: str, now: datetime | None = None) -> bytes:
    """A VCALENDAR with one all-day VEVENT per event; names and questions in ``lang`` (fi fallback).

    Each mapping needs ``id``, ``event_date`` (a date), ``name_fi``/``question_fi`` and optionally
    the ``_sv``/``_en`` variants and ``location``.
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//Kayttajatori//Follow-up//FI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for ev in events:
        name = ev.get(f"name_{lang}") or ev["name_fi"]
        question = ev.get(f"question_{lang}") or ev["question_fi"]
        vevent = Event()
        vevent.add("uid", f"{ev['id']}@kayttajatori")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", ev["event_date"])
        if ev["event_date"] < date.max:  # an event stored on the calendar's last day has no end
            vevent.add("dtend", ev["event_date"] + timedelta(days=1))
        vevent.add("summary", name)
        if question:
            vevent.add("description", question)
        if ev.get("location"):
            vevent.add("location", ev["location"])
        cal.add_component(vevent)
    return cal.to_ical()
