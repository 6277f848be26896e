"""Server processes and loopback ports, one way for every test and benchmark.

What a caller may rely on:

- :func:`free_port` is a loopback TCP port that was free a moment ago.
- :func:`running_server` starts a command (``kiosk-server serve`` or uvicorn), waits until
  ``/healthz`` answers and yields the base URL; on leaving, the process is stopped (SIGTERM,
  then SIGKILL) whatever happened. A process that exits or never answers raises
  :class:`ServerDidNotStart` with the end of its log.
- :func:`start_process`, :func:`wait_until_healthy` and :func:`stop_process` are the three steps
  of that, for a caller that keeps a process across several calls (``tests/sync``).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import httpx

__all__ = [
    "SERVER_CLI",
    "ServerDidNotStart",
    "free_port",
    "running_server",
    "serve_command",
    "start_process",
    "stop_process",
    "uvicorn_command",
    "wait_until_healthy",
]

# ``kiosk-server`` as staff would type it, without needing the console script on PATH.
SERVER_CLI = [
    sys.executable,
    "-c",
    "import sys; from sync.server.cli import main; sys.exit(main())",
]
LOG_TAIL = 3000  # characters of a failed server's log shown in the error


class ServerDidNotStart(AssertionError):
    """The process exited, or did not answer ``/healthz`` in time; the message has its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command(*options: str) -> list[str]:
    """``kiosk-server serve OPTIONS...``."""
    return [*SERVER_CLI, "serve", *options]


def uvicorn_command(port: int, *options: str) -> list[str]:
    """The server app under uvicorn directly, configured from ``KT_*`` variables."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "sync.server.app:create_app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *options,
    ]


def start_process(
    command: Sequence[str], log_path: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``command`` with stdout and stderr into ``log_path``, in ``env`` (the whole
    environment; this process's when None)."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            list(command),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=None if env is None else dict(env),
        )


def wait_until_healthy(
    url: str,
    process: subprocess.Popen[bytes],
    log_path: Path,
    *,
    timeout: float = 60.0,
    healthy: Callable[[int], bool] = lambda status: status == 200,
) -> None:
    """Return once ``GET url/healthz`` answers a ``healthy`` status; else stop the process and
    raise :class:`ServerDidNotStart`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"{url}: the server exited:\n{_tail(log_path)}")
        with contextlib.suppress(httpx.HTTPError):
            if healthy(httpx.get(url + "/healthz", timeout=2).status_code):
                return
        time.sleep(0.1)
    stop_process(process)
    raise ServerDidNotStart(
        f"{url}: no answer from /healthz in {timeout:.0f} s:\n{_tail(log_path)}"
    )


def stop_process(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; nothing if it already exited."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextlib.contextmanager
def running_server(
    command: Sequence[str],
    *,
    port: int,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    healthy: Callable[[int], bool] = lambda status: status == 200,
) -> Iterator[str]:
    """Run ``command`` (listening on ``port``, in the whole environment ``env``) until the block
    ends; yields its base URL."""
    process = start_process(command, log_path, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log_path, timeout=timeout, healthy=healthy)
        yield url
    finally:
        stop_process(process)


def _tail(log_path: Path) -> str:
    try:
        return Path(log_path).read_text(errors="replace")[-LOG_TAIL:]
    except OSError as exc:
        return f"(no log: {exc})"
