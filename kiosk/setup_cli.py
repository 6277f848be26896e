"""``kiosk setup``: turn this machine into an enrolled kiosk with a one-time enrollment code.

``kiosk setup --server URL --code CODE`` asks the server (``POST /api/v1/enroll``) for the
kiosk's id and secret once, then writes the kiosk's TOML config file (the format of
docs/kiosk-config.md) and the secret file beside it. A caller may rely on:

* the server URL being https, or http only to a loopback address (for trying it out), checked
  before anything is sent; existing files are refused (unless ``--force``) before the code is
  spent, so a mistake never wastes a code;
* both files created owner-only (mode 0600 from the start, never chmod-ed afterwards), written
  whole or not at all, and owned by ``--owner`` (the kiosk's service user) when given;
* the written config passing :func:`kiosk.settings.load_settings`;
* exit status 0 when set up, 1 when the server refused the code (its message is printed) or
  could not be reached, 2 for a usage problem (the message names the option).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sync.protocol.constants import LANGS

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_DATA_DIR",
    "ENROLL_PATH",
    "SetupError",
    "add_parser",
    "check_server_url",
    "fetch_credentials",
    "render_config",
    "run",
    "write_private",
]

DEFAULT_CONFIG = Path("/etc/kayttajatori/kiosk.toml")
DEFAULT_DATA_DIR = Path("/var/lib/kayttajatori")
ENROLL_PATH = "/api/v1/enroll"  # sync.server.resources.enrollment.ENROLL_PATH


def _(text: str) -> str:
    # Looked up per call, so importing this module loads no catalogue (and never Kivy).
    from kiosk import i18n

    return i18n.gettext(text)


class SetupError(Exception):
    """Setup cannot go on; ``status`` is the exit status (1 server side, 2 usage)."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Credentials:
    kiosk_id: str
    secret: str
    server_url: str
    public_url: str
    usb_public_key: str = ""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str) -> str:
    """``url`` without a trailing slash, or :class:`SetupError` if it may not carry a secret."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SetupError(
            _("--server: {url!r} is not a web address like https://kiosks.example.fi").format(
                url=url
            )
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SetupError(
            _(
                "--server: use https:// (the kiosk's secret travels in the answer); plain "
                "http:// is allowed only to this machine (127.0.0.1, ::1 or localhost)"
            )
        )
    if parts.query or parts.fragment:
        raise SetupError(_("--server: give the server's base address without ? or #"))
    return url.strip().rstrip("/")


def _server_message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"]
    return json.dumps(body)[:300]


def fetch_credentials(
    server_url: str, code: str, *, timeout: float = 20.0, verify: Any = True
) -> Credentials:
    """Spend ``code`` at the server and return what it answers."""
    import httpx

    try:
        response = httpx.post(
            server_url + ENROLL_PATH, json={"code": code}, timeout=timeout, verify=verify
        )
    except httpx.HTTPError as exc:
        raise SetupError(
            _("cannot reach the server at {url}: {error}").format(url=server_url, error=exc),
            status=1,
        ) from None
    if response.status_code >= 400:
        raise SetupError(
            _("the server refused the code (HTTP {status}): {message}").format(
                status=response.status_code, message=_server_message(response)
            ),
            status=1,
        )
    try:
        body = response.json()
        return Credentials(
            kiosk_id=str(body["kiosk_id"]),
            secret=str(body["secret"]),
            server_url=str(body.get("server_url", "")),
            public_url=str(body.get("public_url", "")),
            usb_public_key=str(body.get("usb_public_key", "") or ""),
        )
    except (ValueError, KeyError, TypeError):
        raise SetupError(
            _("the server at {url} did not answer like a Käyttäjätori server").format(
                url=server_url
            ),
            status=1,
        ) from None


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes; non-ASCII kept as is).
    return json.dumps(value, ensure_ascii=False)


def render_config(
    *,
    kiosk_id: str,
    data_dir: Path,
    server_url: str,
    secret_file: Path,
    public_url: str,
    language: str,
    usb_public_key: str = "",
) -> str:
    """The kiosk's TOML config, in the team brief's format."""
    lines = [
        "# Written by `kiosk setup`. The format: docs/kiosk-config.md.",
        f"kiosk_id = {_toml_string(kiosk_id)}",
        f"data_dir = {_toml_string(str(data_dir))}",
        f"language = {_toml_string(language)}",
        "",
        "[server]",
        f"url = {_toml_string(server_url)}",
        f"secret_file = {_toml_string(str(secret_file))}",
        f"public_url = {_toml_string(public_url)}",
        *([f"usb_public_key = {_toml_string(usb_public_key)}"] if usb_public_key else []),
        "",
        "# [staff]",
        '# pin_hash = "..."   # from `kiosk hash-pin`; without it the staff screen stays locked',
        "",
        "[display]",
        "fullscreen = true",
        "# The screen's diagonal in inches (15.6 and up): sets the size of targets and text.",
        "diagonal_inches = 15.6",
        "",
    ]
    return "\n".join(lines)


def write_private(path: Path, text: str, *, owner: tuple[int, int] | None = None) -> None:
    """Write ``text`` to ``path`` atomically, created with mode 0600 (and ``owner``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if owner is not None:
                os.fchown(handle.fileno(), *owner)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _owner(name: str | None) -> tuple[int, int] | None:
    if not name:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SetupError(
            _("--owner: there is no user {name!r}; create it first").format(name=name)
        ) from None
    return entry.pw_uid, entry.pw_gid


def _check_writable(folder: Path) -> None:
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise SetupError(
            _("cannot write into {folder}; run kiosk setup with sudo").format(folder=folder)
        )


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "setup",
        help=_("enrol this machine with a one-time code from kiosk-server enroll-kiosk"),
        description=_(
            "Fetch this kiosk's id and secret from the server with a one-time enrollment code "
            "and write the config file and the secret file (both readable only by their owner)."
        ),
    )
    parser.add_argument("--server", required=True, metavar="URL", help=_("the server's address"))
    parser.add_argument("--code", required=True, metavar="CODE", help=_("the enrollment code"))
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="PATH",
        help=_("the config file to write (default: %(default)s)"),
    )
    parser.add_argument(
        "--secret-file",
        type=Path,
        metavar="PATH",
        help=_("where to write the secret (default: 'secret' beside the config file)"),
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=_("the kiosk's data folder (default: %(default)s)"),
    )
    parser.add_argument("--language", choices=LANGS, default="fi")
    parser.add_argument(
        "--owner", metavar="USER", help=_("the kiosk's service user, to own the files")
    )
    parser.add_argument(
        "--ca-file", metavar="PEM", help=_("trust this CA certificate (a private CA's server)")
    )
    parser.add_argument(
        "--force", action="store_true", help=_("overwrite an existing config and secret file")
    )
    parser.set_defaults(func=run)
    return parser


