"""The server's configuration, written down as data.

Each option is a field of :class:`Settings` with its default and its help text in the field's
metadata (Datasette's ``ConfigOption`` idea), so the CLI builds its flags from the same list and
every option can also come from an environment variable ``KT_<NAME>`` (``KT_DATA_DIR``,
``KT_DATABASE_URL``, ...). Precedence: explicit value (CLI flag) > environment > default.

A caller may rely on: :meth:`Settings.load` never touching the disk;
:attr:`Settings.resolved_database_url` being a usable SQLAlchemy URL;
:meth:`Settings.session_secret` returning the same bytes on every call and in every process
sharing the data folder (it creates the file, mode 0600, on first use); :func:`settings_table`
being the table of every option in docs/deploy-server.md (``python -m sync.server.settings``
prints it; a test keeps the guide equal to it).
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.protocol import AGE_GROUPS, SIGNATURE_MAX_SKEW_SECONDS

__all__ = ["ENV_PREFIX", "Settings", "option_help", "settings_table"]

ENV_PREFIX = "KT_"


def _opt(default: Any, help: str) -> Any:
    if isinstance(default, list | tuple):
        return field(default=tuple(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every option of the central server. Build with :meth:`load`, not by hand, in production."""

    data_dir: str = _opt("./kiosk-server-data", "Folder for the SQLite database and secrets.")
    database_url: str = _opt(
        "",
        "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; empty means SQLite "
        "server.db in the data folder.",
    )
    public_base_url: str = _opt(
        "http://127.0.0.1:8765", "Base of follow-up links a visitor's phone can reach."
    )
    session_secret_file: str = _opt(
        "", "File with the staff session signing key; empty means <data_dir>/session-secret."
    )
    host: str = _opt("127.0.0.1", "Address serve binds to.")
    port: int = _opt(8765, "Port serve listens on.")
    workers: int = _opt(1, "Number of server processes serve starts.")
    signature_max_skew_seconds: int = _opt(
        SIGNATURE_MAX_SKEW_SECONDS, "How far a kiosk's clock may be from ours, in seconds."
    )
    mood_weeks: int = _opt(8, "How many recent ISO weeks of mood counts kiosk-config carries.")
    latest_updates: int = _opt(5, "How many latest status updates per theme kiosk-config carries.")
    wall_stories: int = _opt(30, "How many approved stories kiosk-config carries.")
    age_groups: tuple[str, ...] = _opt(AGE_GROUPS, "Comma-separated age groups kiosks offer.")
    districts: tuple[str, ...] = _opt((), "Comma-separated districts; empty allows any slug.")
    display_timezone: str = _opt(
        "Europe/Helsinki",
        "IANA time zone in which staff and visitor pages show times (stored in UTC).",
    )
    followup_threads: int = _opt(
        0,
        "Follow-up pages built at once per process; 0 chooses 1 on SQLite, 2 on PostgreSQL.",
    )
    story_retention_months: int = _opt(
        24, "Months after its event ends that a story's text is kept; purge erases it then."
    )
    follow_up_months: int = _opt(
        24, "Months a follow-up page (token and short code) stays open after the visit."
    )
    audit_retention_days: int = _opt(
        730, "Days the audit trail keeps an entry (at least 365; the database refuses less)."
    )
    staff_session_idle_minutes: int = _opt(
        30,
        "Minutes a staff session may go unused before it ends (sign in again); every session "
        "also ends 12 hours after sign-in.",
    )
    metrics_token: str = _opt(
        "",
        "Bearer token with which Prometheus may read /metrics from any address; empty: none.",
    )
    metrics_allow: tuple[str, ...] = _opt(
        ("127.0.0.1", "::1"),
        "Comma-separated addresses or networks (CIDR) that may read /metrics without the token.",
    )
    api_docs: bool = _opt(
        True, "Serve the API description: /docs, /redoc and /openapi.json (false: 404)."
    )

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.display_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"display_timezone must be an IANA time zone such as Europe/Helsinki, "
                f"not {self.display_timezone!r}"
            ) from None

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        """Settings from ``overrides`` (None values ignored), then ``env`` (default os.environ)."""
        env = os.environ if env is None else env
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name in overrides:
                values[f.name] = _coerce(f, overrides[f.name])
            elif ENV_PREFIX + f.name.upper() in env:
                values[f.name] = _coerce(f, env[ENV_PREFIX + f.name.upper()])
        return cls(**values)

    def as_env(self) -> dict[str, str]:
        """The ``KT_*`` variables that make :meth:`load` in another process return these settings."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            text = ",".join(value) if isinstance(value, tuple) else str(value)
            out[ENV_PREFIX + f.name.upper()] = text
        return out

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        from sync.server.db.engine import default_sqlite_url

        return default_sqlite_url(self.data_dir)

    @property
    def session_secret_path(self) -> Path:
        return Path(self.session_secret_file or Path(self.data_dir) / "session-secret")

    def session_secret(self) -> bytes:
        """The staff session signing key, created (32 random bytes, hex, mode 0600) if missing."""
        path = self.session_secret_path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                # O_EXCL: when two workers start together, one writes and both read the same key.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32))
        return path.read_text().strip().encode()


def _coerce(f: dataclasses.Field, value: Any) -> Any:
    kind = f.type if isinstance(f.type, type) else str(f.type)
    if kind in (int, "int"):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{f.name} must be a whole number, not {value!r}") from None
    if kind in (bool, "bool"):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{f.name} must be true or false, not {value!r}")
    if kind in ("tuple[str, ...]",) or isinstance(f.default, tuple):
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return tuple(value)
    return str(value)


def option_help() -> dict[str, str]:
    """Option name -> help text, for the CLI and the docs."""
    return {f.name: f.metadata["help"] for f in dataclasses.fields(Settings)}


def settings_table() -> str:
    """Every option as a Markdown table: environment variable, default, meaning."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for f in dataclasses.fields(Settings):
        default = ",".join(f.default) if isinstance(f.default, tuple) else f.default
        shown = f"`{default}`" if default != "" else "(empty)"
        lines.append(f"| `{ENV_PREFIX}{f.name.upper()}` | {shown} | {f.metadata['help']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(settings_table(), end="")
