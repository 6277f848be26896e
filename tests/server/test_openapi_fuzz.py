"""Schemathesis against /openapi.json of the kiosk API: no 5xx, every answer as documented.

Requests go in-process through schemathesis' ASGI transport. A requests ``auth`` hook signs
every case over the exact bytes being sent, replacing any generated signature headers (the
generated ``X-Kiosk-Pending`` stays), so the cases get past the signature check into ingest
and kiosk-config (the 401 answers are covered case by case in test_auth.py). Runs on SQLite
and PostgreSQL with a modest, derandomised budget (the whole fuzz set, with
test_route_fuzz.py, stays within two minutes on a busy machine); the case count is asserted
so that a silently shrunken run fails, and any error the server logs fails the run too.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync.protocol import KioskConfig, signature_headers
from sync.server.app import create_app
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.seed import seed_from_config
from tests.server.fuzzing import watch_errors

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# (path, method, generation mode) -> examples. healthz has no inputs (one case); kiosk-config
# has only optional string headers, which have no negative values to generate.
BUDGET = {
    ("/api/v1/batches", "POST", GenerationMode.POSITIVE): 150,
    ("/api/v1/batches", "POST", GenerationMode.NEGATIVE): 80,
    ("/api/v1/kiosk-config", "GET", GenerationMode.POSITIVE): 40,
    ("/api/v1/enroll", "POST", GenerationMode.POSITIVE): 20,
    ("/api/v1/enroll", "POST", GenerationMode.NEGATIVE): 20,
    ("/healthz", "GET", GenerationMode.POSITIVE): 5,
}
MIN_CASES = 250


class KioskSigner(requests.auth.AuthBase):
    """Signs the prepared request, i.e. the exact body bytes the app will receive."""

    def __init__(self, kiosk_id: str, secret: str):
        self.kiosk_id, self.secret = kiosk_id, secret
        self.signed = 0

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        path = urlsplit(request.url).path
        request.headers.update(
            signature_headers(
                self.kiosk_id, self.secret, request.method, path, body, int(time.time())
            )
        )
        self.signed += 1
        return request


@pytest.fixture
def fuzz_app(settings, engine):
    # The example batch in the OpenAPI document is signed as this kiosk, so it is accepted.
    kiosk = enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto", kiosk_id="mikkeli-main-1")
    seed_from_config(
        engine,
        KioskConfig.model_validate(
            {
                "generated_at": "2026-11-01T00:00:00Z",
                "public_base_url": "http://x",
                "themes": [{"id": "liikenne", "name": {"fi": "Liikenne"}}],
            }
        ),
    )
    return create_app(settings, engine), kiosk


def test_kiosk_api_conforms_to_its_openapi(fuzz_app):
    app, kiosk = fuzz_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(
        path_regex=r"^/(api/v1/batches|api/v1/kiosk-config|api/v1/enroll|healthz)$"
    )
    signer = KioskSigner(kiosk.kiosk_id, kiosk.secret)
    session = requests.Session()
    session.auth = signer
    statuses: dict[int, int] = {}
    total = 0
    with watch_errors() as errors:
        for (path, method, mode), examples in BUDGET.items():
            operation = schema[path][method]

            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                nonlocal total
                response = case.call(session=session)
                total += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                case.validate_response(response, checks=CHECKS)
                logged = errors.take()
                assert not logged, logged

            run()
            print(f"{method} {path} {mode.value}: {total} cases so far; statuses {statuses}")
    assert total >= MIN_CASES, statuses
    # Signed cases got past the signature: the generator reached the ingest and config code.
    assert statuses.get(422, 0) > 0 and statuses.get(200, 0) > 0, statuses
    assert signer.signed == total
