"""Unit tests of sync.server.domain: moderation, paths, stats, exports, calendar, i18n, charts."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from sync.server.domain import stats
from sync.server.domain.calendar_ics import events_ics
from sync.server.domain.charts import BarChart, Series, describe, render
from sync.server.domain.exports import BOM, COLUMNS, csv_chunks, export_row, jsonl_chunks
from sync.server.domain.i18n import negotiate, translations
from sync.server.domain.moderation import REDACTION_MARK, find_personal_data, looks_personal, redact
from sync.server.domain.theme_path import add_months, current_step_index, theme_warnings


@pytest.mark.parametrize(
    "text",
    [
        "Soittakaa minulle 040 123 4567",
        "numero +358 50 765 4321 iltaisin",
        "050-7654321",
        "meili matti.meikalainen@example.fi",
        "matti (at) posti (dot) fi",
        "Asun Porrassalmenkatu 5 B:ssä",
        "bor på Storgatan 12",
        "I live at 12 Baker Street",
        "hetu 131052-308T",
    ],
)
def test_personal_data_is_flagged(text):
    assert looks_personal(text)


@pytest.mark.parametrize(
    "text",
    [
        "Tori elää talvellakin!",
        "Seminaari oli 14.4.2009 kirjastossa",
        "Vuonna 2026 kävijöitä oli 3000",
        "we met at the library. It was nice",
        "Pyöräteitä lisää Hanhikivelle",
        "",
        None,
    ],
)
def test_ordinary_stories_are_not_flagged(text):
    assert not looks_personal(text)


def test_findings_name_kind_and_place():
    text = "Soita 040 123 4567 tai kirjoita a@b.fi"
    found = find_personal_data(text)
    assert [f.kind for f in found] == ["phone", "email"]
    assert text[found[0].start : found[0].end] == "040 123 4567"


def test_redact_replaces_every_occurrence_and_refuses_missing_passages():
    assert redact("soita 040 1 ja 040 1", "040 1") == f"soita {REDACTION_MARK} ja {REDACTION_MARK}"
    with pytest.raises(ValueError, match="does not occur"):
        redact("tarina", "puhelin")
    with pytest.raises(ValueError, match="empty"):
        redact("tarina", "   ")


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_theme_warnings():
    today = date(2026, 11, 28)
    steps_long = [{"step_date": date(2027, 6, 1), "done": False}]
    steps_short = [{"step_date": date(2027, 5, 27), "done": False}]
    assert theme_warnings({"velho_name": "Väinö"}, steps_long, today) == []
    assert theme_warnings({"velho_name": " "}, steps_long, today) == ["no-velho"]
    assert theme_warnings({"velho_name": "Väinö"}, steps_short, today) == ["path-short"]
    assert theme_warnings({}, [], today) == ["no-velho", "path-short"]
    # exactly six months ahead is enough
    assert theme_warnings({"velho_name": "V"}, [{"step_date": date(2027, 5, 28)}], today) == []


def test_current_step_is_first_not_done():
    steps = [{"done": True}, {"done": False}, {"done": False}]
    assert current_step_index(steps, date.today()) == 1
    assert current_step_index([{"done": True}], date.today()) is None
    assert current_step_index([], date.today()) is None


def test_faces_by_week_fills_gaps():
    rows = [
        (datetime(2026, 11, 2, 10, tzinfo=UTC), 4),  # Monday of W45
        (datetime(2026, 11, 3, 10, tzinfo=UTC), 1),
        (datetime(2026, 11, 20, 10, tzinfo=UTC), 3),  # W47
    ]
    weeks = stats.faces_by_week(rows)
    assert [w for w, _ in weeks] == ["2026-W45", "2026-W46", "2026-W47"]
    assert weeks[0][1] == {1: 1, 2: 0, 3: 0, 4: 1}
    assert weeks[1][1] == {1: 0, 2: 0, 3: 0, 4: 0}
    assert stats.faces_by_week([]) == []


def test_participation_counts_visits_once_and_shows_missing_groups():
    rows = [
        {"visit_id": "a", "age_group": "18-29"},
        {"visit_id": "a", "age_group": "18-29"},
        {"visit_id": "b", "age_group": None},
        {"visit_id": "c", "age_group": "65-74"},
    ]
    out = stats.participation(rows, "age_group", ["under-18", "18-29", "65-74"])
    assert out == [("under-18", 0), ("18-29", 1), ("65-74", 1), (stats.NOT_GIVEN, 1)]


def test_theme_counts_keep_order_and_zeros():
    assert stats.theme_counts([("b", 2), ("x", 5)], ["a", "b"]) == [("a", 0), ("b", 2), ("x", 5)]


def _record(**over):
    base = {
        "id": "r1",
        "visit_id": "v1",
        "batch_id": "b1",
        "created_at": datetime(2026, 11, 14, 10, 0, tzinfo=UTC),
        "received_at": datetime(2026, 11, 14, 10, 5),
        "kiosk_id": "k1",
        "event_id": "e1",
        "kind": "story",
        "rating": None,
        "theme_ids": ["liikenne", "nuoret"],
        "story": "Hyvä Mikkeli, ä ö å",
        "story_status": "approved",
        "story_redacted": None,
        "personal_data_suspected": False,
        "lang": "fi",
        "age_group": "18-29",
        "district": None,
        "flags": [],
        "follow_up_token": "SECRET-TOKEN-123456789012",
    }
    return base | over


def test_export_row_never_carries_the_token_and_respects_withdrawal_and_redaction():
    row = export_row(_record())
    assert set(row) == set(COLUMNS)
    assert "SECRET" not in json.dumps(row)
    assert row["created_at"] == "2026-11-14T10:00:00.000000Z"
    assert row["received_at"] == "2026-11-14T10:05:00.000000Z"  # naive means UTC
    assert export_row(_record(story_status="withdrawn", story=None))["story"] is None
    assert export_row(_record(story_redacted="Hyvä […]"))["story"] == "Hyvä […]"


@pytest.mark.parametrize("delimiter,char", [("comma", ","), ("semicolon", ";")])
def test_csv_has_bom_crlf_and_chosen_delimiter(delimiter, char):
    rows = [export_row(_record()), export_row(_record(id="r2", story='=HYPERLINK("x")'))]
    data = b"".join(csv_chunks(rows, delimiter))
    assert data.startswith(BOM.encode("utf-8"))
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    parsed = list(csv.reader(io.StringIO(text), delimiter=char))
    assert parsed[0] == list(COLUMNS)
    assert parsed[1][COLUMNS.index("story")] == "Hyvä Mikkeli, ä ö å"
    assert parsed[1][COLUMNS.index("theme_ids")] == "liikenne nuoret"
    # a formula is defused with a leading apostrophe
    assert parsed[2][COLUMNS.index("story")] == '\'=HYPERLINK("x")'


def test_csv_refuses_unknown_delimiter():
    with pytest.raises(ValueError, match="delimiter"):
        list(csv_chunks([], "tab"))


def test_jsonl_one_object_per_line():
    rows = [export_row(_record(id=str(i))) for i in range(1203)]
    data = b"".join(jsonl_chunks(rows)).decode("utf-8")
    lines = data.splitlines()
    assert len(lines) == 1203
    first = json.loads(lines[0])
    assert list(first) == list(COLUMNS) and first["theme_ids"] == ["liikenne", "nuoret"]
    assert "ä ö å" in lines[0]  # not \u escapes


def test_ics_is_valid_all_day_calendar():
    event = {
        "id": "kt-1",
        "event_date": date(2026, 12, 18),
        "name_fi": "Käyttäjätori",
        "name_sv": "Användartorget",
        "question_fi": "Miltä näyttää?",
        "question_sv": "",
        "location": "Pääkirjasto",
    }
    cal = Calendar.from_ical(events_ics([event], "sv"))
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["summary"]) == "Användartorget"
    assert str(vevent["description"]) == "Miltä näyttää?"  # falls back to Finnish
    assert vevent["dtstart"].dt == date(2026, 12, 18)
    assert vevent["dtend"].dt == date(2026, 12, 19)
    assert str(vevent["uid"]) == "kt-1@kayttajatori"


@pytest.mark.parametrize(
    "query,header,expected",
    [
        ("sv", "en-US,en;q=0.9", "sv"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "de-DE, sv;q=0.5, fi;q=0.8", "fi"),
        ("xx", "sv-FI", "sv"),
        (None, None, "fi"),
        (None, "de", "fi"),
        (None, "fi;q=0, en;q=0.1", "en"),
    ],
)
def test_negotiate(query, header, expected):
    assert negotiate(query, header) == expected


def test_catalogues_translate_and_fall_back():
    assert translations("fi").gettext("Withdraw my story") == "Peru tarinani"
    assert (
        translations("sv").gettext("Withdraw my story") == "Ta tillbaka min berättelse"
    )  # the glossary's term
    assert translations("en").gettext("Withdraw my story") == "Withdraw my story"
    assert translations("fi").ngettext("%(num)s status update", "%(num)s status updates", 2) == (
        "%(num)s tilannepäivitystä"
    )


def test_every_catalogue_message_is_translated():
    from babel.messages.pofile import read_po

    from sync.server.domain.i18n import LOCALE_DIR

    for lang in ("fi", "sv"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "web.po").open("rb") as handle:
            catalog = read_po(handle)
        empty = [
            m.id
            for m in catalog
            if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
        ]
        assert not empty, f"{lang}: untranslated {empty[:5]}"


def test_every_template_message_is_in_both_catalogues():
    """A string added to a staff or public template without a fi and sv entry would show in
    English on a Finnish page; Jinja's own Babel extractor finds every ``_()`` in them."""
    from babel.messages.pofile import read_po
    from jinja2.ext import babel_extract

    from sync.server.domain.i18n import LOCALE_DIR

    templates = Path(__file__).resolve().parents[2] / "sync" / "server" / "templates"
    wanted: dict[str, str] = {}
    for path in sorted(templates.rglob("*.html")):
        with path.open("rb") as handle:
            for line, _func, message, _comments in babel_extract(
                handle, ("_", "gettext", "ngettext"), [], {}
            ):
                if message is None:
                    continue  # _(variable): its messages are checked where they are defined
                msgid = message if isinstance(message, str) else message[0]  # plural: singular
                if msgid:
                    wanted.setdefault(msgid, f"{path.name}:{line}")
    assert len(wanted) > 100  # the extractor really read the templates
    for lang in ("fi", "sv"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "web.po").open("rb") as handle:
            catalog = read_po(handle)
        missing = [f"{where}: {msgid!r}" for msgid, where in wanted.items() if msgid not in catalog]
        assert not missing, f"{lang}: {missing[:5]}"


