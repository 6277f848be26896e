"""Printables: the A3 theme poster and the käyttäjätori event report, as PDF.

Both are HTML from Jinja templates (``templates/print/``), rendered with the server's page
renderer (so gettext, dates and labels are the web pages' own) and turned into PDF by
WeasyPrint; fonts (DejaVu, through fontconfig) are embedded by WeasyPrint. The mood picture is
the public theme page's SVG (:mod:`sync.server.domain.mood_picture`); the QR code, an SVG from
``qrcode``, points to the theme's public page. A caller may rely on:

- :func:`poster_pdf` giving the poster of an active theme (None for an unknown or inactive
  one): velho, the path a year ahead with the current step, the mood picture, the latest
  updates and a QR code;
- :func:`report_pdf` giving the handout of an event (None for an unknown one): per active
  theme, since the previous event, the mood, participation by age group and district with who
  is missing, stories approved for publishing (text only, never with an age group or
  district), the updates and the path ahead.
Counts follow the k = 5 rule of :mod:`sync.server.domain.event_report` and
:mod:`sync.server.domain.public_stats`; story text comes from
:func:`sync.server.db.story_privacy.publishable_stories` only.
"""

from __future__ import annotations

import base64
import io
from datetime import date, datetime, timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from sqlalchemy import Engine

from sync.server.db import public_themes
from sync.server.db.event_report import event_and_previous
from sync.server.db.open_data import visits
from sync.server.db.story_privacy import publishable_stories
from sync.server.domain.event_report import theme_summary
from sync.server.domain.i18n import translations
from sync.server.domain.labels import FACE_LABELS, age_group_label, district_label
from sync.server.domain.mood_picture import mood_description, mood_svg
from sync.server.domain.public_stats import MIN_COUNT, MonthMood
from sync.server.domain.theme_path import current_step_index
from sync.server.resources.rendering import STATIC_DIR, PageRenderer
from sync.server.settings import Settings

__all__ = ["html_to_pdf", "k_safe_months", "poster_pdf", "qr_data_uri", "report_pdf"]

REPORT_STORIES = 3
POSTER_UPDATES = 3


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's PDF of ``html`` (imported here: it takes a while and only PDFs need it)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(STATIC_DIR)).write_pdf()


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI (sharp at any print size)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def theme_url(settings: Settings, theme_id: str, lang: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/themes/{theme_id}?lang={lang}"


def k_safe_months(months: list[MonthMood]) -> list[MonthMood]:
    """The months as the poster may draw them: a month where some face was chosen by 1-4
    visits is drawn empty (its shares times its visits would give that count away)."""
    return [
        MonthMood(m.month, m.visits, None)
        if m.faces and any(0 < n < MIN_COUNT for n in m.faces.values())
        else m
        for m in months
    ]


def _mood_picture(view: dict[str, Any], lang: str) -> Markup:
    gettext = translations(lang).gettext
    months = k_safe_months(view["mood"])
    names = [f"{m.month.month}/{m.month.year}" for m in months]
    faces = {f: gettext(label) for f, label in FACE_LABELS.items()}
    title = gettext("Mood month by month")
    # The text alternative says what is drawn: a month left empty with its visits only.
    drawn = [(m, n) for m, n in zip(months, names, strict=True) if m.faces or m.hidden]
    description = mood_description(
        [m for m, _ in drawn], [n for _, n in drawn], title=title, face_names=faces, gettext=gettext
    )
    left = [
        f"{n}: {m.visits} {gettext('visits')}"
        for m, n in zip(months, names, strict=True)
        if not (m.faces or m.hidden)
    ]
    if left:
        description += " " + "; ".join(left) + "."
    svg = mood_svg(months, title=title, description=description, face_names=faces)
    return Markup(svg)  # noqa: S704 - built from numbers and escaped names only


def poster_pdf(
    engine: Engine,
    pages: PageRenderer,
    settings: Settings,
    theme_id: str,
    *,
    lang: str,
    today: date,
) -> bytes | None:
    with engine.connect() as conn:
        row = public_themes.theme(conn, theme_id)
        if row is None:
            return None
        view = public_themes.theme_view(conn, row, today=today, zone=pages.timezone)
    url = theme_url(settings, theme_id, lang)
    html = pages.render(
        "print/poster.html",
        {
            "t": view,
            "updates": view["updates"][:POSTER_UPDATES],
            "mood": _mood_picture(view, lang),
            "qr": qr_data_uri(url),
            "url": url,
            "today": today,
        },
        lang=lang,
    )
    return html_to_pdf(html)


def report_context(
    engine: Engine,
    pages: PageRenderer,
    settings: Settings,
    event_id: str,
    *,
    lang: str,
    today: date,
) -> dict[str, Any] | None:
    """Everything the event report shows (also for tests and the benchmark)."""
    zone = pages.timezone
    gettext = translations(lang).gettext
    with engine.connect() as conn:
        event, previous = event_and_previous(conn, event_id)
        if event is None:
            return None
        since_day = (
            previous["event_date"] if previous else event["event_date"] - timedelta(days=365)
        )
        since = datetime.combine(since_day, datetime.min.time(), tzinfo=zone)
        until = datetime.combine(
            event["event_date"] + timedelta(days=1), datetime.min.time(), tzinfo=zone
        )
        found = visits(conn, zone, since=since, until=until)
        themes = []
        for row in public_themes.active_themes(conn):
            summary = theme_summary(
                found, row["id"], age_groups=settings.age_groups, districts=settings.districts
            )
            stories = [
                s
                for s in publishable_stories(conn, theme_id=row["id"], since=since)
                if s["created_at"] is not None
            ][:REPORT_STORIES]
            current = current_step_index(row["steps"], event["event_date"])
            themes.append(
                {
                    "t": row,
                    "summary": summary,
                    "stories": stories,
                    "updates": [u for u in row["updates"] if u["update_date"] >= since_day],
                    "ahead": row["steps"][current:]
                    if current is not None
                    else [s for s in row["steps"] if not s["done"]],
                }
            )
    return {
        "event": event,
        "previous": previous,
        "since": since_day,
        "themes": themes,
        "today": today,
        "face_name": lambda c: gettext(FACE_LABELS[int(c)]) if c in "1234" else gettext("No face"),
        "age_name": lambda c: (
            gettext("Not given") if c == "not_given" else age_group_label(c, gettext)
        ),
        "district_name": lambda c: gettext("Not given") if c == "not_given" else district_label(c),
    }


def report_pdf(
    engine: Engine,
    pages: PageRenderer,
    settings: Settings,
    event_id: str,
    *,
    lang: str,
    today: date,
) -> bytes | None:
    context = report_context(engine, pages, settings, event_id, lang=lang, today=today)
    if context is None:
        return None
    return html_to_pdf(pages.render("print/report.html", context, lang=lang))
