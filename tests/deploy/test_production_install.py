"""Install like production: the built wheel into a fresh venv per side, from that side's lock.

What the installers do (deploy/kiosk/install-kiosk.sh, deploy/server/install-server.sh): the
pinned build tools first, then the side's hash-checked lock, then the app without dependencies.
Here the app is the wheel built from this checkout, and everything then runs from a folder
outside the checkout, so a file read from the source tree instead of the package fails here:

- kiosk side: ``kiosk screenshots`` (offscreen), the neutral start without a kiosk-config, the
  demo content from the package; no FastAPI, SQLAlchemy or matplotlib installed;
- server side: ``kiosk-server init``, ``enroll-kiosk``, ``serve``, a signed batch, the visitor's
  follow-up page, ``HEAD /healthz``; no Kivy installed; the access log carries no token.

Slow (a minute or two with pip's cache warm; the first run downloads the wheels) but part of
``make test``: it is the only test that sees what an installed kiosk or server sees.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO
from tests.support.servers import free_port

pytestmark = pytest.mark.slow

LOCKS = REPO / "requirements"
# The interpreter the venvs are made from: the one this test's venv was made from.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a shell outside the checkout: no venv, no PYTHONPATH.

    Kivy logs to the console as it would for an administrator (the suite's conftest turns that
    off), so a kiosk command that fails shows Kivy's own account of why in the assertion.
    """
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "KIVY_NO_CONSOLELOG"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, **extra}


def _run(args: list[str], cwd: Path, timeout: float = 600, **env: str) -> str:
    result = subprocess.run(
        args,
        cwd=cwd,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("production-install")
    assert not folder.resolve().is_relative_to(REPO.resolve())
    return folder


@pytest.fixture(scope="module")
def wheel(outside) -> Path:
    """The wheel of this checkout, built with the pinned build tools of the dev venv."""
    dist = outside / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(dist), str(REPO)],
        cwd=outside,
    )
    (built,) = dist.glob("kayttajatori-*.whl")
    return built


def _install(side: str, wheel: Path, outside: Path) -> Path:
    """A fresh venv with ``side``'s lock and the wheel, as the installers make it; its bin/."""
    venv = outside / f"{side}-venv"
    _run([BASE_PYTHON, "-m", "venv", str(venv)], cwd=outside)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    pip += ["--disable-pip-version-check"]
    _run(pip + ["--require-hashes", "-r", str(LOCKS / "build-tools.lock")], cwd=outside)
    _run(
        pip + ["--require-hashes", "--no-build-isolation", "-r", str(LOCKS / f"{side}.lock")],
        cwd=outside,
    )
    _run(pip + ["--no-deps", str(wheel)], cwd=outside)
    return venv / "bin"


def _installed(bin_dir: Path, modules: tuple[str, ...], cwd: Path) -> list[str]:
    code = (
        "import importlib.util, json, sys; "
        "print(json.dumps([m for m in sys.argv[1:] if importlib.util.find_spec(m)]))"
    )
    return json.loads(_run([str(bin_dir / "python"), "-c", code, *modules], cwd=cwd))


def test_the_kiosk_side_installs_alone_and_runs_from_the_wheel(wheel, outside):
    bin_dir = _install("kiosk", wheel, outside)
    work = outside / "kiosk-work"
    work.mkdir()
    assert _installed(bin_dir, ("fastapi", "sqlalchemy", "matplotlib", "uvicorn"), work) == []
    assert _installed(bin_dir, ("kivy", "tinydb", "nacl", "escpos"), work) == [
        "kivy",
        "tinydb",
        "nacl",
        "escpos",
    ]
    assert _run([str(bin_dir / "kiosk"), "--version"], cwd=work).startswith("kiosk 0.")

    # No kiosk-config yet: the neutral start, not the demo; the demo is package data.
    probe = (
        "import json; from kiosk.content import load_content; from kiosk.store import LocalStore\n"
        "with LocalStore('data') as store:\n"
        "    neutral, demo = load_content(store), load_content(store, demo=True)\n"
        "print(json.dumps([len(neutral.themes), neutral.event is None, len(demo.themes)]))"
    )
    assert json.loads(_run([str(bin_dir / "python"), "-c", probe], cwd=work)) == [0, True, 4]

    shots = work / "shots"
    out = _run(
        [str(bin_dir / "kiosk"), "screenshots", str(shots), "--lang", "fi", "--screen", "attract"]
        + ["--screen", "thanks"],
        cwd=work,
        SDL_VIDEODRIVER="offscreen",
        KIVY_NO_ARGS="1",
        KIVY_HOME=str(work / "kivy-home"),
    )
    assert "wrote 8 screenshots" in out
    pngs = sorted(p.name for p in shots.glob("*.png"))
    assert len(pngs) == 8 and "attract-fi-x1-normal.png" in pngs
    assert all((shots / name).stat().st_size > 10_000 for name in pngs)


def _get(url: str, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_for_health(base: str, process: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            status, body = _get(base + "/healthz")
        except OSError:
            time.sleep(0.3)
            continue
        if status == 200:
            return json.loads(body)
    raise AssertionError("the installed server did not answer /healthz:\n" + log.read_text())


def _signed_batch(base: str, kiosk_id: str, secret: str) -> str:
    """POST one signed batch with a rating, as a kiosk does; the record's follow-up token."""
    from sync.batches import pack_batch
    from sync.protocol import BATCHES_PATH, new_follow_up_token, signature_headers, utc_now_iso

    token = new_follow_up_token()
    record = {
        "id": str(uuid.uuid4()),
        "visit_id": str(uuid.uuid4()),
        "created_at": utc_now_iso(),
        "kiosk_id": kiosk_id,
        "event_id": "kayttajatori",
        "kind": "rating",
        "lang": "fi",
        "follow_up_token": token,
        "rating": 4,
    }
    batch = pack_batch([record])
    headers = signature_headers(
        kiosk_id, secret, "POST", BATCHES_PATH, batch.body, int(time.time())
    )
    headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        base + BATCHES_PATH, data=batch.body, headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201, response.read()
    return token


def test_the_server_side_installs_alone_and_serves_from_the_wheel(wheel, outside):
    bin_dir = _install("server", wheel, outside)
    work = outside / "server-work"
    work.mkdir()
    assert _installed(bin_dir, ("kivy", "tinydb", "pytest", "playwright"), work) == []
    assert _installed(bin_dir, ("fastapi", "weasyprint", "openpyxl", "feedgen", "nacl"), work) == [
        "fastapi",
        "weasyprint",
        "openpyxl",
        "feedgen",
        "nacl",
    ]
    server = str(bin_dir / "kiosk-server")
    version = _run([server, "--version"], cwd=work).split()[1]
    data = ["--data-dir", str(work / "state")]
    _run([server, "init", *data], cwd=work)
    enrolled = json.loads(
        _run(
            [server, "enroll-kiosk", "Trial kiosk", "--site", "Library", "--json", *data], cwd=work
        )
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / "serve.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [server, "serve", *data, "--host", "127.0.0.1", "--port", str(port)]
            + ["--public-base-url", base],
            cwd=work,
            env=_clean_env(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            health = _wait_for_health(base, process, log)
            assert health["status"] == "ok" and health["version"] == version
            assert _get(base + "/healthz", method="HEAD") == (200, b"")
            token = _signed_batch(base, enrolled["kiosk_id"], enrolled["secret"])
            status, page = _get(f"{base}/f/{token}")
            assert status == 200 and b"<html" in page.lower()
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    served = log.read_text(errors="replace")
    assert "/f/" in served  # the page request was logged ...
    assert token not in served  # ... without the visitor's token