def _setup(args: argparse.Namespace) -> tuple[Credentials, Path, Path]:
    server_url = check_server_url(args.server)
    config = args.config.absolute()
    secret_file = (args.secret_file or config.with_name("secret")).absolute()
    data_dir = args.data_dir.absolute()
    owner = _owner(args.owner)
    if not args.force:
        for path in (config, secret_file):
            if path.exists():
                raise SetupError(
                    _("{path} exists already; add --force to replace it").format(path=path)
                )
    for folder in (config.parent, secret_file.parent, data_dir):
        _check_writable(folder)
    if data_dir.exists() and not data_dir.is_dir():
        raise SetupError(_("--data-dir: {path} is a file, not a folder").format(path=data_dir))
    if owner is not None and os.geteuid() != 0 and owner[0] != os.geteuid():
        raise SetupError(_("--owner: only root may give files to another user; use sudo"))
    if args.ca_file and not Path(args.ca_file).is_file():
        raise SetupError(_("--ca-file: no file {path}").format(path=args.ca_file))
    # Only now is the one-time code spent: everything that could fail locally was checked.
    verify: Any = True
    if args.ca_file:
        import ssl

        try:
            verify = ssl.create_default_context(cafile=args.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise SetupError(
                _("--ca-file: cannot use {path}: {error}").format(path=args.ca_file, error=exc)
            ) from None
    credentials = fetch_credentials(server_url, args.code, verify=verify)
    text = render_config(
        kiosk_id=credentials.kiosk_id,
        data_dir=data_dir,
        server_url=server_url,
        secret_file=secret_file,
        public_url=credentials.public_url or server_url,
        language=args.language,
        usb_public_key=credentials.usb_public_key,
    )
    from kiosk.settings import parse_settings

    parse_settings(tomllib.loads(text), source=config)  # never write a file kiosk run refuses
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if owner is not None:
            os.chown(data_dir, *owner)
        write_private(secret_file, credentials.secret + "\n", owner=owner)
        write_private(config, text, owner=owner)
    except OSError as exc:
        # The code is spent by now: say so, so nobody retries it in vain.
        raise SetupError(
            _(
                "the server accepted the code but writing the files failed ({error}); "
                "fix that and ask for a new code"
            ).format(error=exc),
            status=1,
        ) from None
    return credentials, config, secret_file


def run(args: argparse.Namespace) -> int:
    from kiosk.settings import SettingsError

    try:
        credentials, config, secret_file = _setup(args)
    except SetupError as exc:
        print(_("kiosk setup: {error}").format(error=exc), file=sys.stderr)
        return exc.status
    except SettingsError as exc:
        print(
            _("kiosk setup: the server's answer makes a bad config: {error}").format(error=exc),
            file=sys.stderr,
        )
        return 1
    print(
        _("Kiosk {id} is set up: {config} and {secret} (readable by their owner only).").format(
            id=credentials.kiosk_id, config=config, secret=secret_file
        )
    )
    if credentials.server_url and credentials.server_url != args.server.strip().rstrip("/"):
        print(
            _("Note: the server sees itself as {url}; the config keeps {given}.").format(
                url=credentials.server_url, given=args.server.strip().rstrip("/")
            )
        )
    print(_("Next: kiosk check-config --config {config}").format(config=config))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
