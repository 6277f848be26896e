"""kiosk.settings: the TOML config is validated whole and errors name the key."""

from __future__ import annotations

import pytest

from kiosk.settings import SettingsError, load_settings

GOOD = """
kiosk_id = "mikkeli-main-1"
data_dir = "data"
language = "sv"
[server]
url = "http://127.0.0.1:8765/"
secret = "c2VjcmV0"
[event]
active = "kayttajatori-2026-11"
[timeouts]
idle_seconds = 45
[display]
fullscreen = false
"""


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_resolves_paths_and_defaults(tmp_path):
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.kiosk_id == "mikkeli-main-1"
    assert settings.data_dir == tmp_path / "data"
    assert settings.language == "sv"
    assert settings.server_url == "http://127.0.0.1:8765"
    assert settings.public_url == "http://127.0.0.1:8765"  # falls back to the server URL
    assert settings.timeouts.idle_seconds == 45
    assert settings.timeouts.more_time_seconds == 20
    assert settings.timeouts.rapid_repeat_seconds == 3
    assert settings.fullscreen is False
    assert settings.read_secret() == "c2VjcmV0"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('kiosk_id = "mikkeli-main-1"', ""), "kiosk_id"),
        (('kiosk_id = "mikkeli-main-1"', 'kiosk_id = "has space"'), "kiosk_id"),
        (('language = "sv"', 'language = "de"'), "language"),
        (('url = "http://127.0.0.1:8765/"', 'url = "ftp://x"'), "server.url"),
        (("idle_seconds = 45", 'idle_seconds = "soon"'), "timeouts.idle_seconds"),
        (("idle_seconds = 45", "idle_seconds = -1"), "timeouts.idle_seconds"),
        (("idle_seconds = 45", "idle_secs = 45"), "timeouts.idle_secs"),
        (("fullscreen = false", 'fullscreen = "no"'), "display.fullscreen"),
        (('active = "kayttajatori-2026-11"', "active = 5"), "event.active"),
    ],
)
def test_bad_value_names_the_key(tmp_path, change, key):
    with pytest.raises(SettingsError) as info:
        load_settings(write(tmp_path, GOOD.replace(*change)))
    assert info.value.key == key
    assert str(info.value).startswith(f"{key}: ")


def test_pin_hash_must_come_from_hash_pin(tmp_path):
    with pytest.raises(SettingsError, match=r"staff\.pin_hash: .*kiosk hash-pin"):
        load_settings(write(tmp_path, GOOD + '[staff]\npin_hash = "1234"\n'))


def test_unreadable_and_broken_files_are_named(tmp_path):
    with pytest.raises(SettingsError, match="cannot read config file"):
        load_settings(tmp_path / "missing.toml")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(write(tmp_path, "kiosk_id = "))


def test_missing_secret_file_is_named(tmp_path):
    text = GOOD.replace('secret = "c2VjcmV0"', 'secret_file = "nope"')
    settings = load_settings(write(tmp_path, text))
    with pytest.raises(SettingsError) as info:
        settings.read_secret()
    assert info.value.key == "server.secret_file"


@pytest.mark.parametrize(
    ("server_lines", "key"),
    [('secret = "not base64!"', "server.secret"), ('secret_file = "secret"', "server.secret_file")],
)
def test_a_secret_that_is_not_base64url_names_its_key(tmp_path, server_lines, key):
    (tmp_path / "secret").write_text("pasted with a typo: é\n", encoding="utf-8")
    text = GOOD.replace('secret = "c2VjcmV0"', server_lines)
    settings = load_settings(write(tmp_path, text))
    with pytest.raises(SettingsError) as caught:
        settings.read_secret()
    assert caught.value.key == key
    assert "base64url" in caught.value.problem


def test_a_real_secret_file_reads(tmp_path):
    (tmp_path / "secret").write_text("5UVprhDDe8s3bNtf2XePHfZetjF0m7gwDy9twQNzbkA\n")
    text = GOOD.replace('secret = "c2VjcmV0"', 'secret_file = "secret"')
    assert load_settings(write(tmp_path, text)).read_secret() == (
        "5UVprhDDe8s3bNtf2XePHfZetjF0m7gwDy9twQNzbkA"
    )
