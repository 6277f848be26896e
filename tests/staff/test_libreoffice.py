"""The CSV export round-trips through LibreOffice with every ä, ö and å intact.

The export comes from the real endpoint; LibreOffice imports it as a person would choose in its
text-import dialog (UTF-8, the chosen separator), saves it as .xlsx, and converts that back to
CSV. Every cell that carries text must come back the same.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from sync.server.domain.exports import COLUMNS
from tests.staff.conftest import make_visit

SOFFICE = shutil.which("soffice")
SEPARATOR_CODE = {"comma": "44", "semicolon": "59"}
TEXT_COLUMNS = (
    "record_id",
    "visit_id",
    "kiosk_id",
    "event_id",
    "kind",
    "story",
    "story_status",
    "theme_ids",
    "district",
    "age_group",
    "lang",
)
STORIES = [
    'Äiti, isä ja Åke söivät öljyä; "hyvää" – ÄÖÅ äöå',
    "Pyöräilijöille lisää tilaa Hällämönharjulla\nja Rantakylässä",
    "Jätkänkynttilät torilla ja glögiä, för alla åldrar!",
]


def _soffice(profile: Path, *args: str) -> None:
    # A profile of our own: other developers may run LibreOffice at the same time.
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("delimiter", ["comma", "semicolon"])
def test_csv_round_trips_through_libreoffice(client, login, kiosk, post_batch, tmp_path, delimiter):
    login()
    for story in STORIES:
        post_batch(
            kiosk,
            make_visit(
                kiosk.kiosk_id, story=story, district="hallamonharju", theme_ids=("liikenne",)
            ),
        )
    # Every text, also unmoderated ones: this test is about the letters, not moderation.
    exported = client.get(
        "/staff/api/export",
        params={"format": "csv", "delimiter": delimiter, "story_text": "all"},
    )
    assert exported.status_code == 200
    source = tmp_path / "export.csv"
    source.write_bytes(exported.content)
    sep = SEPARATOR_CODE[delimiter]
    profile = tmp_path / "lo-profile"
    _soffice(
        profile,
        f"--infilter=CSV:{sep},34,76,1",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(tmp_path),
        str(source),
    )
    assert (tmp_path / "export.xlsx").exists()
    back_dir = tmp_path / "back"
    _soffice(
        profile,
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76,1",
        "--outdir",
        str(back_dir),
        str(tmp_path / "export.xlsx"),
    )
    original = list(
        csv.DictReader(
            io.StringIO(exported.content.decode("utf-8-sig")),
            delimiter="," if delimiter == "comma" else ";",
        )
    )
    returned = list(csv.DictReader(io.StringIO((back_dir / "export.csv").read_text("utf-8"))))
    assert len(returned) == len(original) == 3 * len(make_visit(kiosk.kiosk_id, story="x"))
    assert list(returned[0]) == list(COLUMNS)
    for before, after in zip(original, returned, strict=True):
        for column in TEXT_COLUMNS:
            assert after[column] == before[column], (column, before[column], after[column])
    stories = {row["story"] for row in returned if row["story"]}
    assert stories == set(STORIES)
    text = (back_dir / "export.csv").read_text("utf-8")
    for letter in "äöåÄÖÅ":
        assert text.count(letter) == exported.content.decode("utf-8-sig").count(letter), letter


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_per_visit_workbook_opens_in_libreoffice(client, login, kiosk, post_batch, tmp_path):
    """The .xlsx a librarian downloads opens as it is: one row per visit, names beside codes."""
    login()
    for story in STORIES:
        post_batch(
            kiosk,
            make_visit(
                kiosk.kiosk_id,
                story=story,
                district="hallamonharju",
                age_group="75+",
                theme_ids=("liikenne",),
            ),
        )
    exported = client.get(
        "/staff/api/export", params={"format": "xlsx", "unit": "visit", "story_text": "all"}
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    source = tmp_path / "visits.xlsx"
    source.write_bytes(exported.content)
    back_dir = tmp_path / "back"
    _soffice(
        tmp_path / "lo-profile",
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76,1",
        "--outdir",
        str(back_dir),
        str(source),
    )
    rows = list(csv.DictReader(io.StringIO((back_dir / "visits.csv").read_text("utf-8"))))
    assert len(rows) == 3
    assert {r["story"] for r in rows} == set(STORIES)
    assert {r["district_name"] for r in rows} == {"Hallamonharju"}
    assert {r["age_group_name"] for r in rows} == {"75 tai yli"}
    assert {r["face"] for r in rows} == {"Tyytyväinen"}
    # The local time is a real date-time cell: LibreOffice writes it back as a date.
    assert all(r["time_local"][:2] == "20" and ":" in r["time_local"] for r in rows)
