"""Two real server processes ingest the same batches into one database at the same time.

Each batch goes to both processes at once, and neighbouring batches share records, so both
the batch-row race and the record-id race happen. Nothing may be stored twice, no request may
fail, and both processes must give the same answer for the same batch.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from sync.protocol import canonical_json
from sync.server.db.tables import batches, record_themes, records

BATCHES = 24
RECORDS_PER_BATCH = 60
SHARED = 20  # records each batch repeats from the one before


def test_two_processes_same_batches_no_duplicates(
    db_url, engine, kiosk, make_record, signed, start_server
):
    servers = [start_server(db_url), start_server(db_url)]
    previous: list[dict] = []
    bodies = []
    for _ in range(BATCHES):
        shared = previous[-SHARED:]
        fresh = [
            make_record(kiosk.kiosk_id, "themes", theme_ids=["liikenne"])
            for _ in range(RECORDS_PER_BATCH - len(shared))
        ]
        recs = shared + fresh
        bodies.append(canonical_json({"batch_id": str(uuid.uuid4()), "records": recs}))
        previous = recs
    unique_ids = {
        r["id"] for body in bodies for r in httpx.Response(200, content=body).json()["records"]
    }

    def send(job: tuple[int, bytes]) -> tuple[bytes, int, dict]:
        server, body = job
        headers = signed(kiosk, "POST", "/api/v1/batches", body)
        with httpx.Client(base_url=servers[server], timeout=60) as client:
            response = client.post("/api/v1/batches", content=body, headers=headers)
        return body, response.status_code, response.json()

    # Every batch twice, once to each process, interleaved so the pairs overlap in time.
    jobs = [(n % 2, body) for body in bodies for n in range(2)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(send, jobs))

    assert {status for _, status, _ in results} == {201}, results
    refused = httpx.post(servers[0] + "/api/v1/batches", content=bodies[0], timeout=30)
    assert refused.status_code == 401 and len(refused.headers.get_list("date")) == 1
    answers: dict[bytes, list[dict]] = {}
    for body, _, answer in results:
        answers.setdefault(body, []).append(answer)
    assert all(a == b for a, b in answers.values())
    assert sum(a[0]["accepted"] for a in answers.values()) == len(unique_ids)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(records)).scalar_one() == len(
            unique_ids
        )
        assert conn.execute(select(func.count()).select_from(batches)).scalar_one() == BATCHES
        assert conn.execute(select(func.count()).select_from(record_themes)).scalar_one() == len(
            unique_ids
        )
