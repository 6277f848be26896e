"""Open data: the tables over HTTP, the Data Package validating with Frictionless, and the
k = 5 rule as properties (Hypothesis): no published cell below 5 other than 0, and no
suppressed cell that the published total and cells pin down."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from frictionless import Package, validate
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.server.domain.open_data import (
    GRACE_DAYS,
    MIN_COUNT,
    Visit,
    block_rows,
    last_closed_week,
    suppress_block,
    tables,
    week_label,
    week_start,
)
from tests.printables.conftest import APPROVED, HIDDEN

CLOSED = week_start(date.today()) - timedelta(days=7 * 5)  # a Monday long published


def rows_of(client, name: str) -> list[dict[str, str]]:
    answer = client.get(f"/open-data/{name}.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text)))


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_the_tables_count_each_visit_once_with_its_last_face_and_suppress_small_groups(
    client, demo_themes, seed_visits
):
    seed_visits(
        CLOSED,
        [
            *[(4, ("liikenne",), "30-44", "keskusta")] * 7,
            *[(2, ("liikenne",), "65-74", "rantakyla")] * 3,
            (3, ("nuoret",), "under-18", "keskusta"),
        ],
        stories={0: (APPROVED, "approved"), 1: (HIDDEN, "hidden")},
    )
    week = week_label(CLOSED)
    faces = {(r["theme_id"], r["face"]): r for r in rows_of(client, "faces") if r["week"] == week}
    assert faces[("liikenne", "all")]["visits"] == "10"
    assert (
        faces[("liikenne", "2")]["visits"] == ""
        and faces[("liikenne", "2")]["suppressed"] == "true"
    )
    # 3 is hidden, so 7 is too (else 10 - 7 = 3); zeros stay
    assert faces[("liikenne", "4")]["suppressed"] == "true"
    assert faces[("liikenne", "1")]["visits"] == "0"
    # one visit to nuoret: the whole block hidden, its total too
    assert all(r["suppressed"] == "true" for k, r in faces.items() if k[0] == "nuoret")
    ages = [r for r in rows_of(client, "age_groups") if r["week"] == week]
    for row in ages:
        assert row["visits"] in ("", "0") or int(row["visits"]) >= MIN_COUNT
    every = client.get("/open-data/faces.csv").text + client.get("/open-data/districts.json").text
    assert APPROVED not in every and HIDDEN not in every  # no story text in the open data


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_rating_changed_or_flagged_rapid_repeat_counts_once_by_its_last_valid_face(
    client, demo_themes, seed_visits, engine
):
    from sqlalchemy import select, update

    from sync.server.db.engine import write_connection
    from sync.server.db.tables import records

    seed_visits(CLOSED, [(1, ("liikenne",), None, None)] * 6)
    with write_connection(engine) as conn:
        ratings = conn.execute(
            select(records.c.id, records.c.visit_id).where(records.c.kind == "rating")
        ).all()
        # visit 0 went back and chose 4 (a later rating record of the same visit)
        first = conn.execute(select(records).where(records.c.id == ratings[0].id)).mappings().one()
        later = dict(first) | {
            "id": first["id"][:-4] + "beef",
            "rating": 4,
            "created_at": first["created_at"] + timedelta(seconds=30),
        }
        conn.execute(records.insert().values(later))
        # visit 1's rating is a rapid repeat: not counted (no face)
        conn.execute(
            update(records).where(records.c.id == ratings[1].id).values(flags=["rapid_repeat"])
        )
    week = week_label(CLOSED)
    faces = {r["face"]: r for r in rows_of(client, "faces") if r["week"] == week}
    assert faces["all"]["visits"] == "6"  # six visits, not seven records
    assert faces["4"]["suppressed"] == "true" and faces["none"]["suppressed"] == "true"
    assert faces["1"]["suppressed"] == "true"  # 4 left: hidden with the others


def test_a_week_is_published_only_once_closed_and_never_changes(client, demo_themes, seed_visits):
    this_week = week_start(date.today())
    seed_visits(this_week, [(3, ("liikenne",), None, None)] * 6)
    weeks = {r["week"] for r in rows_of(client, "faces")}
    assert week_label(this_week) not in weeks
    assert last_closed_week(date.today()) <= this_week - timedelta(days=7 + GRACE_DAYS)


def test_the_data_package_validates_with_frictionless(client, demo_themes, seed_visits, tmp_path):
    seed_visits(
        CLOSED,
        [*[(4, ("liikenne",), "30-44", "keskusta")] * 6, (1, ("liikenne",), "75+", None)],
    )
    descriptor = client.get("/open-data/datapackage.json").json()
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert "suppress" in descriptor["description"]
    for resource in descriptor["resources"]:
        (tmp_path / resource["path"]).write_text(
            client.get(f"/open-data/{resource['path']}").text, encoding="utf-8"
        )
        for field in resource["schema"]["fields"]:
            assert field["description"]  # the data dictionary: every column defined
            if field["type"] == "integer":
                assert field["name"] == "visits" or field["name"].endswith("_count")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = Package(tmp_path / "datapackage.json")
    assert package.get_resource("faces").read_rows()  # real rows, typed


def test_the_index_page_speaks_three_languages(client, demo_themes):
    assert "Avoin data" in client.get("/open-data/?lang=fi").text
    assert "Öppna data" in client.get("/open-data/?lang=sv").text
    assert "Open data" in client.get("/open-data/?lang=en").text
    assert client.get("/open-data/nope.csv").status_code == 404


# --- the rule as properties

counts = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e", "f"]), st.integers(0, 40), min_size=1
)


def feasible_range(total: int, cells) -> tuple[int, int]:
    """What an attacker can tell of any one suppressed cell: the suppressed cells add up to
    total minus the published ones, and each is at least 0."""
    hidden_sum = total - sum(c.visits for c in cells if not c.suppressed)
    return 0, hidden_sum


@settings(max_examples=400, deadline=None)
@given(counts)
def test_no_published_cell_is_below_five_and_no_suppressed_cell_can_be_worked_out(block):
    total, cells = suppress_block(block)
    for cell in cells:
        if not cell.suppressed:
            assert cell.visits == 0 or cell.visits >= MIN_COUNT
    if total is None:
        assert all(c.suppressed for c in cells)  # nothing to subtract from
        return
    assert total >= MIN_COUNT
    hidden = [c for c in cells if c.suppressed]
    if not hidden:
        return
    low, high = feasible_range(total, cells)
    assert len(hidden) >= 2
    # every suppressed cell could be 0 and could be 5 or more: two completions of the
    # published numbers that differ in it (all of the hidden sum here, or all elsewhere)
    assert high >= MIN_COUNT and low == 0
    for cell in hidden:
        elsewhere = next(c for c in hidden if c is not cell)
        as_all = {c.category: (high if c is cell else 0) for c in hidden}
        as_none = {c.category: (high if c is elsewhere else 0) for c in hidden}
        assert sum(as_all.values()) == sum(as_none.values()) == high
        assert as_all[cell.category] != as_none[cell.category]
        # and the true value is one of the completions' range
        assert 0 <= block[cell.category] <= high


visits_strategy = st.lists(
    st.builds(
        Visit,
        day=st.dates(date(2026, 1, 5), date(2026, 2, 28)),
        theme_ids=st.lists(st.sampled_from(["t1", "t2", "t3"]), max_size=2, unique=True).map(tuple),
        rating=st.sampled_from([None, 1, 2, 3, 4]),
        age_group=st.sampled_from([None, "18-29", "30-44", "75+"]),
        district=st.sampled_from([None, "keskusta", "otava"]),
    ),
    max_size=120,
)


@settings(max_examples=100, deadline=None)
@given(visits_strategy)
def test_every_published_block_is_consistent_across_the_three_tables(found):
    out = tables(found, theme_ids=["t1", "t2"], age_groups=["18-29", "30-44"], districts=[])
    totals: dict[tuple, set] = {}
    for name, column in (("faces", "face"), ("age_groups", "age_group"), ("districts", "district")):
        for row in out[name]:
            visits = row["visits"]
            assert visits is None or visits == 0 or visits >= MIN_COUNT
            assert (visits is None) == row["suppressed"]
            if row[column] == "all":
                totals.setdefault((row["week"], row["theme_id"]), set()).add(visits)
    # the same total (or the same suppression) for a block in every table: nothing to compare
    assert all(len(seen) == 1 for seen in totals.values())


def test_block_rows_put_the_total_first():
    assert [c.category for c in block_rows({"x": 5, "y": 0})] == ["all", "x", "y"]
