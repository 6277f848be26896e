"""`make demo`: a local central server with demo content and the kiosk pointed at it.

Everything lives under ``var/demo/`` (git-ignored), so running the demo twice reuses the same
server database and kiosk store; delete that folder to start over. On a machine without a
screen the kiosk cannot open a window: the demo then renders the kiosk's screens to PNG files
and keeps the server running, so the staff dashboard and follow-up pages can still be tried.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "var" / "demo"
BIN = Path(sys.executable).parent
HOST, PORT = "127.0.0.1", 8765
BASE_URL = f"http://{HOST}:{PORT}"
STAFF_USER, STAFF_PASSWORD = "demo", "demo-demo-demo"
STAFF_PIN = "2468"


def run(*args: str, stdin: str | None = None) -> str:
    result = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"demo: `{' '.join(args)}` failed:\n{result.stderr.strip()}")
    return result.stdout


def server_cmd(*args: str) -> list[str]:
    return [str(BIN / "kiosk-server"), *args]


def prepare_server() -> dict[str, str]:
    server_dir = DEMO / "server"
    server_dir.mkdir(parents=True, exist_ok=True)
    run(*server_cmd("init", "--data-dir", str(server_dir)))
    # Six weeks of made-up visits at two libraries, so the pictures and the queue show something.
    seeded = run(
        *server_cmd(
            "seed-demo",
            "--data-dir",
            str(server_dir),
            "--public-base-url",
            BASE_URL,
            "--demo-visits",
        )
    )
    print(seeded.strip())
    creds_file = DEMO / "kiosk-credentials.json"
    if not creds_file.exists():
        out = run(
            *server_cmd(
                "enroll-kiosk",
                "Pääkirjasto, aula",
                "--site",
                "Mikkelin pääkirjasto",
                "--json",
                "--data-dir",
                str(server_dir),
            )
        )
        creds_file.write_text(out)
        creds_file.chmod(0o600)
        run(
            *server_cmd("add-staff", STAFF_USER, "--password-stdin", "--data-dir", str(server_dir)),
            stdin=STAFF_PASSWORD + "\n",
        )
    return json.loads(creds_file.read_text())


def write_kiosk_config(creds: dict[str, str]) -> Path:
    secret_file = DEMO / "kiosk-secret"
    secret_file.write_text(creds["secret"])
    secret_file.chmod(0o600)
    pin_hash = run(str(BIN / "kiosk"), "hash-pin", "--stdin", stdin=STAFF_PIN + "\n").strip()
    config = DEMO / "kiosk.toml"
    config.write_text(
        f'kiosk_id = "{creds["kiosk_id"]}"\n'
        f'data_dir = "{DEMO / "kiosk-data"}"\n'
        'language = "fi"\n'
        "demo = true\n\n"
        f'[server]\nurl = "{BASE_URL}"\nsecret_file = "{secret_file}"\npublic_url = "{BASE_URL}"\n\n'
        '[event]\nactive = "kayttajatori-demo"\n\n'
        f'[staff]\npin_hash = "{pin_hash}"\n\n'
        "[display]\nfullscreen = false\n"
    )
    return config


def wait_for_server(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("demo: the server stopped while starting; see the lines above")
        try:
            with urllib.request.urlopen(f"{BASE_URL}/healthz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"demo: the server did not answer at {BASE_URL}/healthz within {timeout:.0f} s")


def has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the server is stopped in main()'s finally block


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    DEMO.mkdir(parents=True, exist_ok=True)
    creds = prepare_server()
    config = write_kiosk_config(creds)
    # The demo content's age groups and districts, so "who is missing" names the silent one.
    content = json.loads((ROOT / "assets" / "demo" / "kiosk-config.json").read_text())
    server_env = dict(
        os.environ,
        KT_AGE_GROUPS=",".join(content["age_groups"]),
        KT_DISTRICTS=",".join(content["districts"]),
    )
    server = subprocess.Popen(
        env=server_env,
        args=server_cmd(
            "serve",
            "--data-dir",
            str(DEMO / "server"),
            "--host",
            HOST,
            "--port",
            str(PORT),
            "--public-base-url",
            BASE_URL,
        ),
    )
    try:
        wait_for_server(server)
        print(
            f"\nCentral server:  {BASE_URL}/staff  (user {STAFF_USER!r}, password {STAFF_PASSWORD!r})"
        )
        print(f"Kiosk staff mode: hold the top-left corner 3 s, PIN {STAFF_PIN}")
        print(f"Kiosk config:    {config}\n")
        if has_screen():
            subprocess.run([str(BIN / "kiosk"), "run", "--config", str(config)])
        else:
            shots = DEMO / "screenshots"
            shutil.rmtree(shots, ignore_errors=True)
            print(
                f"No screen here: rendering the kiosk's screens to {shots} instead of opening a window."
            )
            env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
            subprocess.run([str(BIN / "kiosk"), "screenshots", str(shots), "--lang", "fi"], env=env)
            print(f"Screens rendered to {shots}. The server keeps running; Ctrl-C stops it.")
            server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
