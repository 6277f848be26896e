"""The poster and the event report as PDF: what they say (pdftotext, fi and sv), that their
fonts are embedded (pdffonts), that they render to pages (pdftoppm), and that nothing private
or below the k = 5 rule is in them; ``kiosk-server report`` writes the same report."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.printables.conftest import APPROVED, HIDDEN, PHONE

EVENT = "kayttajatori-2026-11"


def pdf_text(body: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(body)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def pdf_pages(path: Path) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(path), str(path.with_suffix(""))], check=True
    )
    return sorted(path.parent.glob(path.stem + "-*.png"))


@pytest.fixture
def busy_theme(seed_visits, earlier_event):
    """Twelve visits to liikenne a month ago (faces and groups mixed), two to nuoret."""
    del earlier_event
    day = date.today() - timedelta(days=30)
    rows = [
        *[(4, ("liikenne",), "30-44", "keskusta")] * 6,
        *[(3, ("liikenne",), "30-44", "rantakyla")] * 2,
        *[(1, ("liikenne",), "65-74", "rantakyla")] * 3,
        (2, ("liikenne",), None, None),
        (4, ("nuoret",), "under-18", "keskusta"),
        (3, ("nuoret",), "under-18", "keskusta"),
    ]
    seed_visits(day, rows, stories={0: (APPROVED, "approved"), 1: (HIDDEN, "hidden")})


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fi", ["Liikenne ja pyöräily", "Väinö Velho", "Päätös", "Pyörätiet kartoitettu."]),
        ("sv", ["Trafik och cykling", "trafikplanerare", "Beslut", "Cykelvägarna kartlagda."]),
    ],
)
def test_the_poster_shows_the_theme_in_the_asked_language(
    client, busy_theme, tmp_path, lang, words
):
    answer = client.get(f"/themes/liikenne/poster.pdf?lang={lang}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content, tmp_path, f"poster-{lang}")
    for word in words:
        assert word in text
    assert f"/themes/liikenne?lang={lang}" in text  # the QR code's address, printed beside it
    assert PHONE not in text and HIDDEN not in text
    path = tmp_path / f"poster-{lang}.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts.stdout  # every font embedded
    pages = pdf_pages(path)
    assert len(pages) == 1  # one A3 sheet


def test_the_posters_qr_code_reads_as_the_themes_public_page(client, busy_theme, tmp_path):
    import zxingcpp  # in the dev lock
    from PIL import Image

    path = tmp_path / "poster.pdf"
    path.write_bytes(client.get("/themes/liikenne/poster.pdf?lang=sv").content)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(tmp_path / "big")], check=True)
    found = zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("big-*.png"))))
    assert [r.text for r in found] == ["http://127.0.0.1:8765/themes/liikenne?lang=sv"]


def test_an_unknown_theme_or_event_has_no_pdf(client, demo_themes):
    assert client.get("/themes/nope/poster.pdf").status_code == 404
    assert client.get("/events/nope/report.pdf").status_code == 404


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fi", ["Käyttäjätori marraskuu", "Ikäryhmät", "Alle 18", "alle 5", "Keskusta"]),
        ("sv", ["Användartorget november", "Åldersgrupper", "Under 18", "färre än 5", "Keskusta"]),
    ],
)
def test_the_event_report_tells_each_theme_since_the_previous_event(
    client, busy_theme, tmp_path, lang, words
):
    answer = client.get(f"/events/{EVENT}/report.pdf?lang={lang}")
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content, tmp_path, f"report-{lang}")
    for word in words:
        assert word in text, word
    assert APPROVED in text  # approved for publishing
    assert PHONE not in text and "Meikäläinen" not in text  # a hidden story never
    # liikenne: 12 visits; 65-74 had 3 and is hidden with another group, never printed as 3
    assert "12" in text
    pages = pdf_pages(tmp_path / f"report-{lang}.pdf")
    assert len(pages) >= 2  # a page per theme


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_story_is_never_printed_beside_its_age_group_or_district(client, busy_theme, tmp_path):
    text = pdf_text(client.get(f"/events/{EVENT}/report.pdf?lang=fi").content, tmp_path, "r")
    story_at = text.index(APPROVED)
    around = text[max(0, story_at - 80) : story_at + len(APPROVED) + 80]
    assert "30–44" not in around and "Keskusta" not in around


def test_the_command_line_writes_the_same_report(busy_theme, settings, tmp_path):
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sync.server.cli",
            "report",
            "--event",
            EVENT,
            "--out",
            str(out),
            "--lang",
            "sv",
            "--data-dir",
            settings.data_dir,
            "--database-url",
            settings.resolved_database_url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = pdf_text(out.read_bytes(), tmp_path, "cli")
    assert "Användartorget november" in text and APPROVED in text
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "sync.server.cli",
            "report",
            "--event",
            "nope",
            "--out",
            str(out),
            "--database-url",
            settings.resolved_database_url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1 and missing.stderr.strip()


def test_the_poster_draws_no_month_whose_shares_would_give_a_small_count_away():
    from sync.server.domain.public_stats import MonthMood
    from sync.server.printables import k_safe_months

    safe = MonthMood(date(2026, 10, 1), 10, {1: 0, 2: 0, 3: 5, 4: 5})
    risky = MonthMood(date(2026, 11, 1), 12, {1: 3, 2: 1, 3: 2, 4: 6})
    assert k_safe_months([safe, risky]) == [safe, MonthMood(risky.month, 12, None)]


def test_the_report_names_the_configured_districts_no_one_came_from(
    engine, busy_theme, tmp_path, db_url
):
    from fastapi.testclient import TestClient

    from sync.server.app import create_app
    from sync.server.settings import Settings

    configured = Settings.load(
        {
            "data_dir": str(tmp_path / "data"),
            "database_url": db_url,
            "districts": "keskusta,rantakyla,otava",
        },
        env={},
    )
    with TestClient(create_app(configured, engine)) as client:
        body = client.get(f"/events/{EVENT}/report.pdf?lang=fi").content
    text = pdf_text(body, tmp_path, "districts")
    assert "Näiltä asuinalueilta ei ollut käyntejä: Otava" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "districts.pdf")], capture_output=True, text=True, check=True
    )
    assert all(" yes " in row for row in fonts.stdout.splitlines()[2:]), fonts.stdout
