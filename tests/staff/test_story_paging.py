"""Paging of the story moderation queue: the Stories page and ``GET /staff/api/stories``.

205 stories arrive in five signed batches. They share three creation times and some mention a
phone number (flagged, so listed first), so the expected order (flagged first, oldest first,
record id last) rests on every part of the sort, the id tie-breaker included.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from sync.server.db.tables import records
from tests.staff.conftest import make_visit

STORIES = 205
BAD_PAGES = ("x", "-1", "1.5", "", "99999999999999999999")


@pytest.fixture
def story_ids(kiosk, post_batch) -> list[str]:
    """The ids of 205 pending stories, in the order the queue must list them."""
    now = datetime.now(UTC)
    instants = [(now - timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%S.%fZ") for d in (2, 3, 1)]
    stories = []
    for i in range(STORIES):
        text = f"Tarina {i}" + (", soita 040 123 4567" if i % 7 == 0 else "")
        visit = make_visit(kiosk.kiosk_id, story=text, theme_ids=(), created_at=instants[i % 3])
        stories.append(visit[-1])
    # Ingest stores a batch in id order; five batches of falling ids make the stored order
    # differ from id order, so a queue without the id tie-breaker shows ties out of order.
    by_id = sorted(stories, key=lambda r: r["id"], reverse=True)
    for start in range(0, STORIES, 41):
        ack = post_batch(kiosk, by_id[start : start + 41])
        assert ack["accepted"] == len(by_id[start : start + 41]), ack
    ordered = sorted(stories, key=lambda r: ("040" not in r["story"], r["created_at"], r["id"]))
    return [r["id"] for r in ordered]


def shown_ids(html: str) -> list[str]:
    """The stories of a page, in page order (each has two forms posting to its URL)."""
    return list(dict.fromkeys(re.findall(r'action="/staff/stories/([0-9a-f-]{36})"', html)))


def page_link(status: str, page: int) -> str:
    return f'href="/staff/stories?status={status}&amp;page={page}"'


def html_page(client, status: str, page: object) -> str:
    response = client.get("/staff/stories", params={"status": status, "page": page, "lang": "en"})
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_stories_page_pages_through_every_story_once(client, login, story_ids, engine):
    login()
    pages = [html_page(client, "pending", n) for n in range(4)]
    seen = [shown_ids(p) for p in pages]
    assert [len(ids) for ids in seen] == [100, 100, 5, 0]
    assert seen[0] + seen[1] + seen[2] == story_ids  # each story once, in queue order
    # Page 0: only a next link; page 1: both; page 2 (the last): only a previous link.
    assert page_link("pending", 1) in pages[0] and "page=-1" not in pages[0]
    assert page_link("pending", 0) in pages[1] and page_link("pending", 2) in pages[1]
    assert page_link("pending", 1) in pages[2] and page_link("pending", 3) not in pages[2]
    assert ">Previous<" in pages[2] and ">Next<" not in pages[2]
    # Past the end: says so and still leads back.
    assert "No stories here." in pages[3] and page_link("pending", 2) in pages[3]
    # The other queues page the same way, and their links keep the queue.
    with engine.begin() as conn:
        conn.execute(update(records).where(records.c.kind == "story").values(story_status="hidden"))
    hidden = [html_page(client, "hidden", n) for n in range(3)]
    assert [shown_ids(p) for p in hidden] == seen[:3]
    assert page_link("hidden", 1) in hidden[0] and page_link("hidden", 3) not in hidden[2]
    assert shown_ids(html_page(client, "pending", 0)) == []


def test_pager_links_are_translated(client, login, story_ids):
    login()
    fi = client.get("/staff/stories", params={"page": 1, "lang": "fi"}).text
    assert ">Edelliset<" in fi and ">Seuraavat<" in fi and 'aria-label="Lisää tarinoita"' in fi
    sv = client.get("/staff/stories", params={"page": 1, "lang": "sv"}).text
    assert ">Föregående<" in sv and ">Nästa<" in sv and 'aria-label="Fler berättelser"' in sv


def test_a_bad_page_value_is_page_0(client, login, story_ids):
    login()
    first = shown_ids(html_page(client, "pending", 0))
    assert first == story_ids[:100]
    for bad in BAD_PAGES:
        page = html_page(client, "pending", bad)
        assert shown_ids(page) == first, bad
        assert page_link("pending", 1) in page and ">Previous<" not in page, bad


def test_moderating_keeps_the_page(client, login, story_ids):
    token = login()
    page = html_page(client, "pending", 1)
    # Every form of every story (actions, passage, findings, override) returns to page 1.
    forms = page.count('<form method="post" action="/staff/stories/')
    assert forms >= 2 * 100 and page.count('name="back_page" value="1"') == forms
    story_id = shown_ids(page)[0]
    assert story_id == story_ids[100]

    # Hiding moves a story out of the queue like approving does, and has no privacy gate (the
    # first stories hold phone numbers), so it shows the paging alone.
    def hide(story: str, **back: str) -> str:
        data = {"csrf": token, "action": "hide", "back_status": "pending", **back}
        response = client.post(f"/staff/stories/{story}", data=data, follow_redirects=False)
        assert response.status_code == 303, response.text
        return response.headers["location"]

    assert hide(story_id, back_page="1") == "/staff/stories?status=pending&page=1&done=hide"
    # The hidden story left the queue, so page 1 now starts with the next one.
    assert shown_ids(html_page(client, "pending", 1))[0] == story_ids[101]
    assert hide(story_ids[0], back_page="0") == "/staff/stories?status=pending&done=hide"
    assert hide(story_ids[1]) == "/staff/stories?status=pending&done=hide"
    for bad in BAD_PAGES:
        assert hide(story_ids[2], back_page=bad) == ("/staff/stories?status=pending&done=hide"), bad


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_api_pages_the_same_way(client, login, story_ids):
    login()

    def api(**params):
        response = client.get("/staff/api/stories", params=params)
        assert response.status_code == 200, response.text
        return response

    pages = [api(page=n) for n in range(4)]
    seen = [[s["id"] for s in p.json()] for p in pages]
    assert [len(ids) for ids in seen] == [100, 100, 5, 0]
    assert seen[0] + seen[1] + seen[2] == story_ids
    assert [s["id"] for s in api().json()] == seen[0]  # no page is page 0
    assert pages[0].headers["link"] == '</staff/api/stories?status=pending&page=1>; rel="next"'
    assert pages[1].headers["link"] == '</staff/api/stories?status=pending&page=2>; rel="next"'
    assert "link" not in pages[2].headers and "link" not in pages[3].headers
    for bad in BAD_PAGES:
        assert [s["id"] for s in api(page=bad).json()] == seen[0], bad
    flagged = [s["personal_data_suspected"] for s in pages[0].json()]
    assert flagged == sorted(flagged, reverse=True) and flagged[0] and not flagged[-1]
