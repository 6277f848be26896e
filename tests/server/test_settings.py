"""Settings as data: flags over environment over defaults, and the shared session secret."""

from __future__ import annotations

import pytest

from sync.server.settings import Settings, option_help


def test_precedence_flag_env_default(tmp_path):
    env = {"KT_DATA_DIR": "/from/env", "KT_PORT": "9000", "KT_DISTRICTS": "keskusta, rantakylä"}
    settings = Settings.load({"data_dir": str(tmp_path), "port": None}, env=env)
    assert settings.data_dir == str(tmp_path)
    assert settings.port == 9000
    assert settings.districts == ("keskusta", "rantakylä")
    assert settings.public_base_url == "http://127.0.0.1:8765"
    assert settings.resolved_database_url == f"sqlite+pysqlite:///{tmp_path / 'server.db'}"


def test_as_env_round_trips():
    settings = Settings.load({"port": 1234, "database_url": "postgresql+psycopg://x/y"}, env={})
    assert Settings.load(env=settings.as_env()) == settings


def test_bad_number_names_the_option():
    with pytest.raises(ValueError, match="port must be a whole number"):
        Settings.load(env={"KT_PORT": "eighty"})


def test_every_option_has_help():
    assert all(option_help().values())


def test_session_secret_is_created_once_and_private(tmp_path):
    settings = Settings.load({"data_dir": str(tmp_path / "d")}, env={})
    first = settings.session_secret()
    assert len(first) == 64 and settings.session_secret() == first
    assert settings.session_secret_path.stat().st_mode & 0o777 == 0o600


def test_the_deploy_guide_lists_every_setting():
    from pathlib import Path

    from sync.server.settings import settings_table

    guide = (Path(__file__).parents[2] / "docs" / "deploy-server.md").read_text(encoding="utf-8")
    start = guide.index("<!-- settings table:")
    start = guide.index("\n", start) + 1
    table = guide[start : guide.index("<!-- end of settings table -->")]
    assert table == settings_table(), "run: python -m sync.server.settings, paste into the guide"
    for name in option_help():
        assert f"`KT_{name.upper()}`" in table


def test_a_bad_time_zone_names_the_option():
    with pytest.raises(ValueError, match="display_timezone must be an IANA time zone"):
        Settings.load(env={"KT_DISPLAY_TIMEZONE": "Mikkeli/Keskusta"})
