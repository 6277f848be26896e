"""iCalendar (.ics) files of käyttäjätori events, for the follow-up page's download link.

An event with a start time is a timed entry in the server's display time zone (with its
VTIMEZONE, so every calendar program places it right); an event without one is an all-day
entry. The place is given in the file's language. When ``url`` is given each entry links back
to it (the follow-up page the file was downloaded from). UIDs are stable per event id so that
importing the file twice updates instead of duplicating the entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

__all__ = ["events_ics"]

_HELSINKI = ZoneInfo("Europe/Helsinki")


def _localized(ev: Mapping, field: str, lang: str) -> str:
    return ev.get(f"{field}_{lang}") or ev.get(f"{field}_fi") or ev.get(field) or ""


def events_ics(
    events: Iterable[Mapping],
    lang: str,
    now: datetime | None = None,
    *,
    url: str | None = None,
    zone: tzinfo = _HELSINKI,
) -> bytes:
    """A VCALENDAR with one VEVENT per event; names, questions and places in ``lang`` (fi fallback).

    Each mapping needs ``id``, ``event_date`` (a date), ``name_fi``/``question_fi`` and optionally
    the ``_sv``/``_en`` variants, ``location`` (Finnish) with ``location_sv``/``location_en``,
    and ``start_time``/``end_time`` (times of day; an end without a start is ignored).
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//Kayttajatori//Follow-up//FI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for ev in events:
        vevent = Event()
        vevent.add("uid", f"{ev['id']}@kayttajatori")
        vevent.add("dtstamp", stamp)
        start_time, end_time = ev.get("start_time"), ev.get("end_time")
        if start_time is not None:
            start = datetime.combine(ev["event_date"], start_time, tzinfo=zone)
            end = (
                datetime.combine(ev["event_date"], end_time, tzinfo=zone)
                if end_time is not None and end_time > start_time
                else start + timedelta(hours=2)
            )
            vevent.add("dtstart", start)
            vevent.add("dtend", end)
        else:
            vevent.add("dtstart", ev["event_date"])
            if ev["event_date"] < date.max:  # an event stored on the calendar's last day has no end
                vevent.add("dtend", ev["event_date"] + timedelta(days=1))
        vevent.add("summary", _localized(ev, "name", lang))
        description = [_localized(ev, "question", lang)]
        if url:
            description.append(url)
            vevent.add("url", url)
        if any(description):
            vevent.add("description", "\n\n".join(d for d in description if d))
        location = _localized(ev, "location", lang)
        if location:
            vevent.add("location", location)
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()