def test_chart_svg_keeps_text_and_png_is_png():
    chart = BarChart(
        "Kasvot viikoittain",
        ["2026-W45", "2026-W46"],
        [Series("Tosi tyytymätön", [1, 0]), Series("Tyytyväinen", [2, 3])],
        stacked=True,
    )
    svg = render(chart, "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Kasvot viikoittain" in svg.decode("utf-8") and "2026-W46" in svg.decode("utf-8")
    assert render(chart, "png").startswith(b"\x89PNG\r\n\x1a\n")
    text = describe(chart, "yhteensä")
    assert "2026-W46: Tosi tyytymätön 0, Tyytyväinen 3 (yhteensä 3)" in text
    with pytest.raises(ValueError):
        render(chart, "gif")


def test_empty_chart_says_so():
    chart = BarChart("Käynnit", [], [Series("Käynnit", [])], empty_text="Ei vielä tietoja")
    assert describe(chart) == "Käynnit: Ei vielä tietoja."
    assert "Ei vielä tietoja" in render(chart, "svg").decode("utf-8")


def test_chart_escapes_markup_in_labels():
    chart = BarChart("<script>alert(1)</script>", ["<b>x</b>"], [Series("s", [1])])
    svg = render(chart, "svg").decode("utf-8")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_weeks_read_as_date_ranges():
    assert stats.week_label("2026-W47") == "16.–22.11.2026"
    assert stats.week_label("2026-W49") == "30.11.–6.12.2026"
    assert stats.week_label("2026-W53") == "28.12.2026–3.1.2027"
    assert stats.week_label("not a week") == "not a week"


def test_a_visit_counts_once_with_its_last_face_and_quick_repeats_only_on_request():
    t0 = datetime(2026, 11, 2, 10, tzinfo=UTC)
    rows = [
        {"visit_id": "a", "created_at": t0, "id": "1", "rating": 1, "flags": []},
        {"visit_id": "a", "created_at": t0 + timedelta(seconds=20), "id": "2", "rating": 4},
        {"visit_id": "b", "created_at": t0, "id": "3", "rating": 2, "flags": ["rapid_repeat"]},
        {"visit_id": "c", "created_at": t0, "id": "5", "rating": 3, "flags": []},
        {"visit_id": "c", "created_at": t0, "id": "4", "rating": 1, "flags": []},  # same time
    ]
    assert stats.visit_faces(rows) == {"a": (rows[1]["created_at"], 4), "c": (t0, 3)}
    assert stats.visit_faces(rows, include_rapid=True)["b"] == (t0, 2)


def test_mood_by_theme_is_the_share_of_happy_visits_with_every_theme_listed():
    t = datetime(2026, 11, 2, tzinfo=UTC)
    faces = {"a": (t, 4), "b": (t, 1), "c": (t, 3)}
    choices = [("a", "liikenne"), ("b", "liikenne"), ("c", "nuoret"), ("x", "nuoret")]
    mood = stats.mood_by_theme(faces, choices, ["liikenne", "nuoret", "kirjasto"])
    assert [(m["theme_id"], m["visits"], m["happy"], m["share"]) for m in mood] == [
        ("liikenne", 2, 1, 0.5),
        ("nuoret", 1, 1, 1.0),
        ("kirjasto", 0, 0, None),
    ]
    assert mood[0]["faces"] == {1: 1, 2: 0, 3: 0, 4: 1}


def test_missing_names_the_configured_groups_without_visits():
    part = [("keskusta", 2), ("kalevankangas", 0), ("other", 1), (stats.NOT_GIVEN, 1)]
    assert stats.missing(part, ["keskusta", "kalevankangas", "rantakyla"]) == [
        "kalevankangas",
        "rantakyla",
    ]


def test_form_errors_name_the_field_as_the_page_does(client, login):
    """ "name_fi is required." is a code; the staff member reads the field's label."""
    from babel.messages.pofile import read_po

    from sync.server.domain.i18n import LOCALE_DIR
    from sync.server.resources.staff.auth import FIELD_LABELS

    for lang in ("fi", "sv"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "web.po").open("rb") as handle:
            catalog = read_po(handle)
        assert all(catalog.get(label) and catalog[label].string for label in FIELD_LABELS.values())
    token = login()
    response = client.post(
        "/staff/events",
        data={"csrf": token, "id": "kt-x", "event_date": "2027-01-20", "question_fi": "Q"},
    )
    assert response.status_code == 400
    alert = response.text.split('role="alert">')[1].split("</p>")[0]
    assert "Nimi suomeksi on pakollinen." in alert and "name_fi" not in alert


def test_a_wrong_password_shows_a_sentence_not_a_code(client, staff):
    from tests.staff.conftest import csrf_of

    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"csrf": csrf_of(page.text), "username": staff, "password": "väärin-väärin"},
    )
    assert response.status_code == 401
    alerts = response.text.split('role="alert">')[1:]
    assert len(alerts) == 1 and ">wrong<" not in response.text
