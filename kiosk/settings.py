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

from sync.protocol.constants import ID_RE, LANGS
from sync.protocol.signing import SecretError, secret_bytes

__all__ = ["KioskSettings", "SettingsError", "Timeouts", "load_settings", "parse_settings"]


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
    # The thanks screen's idle time: long enough to take out a phone, unlock it and scan.
    thanks_seconds: float = 120.0
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
    usb_public_key: str = ""  # the server's key that USB batch files are sealed to
    active_event: str = ""
    pin_hash: str = ""
    timeouts: Timeouts = field(default_factory=Timeouts)
    fullscreen: bool = True
    # Demo mode: with no kiosk-config from a server yet, show the demo content (sync.demo), not
    # the neutral start. Top-level `demo = true`, or `kiosk run --demo`.
    demo: bool = False
    # The screen's diagonal; with its resolution it sets the size of a dp (kiosk.physical).
    diagonal_inches: float = 15.6
    source: Path | None = None
    # The receipt printer of the printed slip ([printer] connection), None without one.
    printer: Any = None  # kiosk.slip.printer.PrinterConnection
    printer_slow_after: float = 8.0
    # The loudest read-aloud may get, in espeak-ng's amplitude (0–200; 100 is its default).
    speech_max_volume: int = 100

    def read_secret(self) -> str:
        """The shared secret, from ``secret`` or the file named by ``secret_file``; a secret
        that is not the base64url text enrolment gave is a :class:`SettingsError`."""
        if self.secret:
            return _checked_secret(self.secret, "server.secret")
        if self.secret_file is None:
            raise SettingsError("server.secret_file", "no secret or secret_file configured")
        try:
            text = self.secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(
                "server.secret_file", f"cannot read {self.secret_file}: {exc}"
            ) from None
        return _checked_secret(text, "server.secret_file")


def _checked_secret(secret: str, key: str) -> str:
    try:
        secret_bytes(secret)
    except SecretError as exc:
        raise SettingsError(key, str(exc)) from None
    return secret


_ALLOWED = {
    "": {
        "kiosk_id",
        "data_dir",
        "language",
        "demo",
        "server",
        "event",
        "staff",
        "timeouts",
        "display",
        "printer",
        "speech",
    },
    "server": {"url", "secret", "secret_file", "public_url", "usb_public_key"},
    "event": {"active"},
    "staff": {"pin_hash"},
    "timeouts": {"idle_seconds", "more_time_seconds", "thanks_seconds", "rapid_repeat_seconds"},
    "display": {"fullscreen", "diagonal_inches"},
    "printer": {"connection", "profile", "slow_after_seconds"},
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


MIN_THANKS_SECONDS = 120.0


def _thanks_seconds(table: dict[str, Any]) -> float:
    value = _seconds(table, "thanks_seconds", MIN_THANKS_SECONDS)
    if value < MIN_THANKS_SECONDS:
        raise SettingsError(
            "timeouts.thanks_seconds",
            f"must be at least {MIN_THANKS_SECONDS:g}: a visitor needs the time to take out a"
            " phone, unlock it and scan the code",
        )
    return value


def _printer(table: dict[str, Any]) -> tuple[Any, float]:
    """The ``[printer]`` table: no ``connection`` means no printer (no "Print slip" button)."""
    from kiosk.slip.printer import parse_connection

    slow = table.get("slow_after_seconds", 8)
    if isinstance(slow, bool) or not isinstance(slow, int | float) or not 0 < slow <= 600:
        raise SettingsError("printer.slow_after_seconds", "must be a number of seconds up to 600")
    text = _string(table, "connection", "printer.connection", "")
    if not text:
        return None, float(slow)
    profile = _string(table, "profile", "printer.profile", "")
    try:
        return parse_connection(text, profile), float(slow)
    except ValueError as exc:
        raise SettingsError("printer.connection", str(exc)) from None


def parse_settings(doc: dict[str, Any], source: Path | None = None) -> KioskSettings:
    """Validate an already parsed TOML document; relative paths resolve against ``source``."""
    _check_keys("", doc)
    base = source.parent if source else Path.cwd()
    kiosk_id = _string(doc, "kiosk_id", "kiosk_id")
    if not ID_RE.fullmatch(kiosk_id):
        raise SettingsError("kiosk_id", "must be letters, digits, '.', '_', ':' or '-'")
    data_dir = Path(_string(doc, "data_dir", "data_dir"))
    language = _string(doc, "language", "language", "fi")
    if language not in LANGS:
        raise SettingsError("language", f"must be one of {', '.join(LANGS)}")
    server = _table(doc, "server")
    event = _table(doc, "event")
    staff = _table(doc, "staff")
    timeouts = _table(doc, "timeouts")
    display = _table(doc, "display")
    server_url = _url(_string(server, "url", "server.url", ""), "server.url")
    public_url = _url(_string(server, "public_url", "server.public_url", ""), "server.public_url")
    secret = _string(server, "secret", "server.secret", "") or None
    secret_file_text = _string(server, "secret_file", "server.secret_file", "")
    usb_public_key = _string(server, "usb_public_key", "server.usb_public_key", "")
    active = _string(event, "active", "event.active", "")
    if active and not ID_RE.fullmatch(active):
        raise SettingsError("event.active", "must be letters, digits, '.', '_', ':' or '-'")
    pin_hash = _string(staff, "pin_hash", "staff.pin_hash", "")
    if pin_hash and not pin_hash.startswith("$argon2"):
        raise SettingsError("staff.pin_hash", "must be the output of `kiosk hash-pin`")
    fullscreen = display.get("fullscreen", True)
    if not isinstance(fullscreen, bool):
        raise SettingsError("display.fullscreen", "must be true or false")
    printer, slow_after = _printer(_table(doc, "printer"))
    demo = doc.get("demo", False)
    if not isinstance(demo, bool):
        raise SettingsError("demo", "must be true or false")
    diagonal = display.get("diagonal_inches", 15.6)
    if isinstance(diagonal, bool) or not isinstance(diagonal, int | float):
        raise SettingsError("display.diagonal_inches", "must be the screen's diagonal in inches")
    if not 15.6 <= diagonal <= 120:
        raise SettingsError(
            "display.diagonal_inches",
            "the kiosk supports screens of 15.6 inches and up (targets of 15 mm need the room)",
        )
    max_volume = _table(doc, "speech").get("max_volume", 100)
    if (
        isinstance(max_volume, bool)
        or not isinstance(max_volume, int)
        or not 10 <= max_volume <= 200
    ):
        raise SettingsError("speech.max_volume", "must be a whole number from 10 to 200")
    return KioskSettings(
        printer=printer,
        printer_slow_after=slow_after,
        kiosk_id=kiosk_id,
        data_dir=data_dir if data_dir.is_absolute() else base / data_dir,
        language=language,
        server_url=server_url,
        secret=secret,
        secret_file=(base / secret_file_text) if secret_file_text else None,
        public_url=public_url or server_url,
        usb_public_key=usb_public_key,
        active_event=active,
        pin_hash=pin_hash,
        timeouts=Timeouts(
            idle_seconds=_seconds(timeouts, "idle_seconds", 60),
            more_time_seconds=_seconds(timeouts, "more_time_seconds", 20),
            thanks_seconds=_thanks_seconds(timeouts),
            rapid_repeat_seconds=_seconds(timeouts, "rapid_repeat_seconds", 3),
        ),
        fullscreen=fullscreen,
        demo=demo,
        diagonal_inches=float(diagonal),
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
