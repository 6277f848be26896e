"""The page renderer and the state create_app builds: per app, from the settings, never global."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from sync.server.app import create_app
from sync.server.resources.rendering import STATIC_DIR
from sync.server.settings import Settings


def _settings(tmp_path, **values) -> Settings:
    return Settings.load({"data_dir": str(tmp_path), **values}, env={})


def test_every_static_file_a_page_links_is_served(client):
    page = client.get("/f/CCCCCCCCCCCCCCCCCCCCCCCC")  # the not-found page uses the public layout
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert links, "the page links no static file"
    for link in links:
        answer = client.get(link)
        assert answer.status_code == 200, link
        name = link.split("?")[0].removeprefix("/static/")
        assert answer.content == (STATIC_DIR / name).read_bytes()
        assert answer.headers["x-content-type-options"] == "nosniff"
    css = client.get(links[0])
    assert css.headers["content-type"].startswith("text/css")


def test_only_our_static_files_are_served(client):
    assert client.get("/static/no-such.css").status_code == 404
    assert client.get("/static/..%2Fapp.py").status_code == 404


def test_each_app_shows_times_in_its_own_time_zone(tmp_path):
    noon_utc = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    helsinki = create_app(_settings(tmp_path / "a"))
    new_york = create_app(_settings(tmp_path / "b", display_timezone="America/New_York"))
    assert helsinki.state.pages.format_date(noon_utc) == "2026-01-15 14:00"
    assert new_york.state.pages.format_date(noon_utc) == "2026-01-15 07:00"


def test_follow_up_threads_come_from_the_settings(tmp_path):
    chosen = create_app(_settings(tmp_path / "a", followup_threads=3))
    assert chosen.state.followup_limiter.total_tokens == 3
    default = create_app(_settings(tmp_path / "b"))  # SQLite: one thread builds the pages
    assert default.state.followup_limiter.total_tokens == 1


def test_create_app_builds_the_shared_state_before_any_request(tmp_path):
    app = create_app(_settings(tmp_path, metrics_token="scrape-me"))
    for name in (
        "settings",
        "engine",
        "pages",
        "session_secret",
        "followup_limiter",
        "metrics_registry",
        "metrics_access",
    ):
        assert hasattr(app.state, name), name
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert ok.status_code == 200


def test_the_fragment_cache_renders_a_key_once_and_keeps_the_latest():
    from markupsafe import Markup

    from sync.server.resources.rendering import FragmentCache

    cache = FragmentCache(limit=2)
    renders: list[str] = []

    def piece(name: str):
        def render() -> Markup:
            renders.append(name)
            return Markup(f"<p>{name}</p>")

        return render

    assert cache.get("a", piece("a")) == Markup("<p>a</p>")
    assert cache.get("a", piece("a")) == Markup("<p>a</p>")
    cache.get("b", piece("b"))
    cache.get("a", piece("a"))  # a is now the most recently used
    cache.get("c", piece("c"))  # over the limit: b goes
    cache.get("b", piece("b"))
    assert renders == ["a", "b", "c", "b"]
