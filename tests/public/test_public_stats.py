"""The counting rules of the public pages: the minimum of 5, complementary suppression, the
mood months and the mood picture."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from sync.server.domain.mood_picture import mood_description, mood_svg
from sync.server.domain.public_stats import (
    MIN_COUNT,
    MODERATION_PARTS,
    moderation_table,
    months_back,
    mood_by_month,
    suppress,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
FACES = {1: "Very unhappy", 2: "Unhappy", 3: "Happy", 4: "Very happy"}


@given(st.dictionaries(st.sampled_from(MODERATION_PARTS), st.integers(0, 30), min_size=4))
def test_no_shown_cell_is_small_and_no_hidden_cell_follows_from_the_total(parts):
    total = sum(parts.values())
    shown_total, shown, protecting = suppress(total, parts)
    if total < MIN_COUNT:
        assert shown_total is None and all(v is None for v in shown.values())
        return
    assert shown_total == total
    hidden = [k for k, v in shown.items() if v is None]
    for key, value in shown.items():
        assert value is None or value == 0 or value >= MIN_COUNT
        if value is not None:
            assert value == parts[key]
        elif key not in protecting:
            assert 0 < parts[key] < MIN_COUNT
    # Total minus the shown parts never pins down a single hidden part.
    assert len(hidden) != 1


def test_suppress_hides_the_smallest_other_part_first():
    total, shown, protecting = suppress(
        20, {"published": 12, "waiting": 2, "hidden": 6, "withdrawn": 0}
    )
    assert total == 20
    assert shown == {"published": 12, "waiting": None, "hidden": None, "withdrawn": 0}
    assert protecting == {"hidden"}


def test_months_back_crosses_the_year():
    assert months_back(date(2026, 2, 14), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_mood_by_month_shows_faces_only_from_five_visits_in_local_time():
    months = months_back(date(2026, 11, 30), 2)
    # 31 Oct 22:30 UTC is already 1 November in Helsinki.
    late = datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
    rows = [(late, 4)] * 5 + [(datetime(2026, 10, 10, tzinfo=UTC), 1)] * 4
    october, november = mood_by_month(rows, months, HELSINKI)
    assert october.visits is None and october.faces is None and october.hidden
    assert november.visits == 5 and november.faces == {1: 0, 2: 0, 3: 0, 4: 5}


def test_mood_picture_is_svg_with_a_text_alternative_and_no_inline_style():
    months = months_back(date(2026, 11, 30), 3)
    rows = [(datetime(2026, 11, 5, tzinfo=UTC), f) for f in (1, 2, 3, 4, 4, 4)]
    rows += [(datetime(2026, 10, 5, tzinfo=UTC), 3)] * 2
    rows += [(datetime(2026, 9, 5, tzinfo=UTC), f) for f in (4,) * 5 + (2,) * 6]
    moods = mood_by_month(rows, months, HELSINKI)
    names = ["9/2026", "10/2026", "11/2026"]
    text = mood_description(moods, names, title="Mood", face_names=FACES, gettext=str)
    # November has 6 visits, but three faces were chosen once each: shown as a total only,
    # so no face of 1-4 visits can be read off the picture or the text.
    assert text == (
        "Mood. 9/2026: 11 visits (Very happy 5, Happy 0, Unhappy 6, Very unhappy 0); "
        "10/2026: fewer than 5 visits; 11/2026: 6 visits (faces not shown)."
    )
    svg = mood_svg(moods, title="Mood <&>", description=text, face_names=FACES)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="mood-t">Mood &lt;&amp;&gt;</title>' in svg
    assert "style=" not in svg and "<5" not in svg.replace("&lt;5", "")
    assert "&lt;5" in svg  # October is marked as fewer than 5


def test_moderation_table_counts_a_story_under_each_of_its_themes():
    when = datetime(2026, 11, 5, tzinfo=UTC)
    rows = [(when, "approved", True, ["a", "b"])] * 5 + [(when, "pending", False, [])] * 2
    table = moderation_table(rows, HELSINKI, ["b", "a"])
    assert [(r.theme_id, r.arrived) for r in table] == [("b", 5), ("a", 5), ("", None)]
    assert table[0].parts == {"published": 5, "waiting": 0, "hidden": 0, "withdrawn": 0}


def test_the_wall_shows_four_steps_around_the_current_one():
    from sync.server.resources.public_themes import _path_window

    steps = [{"id": i} for i in range(8)]
    view = _path_window({"steps": steps, "current_step": 5})
    assert [s["id"] for s in view["steps"]] == [4, 5, 6, 7] and view["current_step"] == 1
    view = _path_window({"steps": steps, "current_step": 0})
    assert [s["id"] for s in view["steps"]] == [0, 1, 2, 3] and view["current_step"] == 0
    view = _path_window({"steps": steps, "current_step": None})  # all done: the last ones
    assert [s["id"] for s in view["steps"]] == [4, 5, 6, 7] and view["current_step"] is None
    short = {"steps": steps[:3], "current_step": 2}
    assert _path_window(short) is short
