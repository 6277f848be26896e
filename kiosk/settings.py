"""The kiosk's TOML configuration file, read once at start and validated as a whole.

:func:`load_settings` returns a frozen :class:`KioskSettings` or raises :class:`SettingsError`
whose message names the offending key (``server.url: must start with http:// or https://``), so a
technician at the kiosk can fix the file without reading code. The format is the one in
docs/kiosk-config.md; unknown keys are refused because a typo would otherwise silently fall back
to a default. Imports no Kivy.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["KioskSettings", "SettingsError", "Timeouts", "load_settings", "parse_settings"]

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_LANGS = ("fi", "sv", "en")


class SettingsError(ValueError):
    """The config file is missing, unreadable or wrong; ``key`` names the offending key."""

    def __init__(self, key: str, problem: str):
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}" if key else problem)


@dataclass(frozen=True)
class Timeouts:
    idle_seconds: float = 60.0
    more_time_seconds: float = 20.0
    thanks_seconds: float = 30.0
    rapid_repeat_seconds: float = 3.0


@dataclass(frozen=True)
class KioskSettings:
    kiosk_id: str
    data_dir: Path
    language: str = "fi"
    server_url: str = ""
    secret: str | None = None
    secret_file: Path | None = None
    public_url: str = ""
    active_event: str = ""
    pin_hash: str = ""
    timeouts: Timeouts = field(default_factory=Timeouts)
    fullscreen: bool = True
    source: Path | None = None
    # The loudest read-aloud may get, in espeak-ng's amplitude (0–200; 100 is its default).
    speech_max_volume: int = 100

    def read_secret(self) -> str:
        """The shared secret, from ``secret`` or the file named by ``secret_file``."""
        if self.secret:
            return self.secret
        if self.secret_file is None:
            raise SettingsError("server.secret_file", "no secret or secret_file configured")
        try:
            return self.secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(
                "server.secret_file", f"cannot read {self.secret_file}: {exc}"
            ) from None


_ALLOWED = {
    "": {"kiosk_id", "data_dir", "language", "server", "event", "staff", "timeouts", "display"}
    | {"speech"},
    "server": {"url", "secret", "secret_file", "public_url"},
    "event": {"active"},
    "staff": {"pin_hash"},
    "timeouts": {"idle_seconds", "more_time_seconds", "thanks_seconds", "rapid_repeat_seconds"},
    "display": {"fullscreen"},
    "speech": {"max_volume"},
}


def _check_keys(section: str, table: dict[str, Any]) -> None:
    for key in table:
        if key not in _ALLOWED[section]:
            name = f"{section}.{key}" if section else key
            known = ", ".join(sorted(_ALLOWED[section]))
            raise SettingsError(name, f"unknown key (known here: {known})")


def _table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise SettingsError(name, "must be a [table]")
    _check_keys(name, value)
    return value


def _string(table: dict[str, Any], key: str, name: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise SettingsError(name, "is required")
        return default
    value = table[key]
    if not isinstance(value, str):
        raise SettingsError(name, f"must be a string, not {type(value).__name__}")
    return value


def _url(value: str, name: str) -> str:
    if value and not re.match(r"^https?://[^\s/]+", value):
        raise SettingsError(name, "must start with http:// or https:// and name a host")
    return value.rstrip("/")


def _seconds(table: dict[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"timeouts.{key}", "must be a number of seconds")
    if not 0 < value <= 24 * 3600:
        raise SettingsError(f"timeouts.{key}", "must be more than 0 and at most a day")
    return float(value)


def parse_settings(doc: dict[str, Any], source: Path | None = None) -> KioskSettings:
    """Validate an already parsed TOML document; relative paths resolve against ``source``."""
    _check_keys("", doc)
    base = source.parent if source else Path.cwd()
    kiosk_id = _string(doc, "kiosk_id", "kiosk_id")
    if not _ID_RE.match(kiosk_id):
        raise SettingsError("kiosk_id", "must be letters, digits, '.', '_', ':' or '-'")
    data_dir = Path(_string(doc, "data_dir", "data_dir"))
    language = _string(doc, "language", "language", "fi")
    if language not in _LANGS:
        raise SettingsError("language", f"must be one of {', '.join(_LANGS)}")
    server = _table(doc, "server")
    event = _table(doc, "event")
    staff = _table(doc, "staff")
    timeouts = _table(doc, "timeouts")
    display = _table(doc, "display")
    server_url = _url(_string(server, "url", "server.url", ""), "server.url")
    public_url = _url(_string(server, "public_url", "server.public_url", ""), "server.public_url")
    secret = _string(server, "secret", "server.secret", "") or None
    secret_file_text = _string(server, "secret_file", "server.secret_file", "")
    active = _string(event, "active", "event.active", "")
    if active and not _ID_RE.match(active):
        raise SettingsError("event.active", "must be letters, digits, '.', '_', ':' or '-'")
    pin_hash = _string(staff, "pin_hash", "staff.pin_hash", "")
    if pin_hash and not pin_hash.startswith("$argon2"):
        raise SettingsError("staff.pin_hash", "must be the output of `kiosk hash-pin`")
    fullscreen = display.get("fullscreen", True)
    if not isinstance(fullscreen, bool):
        raise SettingsError("display.fullscreen", "must be true or false")
    max_volume = _table(doc, "speech").get("max_volume", 100)
    if (
        isinstance(max_volume, bool)
        or not isinstance(max_volume, int)
        or not 10 <= max_volume <= 200
    ):
        raise SettingsError("speech.max_volume", "must be a whole number from 10 to 200")
    return KioskSettings(
        kiosk_id=kiosk_id,
        data_dir=data_dir if data_dir.is_absolute() else base / data_dir,
        language=language,
        server_url=server_url,
        secret=secret,
        secret_file=(base / secret_file_text) if secret_file_text else None,
        public_url=public_url or server_url,
        active_event=active,
        pin_hash=pin_hash,
        timeouts=Timeouts(
            idle_seconds=_seconds(timeouts, "idle_seconds", 60),
            more_time_seconds=_seconds(timeouts, "more_time_seconds", 20),
            thanks_seconds=_seconds(timeouts, "thanks_seconds", 30),
            rapid_repeat_seconds=_seconds(timeouts, "rapid_repeat_seconds", 3),
        ),
        fullscreen=fullscreen,
        source=source,
        speech_max_volume=max_volume,
    )


def load_settings(path: str | Path) -> KioskSettings:
    """Read and validate the TOML file at ``path``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError("", f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError("", f"{path} is not valid TOML: {exc}") from None
    return parse_settings(doc, source=path.resolve())
