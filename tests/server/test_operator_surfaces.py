"""/metrics needs the token or an allow-listed address; /docs and /openapi.json can be switched
off (issue 10, reproduction 10)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sync.server.app import create_app
from sync.server.settings import Settings

TOKEN = "s3cret-for-prometheus"


def _app(tmp_path, engine, **options):
    settings = Settings.load({"data_dir": str(tmp_path / "data"), **options}, env={})
    return create_app(settings, engine)


def test_metrics_need_the_token_or_an_allowed_address(tmp_path, engine):
    app = _app(tmp_path, engine, metrics_token=TOKEN, metrics_allow="10.0.0.0/24")
    with TestClient(app, client=("203.0.113.9", 5000)) as outsider:
        refused = outsider.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "kt_" not in refused.text
        for wrong in (
            "Bearer nope",
            f"Basic {TOKEN}",
            "Bearer ",
            "Bearer é".encode(),
            f"Bearer {TOKEN}x",
        ):
            assert outsider.get("/metrics", headers={"Authorization": wrong}).status_code == 401
        allowed = outsider.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200 and "kt_database_up" in allowed.text
    with TestClient(app, client=("10.0.0.5", 5000)) as monitoring:
        assert monitoring.get("/metrics").status_code == 200
    with TestClient(app, client=("::ffff:10.0.0.7", 5000)) as mapped:
        assert mapped.get("/metrics").status_code == 200


def test_metrics_default_is_loopback_only_and_no_token(tmp_path, engine):
    app = _app(tmp_path, engine)
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        assert local.get("/metrics").status_code == 200
    with TestClient(app, client=("192.0.2.1", 5000)) as remote:
        assert remote.get("/metrics").status_code == 401
        # An empty token opens nothing.
        assert remote.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_a_bad_allow_list_entry_stops_the_server_at_start(tmp_path, engine):
    with pytest.raises(ValueError, match="not-an-address"):
        _app(tmp_path, engine, metrics_allow="10.0.0.1,not-an-address")


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_api_docs_can_be_switched_off(tmp_path, engine, path):
    with TestClient(_app(tmp_path, engine)) as demo:
        assert demo.get(path).status_code == 200
    with TestClient(_app(tmp_path, engine, api_docs="false")) as production:
        assert production.get(path).status_code == 404


def test_api_docs_setting_reads_the_environment():
    assert Settings.load(env={"KT_API_DOCS": "false"}).api_docs is False
    assert Settings.load(env={}).api_docs is True
    with pytest.raises(ValueError, match="true or false"):
        Settings.load(env={"KT_API_DOCS": "maybe"})
