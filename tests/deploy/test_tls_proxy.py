"""The reverse-proxy examples: the shipped Caddyfile and nginx.conf are valid for the real
programs, and a kiosk is set up over https through Caddy (with Caddy's own local CA standing in
for Let's Encrypt) to a real server process, which sees the https address and the kiosk's
address through the forwarded headers. Skipped where caddy, nginx or openssl are absent."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[2]
CADDYFILE = REPO / "deploy" / "server" / "Caddyfile"
NGINX_SITE = REPO / "deploy" / "server" / "nginx.conf"
needs_caddy = pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")


def _caddy_env(tmp_path: Path) -> dict:
    return {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }


@needs_caddy
def test_the_caddyfile_is_valid(tmp_path):
    result = subprocess.run(
        ["caddy", "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_caddy_env(tmp_path),
        check=False,
    )
    assert result.returncode == 0 and "Valid configuration" in result.stdout + result.stderr, (
        result.stderr
    )


@pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="nginx or openssl is not installed",
)
def test_the_nginx_site_is_valid(tmp_path):
    """``nginx -t`` on the site, with a throwaway certificate where certbot's would be."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    live = "/etc/letsencrypt/live/palaute.example.fi/"
    site = NGINX_SITE.read_text()
    site = site.replace(live + "fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace(live + "privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def _test_caddyfile(tmp_path: Path, upstream_port: int) -> tuple[Path, int]:
    """The shipped Caddyfile on free ports, with Caddy's local CA instead of Let's Encrypt."""
    https_port, http_port = free_port(), free_port()
    site = CADDYFILE.read_text()
    assert "palaute.example.fi {" in site and "reverse_proxy 127.0.0.1:8765" in site
    site = site.replace(
        "palaute.example.fi {", f"https://localhost:{https_port} {{\n\ttls internal"
    )
    site = site.replace("reverse_proxy 127.0.0.1:8765", f"reverse_proxy 127.0.0.1:{upstream_port}")
    options = (
        "{\n\tadmin off\n\tskip_install_trust\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n"
        f"\tstorage file_system {tmp_path / 'caddy-storage'}\n}}\n\n"
    )
    path = tmp_path / "Caddyfile"
    path.write_text(options + site)
    return path, https_port


@needs_caddy
def test_a_kiosk_is_set_up_over_https_through_caddy(cli, new_database, start_server, tmp_path):
    database = new_database("sqlite")
    upstream = start_server(database)
    config, port = _test_caddyfile(tmp_path, int(upstream.rsplit(":", 1)[1]))
    log = open(tmp_path / "caddy.log", "wb")  # noqa: SIM115 - closed below
    caddy = subprocess.Popen(
        ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_caddy_env(tmp_path),
    )
    try:
        root = tmp_path / "caddy-storage" / "pki" / "authorities" / "local" / "root.crt"
        base = f"https://localhost:{port}"
        trust = None
        deadline = time.monotonic() + 60
        while True:
            assert caddy.poll() is None, (tmp_path / "caddy.log").read_text()
            try:
                if root.exists():
                    trust = ssl.create_default_context(cafile=str(root))
                    if httpx.get(base + "/healthz", verify=trust, timeout=5).status_code == 200:
                        break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "caddy.log").read_text()
            time.sleep(0.3)

        enrolled = cli(
            "kiosk-server",
            "enroll-kiosk",
            "Mikkeli main 1",
            "--site",
            "Pääkirjasto",
            "--json",
            "--database-url",
            database,
        )
        code = json.loads(enrolled.stdout)["enrollment_code"]
        # Without our CA the certificate is not trusted: setup says so and spends nothing.
        untrusted = cli(
            "kiosk",
            "setup",
            "--server",
            base,
            "--code",
            code,
            "--config",
            str(tmp_path / "etc" / "kiosk.toml"),
            "--data-dir",
            str(tmp_path / "data"),
        )
        assert untrusted.returncode == 1 and "cannot reach the server" in untrusted.stderr
        done = cli(
            "kiosk",
            "setup",
            "--server",
            base,
            "--code",
            code,
            "--ca-file",
            str(root),
            "--config",
            str(tmp_path / "etc" / "kiosk.toml"),
            "--data-dir",
            str(tmp_path / "data"),
        )
        assert done.returncode == 0, done.stderr
        # uvicorn trusted Caddy's X-Forwarded-Proto: the server saw the https address.
        assert "Note: the server sees itself" not in done.stdout
        metrics = httpx.get(base + "/metrics", verify=trust, timeout=20)
        assert metrics.status_code == 200 and "kt_kiosk_enabled" in metrics.text
        assert httpx.get(base + "/healthz", verify=trust, timeout=20).headers.get(
            "strict-transport-security"
        )
        # A visitor's follow-up page through Caddy: its access log keeps no token or Referer.
        httpx.get(
            base + "/f/SeCrEtToKeN123?lang=sv",
            headers={"Referer": base + "/f/SeCrEtToKeN123"},
            verify=trust,
            timeout=20,
        )
    finally:
        caddy.terminate()
        try:
            caddy.wait(timeout=20)
        except subprocess.TimeoutExpired:
            caddy.kill()
            caddy.wait(timeout=10)
        log.close()
    logged = (tmp_path / "caddy.log").read_text()
    assert '"uri":"/f/[redacted]?lang=sv"' in logged
    assert "SeCrEtToKeN123" not in logged


