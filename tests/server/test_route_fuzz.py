"""Hypothesis over every route of the server: hostile paths, query strings, headers and forms.

Routes come from ``app.routes`` (tests/server/fuzzing.py), so a new route is fuzzed without
being listed. Each route gets the same small budget of derandomised examples, signed in as
staff or not, with a valid CSRF token or not, signed as a kiosk or not; the answer must never
be a 5xx and the server must log no error or traceback. Runs on SQLite and PostgreSQL
(``db_url`` of tests/server/conftest.py), in-process.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sync.demo import demo_config_bytes
from sync.protocol import KioskConfig, canonical_json, new_follow_up_token, signature_headers
from sync.server.app import create_app
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.seed import seed_from_config
from sync.server.db.staff_users import add_staff_user
from tests.server.fuzzing import (
    HEADER_NAMES,
    field_vocabulary,
    header_value,
    hostile_text,
    route_inventory,
    watch_errors,
)

# Modest, so that `make test` stays quick; KT_FUZZ_EXAMPLES=200 digs deeper by hand.
EXAMPLES_PER_ROUTE = int(os.environ.get("KT_FUZZ_EXAMPLES", "18"))
STAFF_USER, STAFF_PASSWORD = "fuzz-staff", "fuzz-oikein-hyvä"
LOGIN_ADDRESS = ("192.0.2.10", 40000)  # not the fuzzing client's: guesses do not throttle it


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


class World:
    """The app over a seeded database, a staff session and a kiosk with one stored visit."""

    def __init__(self, settings, engine):
        self.app = create_app(settings, engine)
        seed_from_config(engine, KioskConfig.model_validate_json(demo_config_bytes()))
        add_staff_user(engine, STAFF_USER, STAFF_PASSWORD)
        self.kiosk = enroll_kiosk(engine, "Fuzz 1", "Pääkirjasto")
        self.client = TestClient(self.app, follow_redirects=False).__enter__()
        self.token = new_follow_up_token()
        self.visit = str(uuid.uuid4())
        self.record_ids = [str(uuid.uuid4()) for _ in range(2)]
        self.batch_id = str(uuid.uuid4())
        base = {
            "visit_id": self.visit,
            "created_at": "2026-11-14T10:00:00Z",
            "kiosk_id": self.kiosk.kiosk_id,
            "event_id": "kayttajatori-2026-11",
            "lang": "fi",
            "follow_up_token": self.token,
        }
        records = [
            base | {"id": self.record_ids[0], "kind": "rating", "rating": 2},
            base | {"id": self.record_ids[1], "kind": "story", "story": "Tori elää."},
        ]
        body = canonical_json({"batch_id": self.batch_id, "records": records})
        response = self.client.post(
            "/api/v1/batches",
            content=body,
            headers=self.kiosk_headers("POST", "/api/v1/batches", body),
        )
        assert response.status_code == 201, response.text
        self.login()

    def login(self) -> None:
        with TestClient(self.app, follow_redirects=False, client=LOGIN_ADDRESS) as login:
            page = login.get("/staff/login")
            response = login.post(
                "/staff/login",
                data={"csrf": _csrf(page.text), "username": STAFF_USER, "password": STAFF_PASSWORD},
            )
            assert response.status_code == 303, response.text
            self.cookies = "; ".join(f"{k}={v}" for k, v in login.cookies.items())
            self.csrf = _csrf(login.get("/staff/").text)

    def session_alive(self) -> bool:
        self.client.cookies.clear()
        response = self.client.get("/staff/api/overview", headers={"Cookie": self.cookies})
        return response.status_code == 200

    def kiosk_headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        return signature_headers(
            self.kiosk.kiosk_id, self.kiosk.secret, method, path, body, int(time.time())
        )

    def known(self) -> list[str]:
        return [
            self.token,
            self.visit,
            self.batch_id,
            *self.record_ids,
            self.kiosk.kiosk_id,
            "kayttajatori-2026-11",
            "liikenne",
            "1",
            "faces",
            "svg",
        ]


@pytest.fixture
def world(settings, engine):
    world = World(settings, engine)
    yield world
    world.client.__exit__(None, None, None)


_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _request(world: World, method: str, template: str, data: st.DataObject) -> tuple:
    known = world.known()
    text = hostile_text(known)
    names = field_vocabulary()
    # A few fields, or every field our pages know at once (each with its own hostile value).
    fields = st.one_of(
        st.lists(st.tuples(st.sampled_from(names) | st.text(max_size=6), text), max_size=8),
        st.fixed_dictionaries(dict.fromkeys(names, hostile_text(known, nul=False))).map(
            lambda d: list(d.items())
        ),
    )
    path = _PARAM.sub(lambda m: quote(data.draw(text, label=m.group(1)), safe=""), template)
    if data.draw(st.booleans(), label="raw query"):
        query = data.draw(
            st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)
        )
    else:
        query = urlencode(data.draw(fields, label="query"))
    headers = {
        name: value.encode("latin-1")
        for name, value in data.draw(
            st.dictionaries(st.sampled_from(HEADER_NAMES), header_value, max_size=4),
            label="headers",
        ).items()
    }
    signed_in = data.draw(st.booleans(), label="signed in")
    if signed_in:
        cookie = headers.pop("Cookie", b"").decode("latin-1")
        headers["Cookie"] = (world.cookies + ("; " + cookie if cookie else "")).encode()
    body: dict = {}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        form = data.draw(fields, label="form")
        if data.draw(st.booleans(), label="valid csrf"):
            form = [("csrf", world.csrf), *((k, v) for k, v in form if k != "csrf")]
        encoding = data.draw(st.sampled_from(["form", "multipart", "json", "bytes"]), label="body")
        if encoding == "form":
            body = {
                "content": urlencode(form).encode(),
                "ctype": "application/x-www-form-urlencoded",
            }
        elif encoding == "multipart":
            body = {"files": [(k, (None, v)) for k, v in form] or [("x", (None, ""))]}
        elif encoding == "json":
            body = {"content": json.dumps(dict(form)).encode(), "ctype": "application/json"}
        else:
            body = {
                "content": data.draw(st.binary(max_size=200)),
                "ctype": "application/octet-stream",
            }
    raw_path = path.split("?", 1)[0]
    if template.startswith("/api/") and data.draw(st.booleans(), label="signed as kiosk"):
        signature = {
            k: v.encode()
            for k, v in world.kiosk_headers(method, raw_path, body.get("content", b"")).items()
        }
        # Either a valid signature with the other fuzzed headers beside it, or the fuzzed
        # headers over a valid signature (a valid id and timestamp with a hostile signature...).
        over = data.draw(st.booleans(), label="fuzzed headers over the signature")
        headers = signature | headers if over else headers | signature
    return method, path + ("?" + query if query else ""), headers, body, signed_in


def _send(world: World, method: str, url: str, headers: dict, body: dict):
    world.client.cookies.clear()
    if "files" in body:
        return world.client.request(method, url, headers=headers, files=body["files"])
    if "content" in body:
        headers = {"Content-Type": body["ctype"].encode(), **headers}
        return world.client.request(method, url, headers=headers, content=body["content"])
    return world.client.request(method, url, headers=headers)


def _fuzz_route(world: World, method: str, template: str, errors, statuses: dict) -> int:
    """Run one route's examples; return how many requests were made."""
    cases = 0

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def case(data):
        nonlocal cases
        method_, url, headers, body, signed_in = _request(world, method, template, data)
        response = _send(world, method_, url, headers, body)
        cases += 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (method_, url, headers, response.text[:500])
        logged = errors.take()
        assert not logged, (method_, url, logged)
        if signed_in and method_ != "GET" and not world.session_alive():
            world.login()  # the case signed out (or changed the account): sign in again

    case()
    return cases


def test_every_route_survives_hostile_paths_queries_headers_and_forms(world):
    routes = route_inventory(world.app)
    assert len(routes) >= 35, routes
    statuses: dict[int, int] = {}
    cases = 0
    failures = []
    with watch_errors() as errors:
        for method, template in routes:
            # Every route is fuzzed even when one fails, so one run lists every broken route.
            try:
                cases += _fuzz_route(world, method, template, errors, statuses)
            except Exception as exc:  # noqa: BLE001 - reported below, with the shrunk example
                failures.append(f"{method} {template}: {type(exc).__name__}: {exc}"[:3000])
                errors.take()
    print(f"{cases} cases over {len(routes)} routes; statuses {sorted(statuses.items())}")
    assert not failures, "\n\n".join(failures)
    assert cases >= len(routes) * EXAMPLES_PER_ROUTE // 2
    # The fuzzing got past the doors: signed-in pages and forms answered, not only 4xx.
    assert statuses.get(200, 0) > len(routes) and statuses.get(303, 0) > 0, statuses
