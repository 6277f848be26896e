"""``/metrics``: counts from the database (records, batches, per-kiosk last seen and pending),
rejected kiosk-API requests by endpoint and reason, and the sum over several worker processes
in prometheus-client's multiprocess mode."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event

from sync.protocol import BATCHES_PATH, canonical_json, new_follow_up_token, signature_headers
from sync.server.app import create_app
from sync.server.db.engine import make_engine
from sync.server.db.kiosks import disable_kiosk, enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.settings import Settings
from sync.signed_pending import pending_signature


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """``{(sample name, sorted label items): value}`` of a Prometheus text page."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def rejected(page: dict, endpoint: str, reason: str) -> float:
    key = ("kt_rejected_requests_total", (("endpoint", endpoint), ("reason", reason)))
    return page.get(key, 0.0)


def batch(kiosk_id: str, n: int) -> bytes:
    records = [
        {
            "id": str(uuid.uuid4()),
            "visit_id": str(uuid.uuid4()),
            "created_at": "2026-11-14T10:00:00.000000Z",
            "kiosk_id": kiosk_id,
            "event_id": "kayttajatori-2026-11",
            "kind": "rating",
            "rating": 4,
            "lang": "fi",
            "follow_up_token": new_follow_up_token(),
        }
        for _ in range(n)
    ]
    return canonical_json({"batch_id": str(uuid.uuid4()), "records": records})


METRICS_TOKEN = "prometheus-lukee"


def post(client, kiosk, body: bytes, pending: int | None = None, ts: int | None = None):
    headers = signature_headers(
        kiosk.kiosk_id, kiosk.secret, "POST", BATCHES_PATH, body, ts or int(time.time())
    )
    headers["Content-Type"] = "application/json"
    if pending is not None:
        headers["X-Kiosk-Pending"] = str(pending)
        headers["X-Kiosk-Signature-V2"] = pending_signature(
            kiosk.secret, "POST", BATCHES_PATH, headers["X-Kiosk-Timestamp"], body, pending
        )
    return client.post(BATCHES_PATH, content=body, headers=headers)


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request, new_database, tmp_path):
    engine = make_engine(new_database(request.param))
    upgrade(engine)
    settings = Settings.load(
        {"data_dir": str(tmp_path / "data"), "metrics_token": METRICS_TOKEN}, env={}
    )
    with TestClient(
        create_app(settings, engine), headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    ) as client:
        yield engine, client
    engine.dispose()


def test_metrics_count_what_the_database_holds_and_what_was_refused(served):
    engine, client = served
    main = enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto")
    otava = enroll_kiosk(engine, "Otava 1", "Otavan kirjasto")
    idle = enroll_kiosk(engine, "Varasto", "Varasto")
    disable_kiosk(engine, idle.kiosk_id)
    start = samples(client.get("/metrics").text)

    before = time.time()
    assert post(client, main, batch(main.kiosk_id, 3), pending=7).status_code == 201
    assert post(client, main, batch(main.kiosk_id, 2), pending=0).status_code == 201
    assert post(client, otava, batch(otava.kiosk_id, 4)).status_code == 201
    # Refusals: a stale clock, a bad signature, a disabled kiosk, a broken batch.
    assert (
        post(client, main, batch(main.kiosk_id, 1), ts=int(time.time()) - 3600).status_code == 401
    )
    forged = type(main)(main.kiosk_id, otava.secret)
    assert post(client, forged, batch(main.kiosk_id, 1)).status_code == 401
    assert post(client, idle, batch(idle.kiosk_id, 1)).status_code == 401
    assert post(client, otava, b'{"batch_id": "x", "records": []}').status_code == 422
    assert (
        client.post("/api/v1/enroll", json={"code": "0000-0000-0000-0000-0000"}).status_code == 404
    )

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    page = samples(response.text)
    assert page[("kt_database_up", ())] == 1
    assert page[("kt_records_ingested_total", (("kiosk_id", main.kiosk_id),))] == 5
    assert page[("kt_records_ingested_total", (("kiosk_id", otava.kiosk_id),))] == 4
    assert (
        page[("kt_batches_ingested_total", (("kiosk_id", main.kiosk_id), ("source", "network")))]
        == 2
    )
    main_labels = (("kiosk_id", main.kiosk_id), ("site", "Pääkirjasto"))
    otava_labels = (("kiosk_id", otava.kiosk_id), ("site", "Otavan kirjasto"))
    assert page[("kt_kiosk_pending_records", main_labels)] == 0  # the latest report wins
    assert ("kt_kiosk_pending_records", otava_labels) not in page  # never reported
    seen = page[("kt_kiosk_last_seen_timestamp_seconds", main_labels)]
    assert before - 2 <= seen <= time.time() + 2
    assert page[("kt_kiosk_enabled", main_labels)] == 1
    assert page[("kt_kiosk_enabled", (("kiosk_id", idle.kiosk_id), ("site", "Varasto")))] == 0
    assert (
        "kt_kiosk_last_seen_timestamp_seconds",
        (("kiosk_id", idle.kiosk_id), ("site", "Varasto")),
    ) not in page
    for endpoint, reason in [
        ("batches", "clock_skew"),
        ("batches", "bad_signature"),
        ("batches", "disabled_kiosk"),
        ("batches", "invalid_input"),
        ("enroll", "not_found"),
    ]:
        assert rejected(page, endpoint, reason) - rejected(start, endpoint, reason) == 1, reason


def test_a_scrape_still_answers_when_the_database_does_not(served):
    engine, client = served

    def refuse(*_args, **_kwargs):  # what the driver raises when the database is down
        raise engine.dialect.loaded_dbapi.OperationalError("database down")

    engine.dispose()
    event.listen(engine, "do_connect", refuse)
    try:
        response = client.get("/metrics")
    finally:
        event.remove(engine, "do_connect", refuse)
    assert response.status_code == 200
    assert samples(response.text)[("kt_database_up", ())] == 0


def test_several_server_processes_sum_their_rejections(new_database, start_server, tmp_path):
    """Server processes share nothing in memory: only the multiprocess folder (the systemd unit
    sets it for all ``serve --workers N`` workers) makes every scrape show every refusal,
    whichever process answers it. Two processes on two ports make that deterministic; which
    worker of one port takes a connection is up to the kernel."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    database = new_database("sqlite")
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder)}
    first, second = start_server(database, env=env), start_server(database, env=env)
    for url, refusals in ((first, 5), (second, 7)):
        with httpx.Client(base_url=url, timeout=20) as client:
            for _ in range(refusals):
                assert client.post(BATCHES_PATH, content=b"{}").status_code == 401
    for url in (first, second):
        page = samples(httpx.get(url + "/metrics", timeout=20).text)
        assert rejected(page, "batches", "unsigned") == 12
        assert page[("kt_database_up", ())] == 1
    assert len(list(folder.glob("counter_*.db"))) == 2  # one file per process