needs_nginx = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
NGINX_BOOTSTRAP = REPO / "deploy" / "server" / "nginx-bootstrap.conf"


def _nginx_main_conf(tmp_path: Path, site: str) -> Path:
    """An nginx.conf around ``site`` that writes only under ``tmp_path``."""
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir(exist_ok=True)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {temp};\n  proxy_temp_path {temp};\n"
        f"  fastcgi_temp_path {temp};\n  uwsgi_temp_path {temp};\n  scgi_temp_path {temp};\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    return main


@needs_nginx
def test_the_first_certificate_sequence_passes_nginx_t_before_the_certificate_exists(tmp_path):
    """The bootstrap site names no certificate: `nginx -t` passes on a machine without one,
    which the full site cannot (it is what blocked certbot)."""
    for site, passes in ((NGINX_BOOTSTRAP, True), (NGINX_SITE, False)):
        text = site.read_text().replace("/var/log/nginx/", f"{tmp_path}/")
        assert "/etc/letsencrypt/live/palaute.example.fi/" not in text or not passes
        main = _nginx_main_conf(tmp_path, text)
        result = subprocess.run(
            ["nginx", "-t", "-c", str(main)], capture_output=True, text=True, timeout=60
        )
        assert (result.returncode == 0) is passes, (site.name, result.stderr)


@needs_nginx
def test_nginx_serves_the_acme_challenge_and_logs_no_visitor_token(tmp_path):
    port = free_port()
    # nginx's workers may run as another user (nobody, run as root): a webroot they can read.
    webroot = Path(tempfile.mkdtemp(prefix="kt-acme-"))
    webroot.chmod(0o755)
    challenge = webroot / ".well-known" / "acme-challenge"
    challenge.mkdir(parents=True, mode=0o755)
    (challenge / "probe").write_text("challenge-answer")
    (challenge / "probe").chmod(0o644)
    site = (
        NGINX_BOOTSTRAP.read_text()
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("listen [::]:80;", "")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("/var/www/letsencrypt", str(webroot))
    )
    main = _nginx_main_conf(tmp_path, site)
    nginx = subprocess.Popen(["nginx", "-c", str(main), "-g", "daemon off;"])
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(base + "/.well-known/acme-challenge/probe", timeout=5)
                break
            except httpx.HTTPError:
                assert nginx.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.text == "challenge-answer"
        httpx.get(base + "/f/SeCrEtToKeN123/withdraw?lang=sv", timeout=5)
        httpx.get(base + "/k/C0DE42", timeout=5)
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        shutil.rmtree(webroot)
    logged = (tmp_path / "kiosk-server.access.log").read_text()
    assert "SeCrEtToKeN123" not in logged and "C0DE42" not in logged
    assert '"GET /f/[redacted]/withdraw?lang=sv HTTP/1.1"' in logged
    assert '"GET /k/[redacted] HTTP/1.1"' in logged
