"""``GET /metrics``: the server's health in Prometheus text format, for dashboards and alerts.

What is stored is counted from the database at scrape time (a custom collector), so the numbers
are right however many server processes run and survive restarts: records and batches ingested
per kiosk, and per kiosk when it was last seen and how many records it said it still holds
(``X-Kiosk-Pending``). Rejected kiosk-API requests are not stored anywhere, so they are counted
in memory by reason; with ``PROMETHEUS_MULTIPROC_DIR`` set (the systemd unit does) every worker
writes its counts there and a scrape, whichever worker answers it, sums them all. Without it the
count is per process (right for one worker, an undercount with several).

Who may read it: a client whose address is in ``settings.metrics_allow`` (loopback by default),
or any client that sends ``Authorization: Bearer <settings.metrics_token>``; anyone else gets
401 (:mod:`sync.server.metrics_access`).

A caller may rely on: :func:`count_rejected` being cheap and safe from any thread;
:func:`install` (called by ``create_app``) counting every domain error on ``/api/`` paths by
reason; the scrape answering 200 with ``kt_database_up 0`` rather than failing when the database
does not answer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool

from sync.server import errors
from sync.server.db.engine import Engine
from sync.server.db.metrics import read_counts
from sync.server.metrics_access import MetricsAccess

__all__ = ["DatabaseCollector", "count_rejected", "install", "rejection_reason", "router"]

router = APIRouter(tags=["health"])

# Module level, so that in multiprocess mode every worker writes to its own file in the folder.
_REJECTED = Counter(
    "kt_rejected_requests",
    "Kiosk-API requests refused, by endpoint (batches, kiosk-config, enroll) and reason.",
    ["endpoint", "reason"],
    registry=None,
)

# Unauthorized covers several causes staff act on differently (a clock to fix, a kiosk to
# enrol, an attack); the message of sync.server.auth tells them apart.
_UNAUTHORIZED_REASONS = (
    ("missing ", "unsigned"),
    ("X-Kiosk-Timestamp must", "bad_timestamp"),
    ("unknown kiosk", "unknown_kiosk"),
    ("X-Kiosk-Timestamp is", "clock_skew"),
    ("X-Kiosk-Signature does not match", "bad_signature"),
)


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def count_rejected(endpoint: str, reason: str) -> None:
    _REJECTED.labels(endpoint=endpoint, reason=reason).inc()


def _endpoint(path: str) -> str:
    # /api/v1/<family>/... -> <family>; bounded by our routes, so the label set stays small.
    parts = path.split("/")
    return parts[3] if len(parts) > 3 and parts[3] else "other"


def rejection_reason(error: errors.DomainError) -> str:
    """A short label for a refused request: ``clock_skew``, ``invalid_input``, ..."""
    if isinstance(error, errors.Unauthorized):
        if "is disabled" in error.message:
            return "disabled_kiosk"
        for prefix, reason in _UNAUTHORIZED_REASONS:
            if error.message.startswith(prefix):
                return reason
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


class DatabaseCollector(Collector):
    """Counts from the server's tables, read at each scrape."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("kt_database_up", "1 when the database answered this scrape.")
        try:
            families = self._from_database()
        except errors.Unavailable:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_database(self) -> list[Metric]:
        ingested = CounterMetricFamily(
            "kt_records_ingested", "Records stored, by kiosk.", labels=["kiosk_id"]
        )
        batch_count = CounterMetricFamily(
            "kt_batches_ingested",
            "Batches stored, by kiosk and source (network or usb).",
            labels=["kiosk_id", "source"],
        )
        last_seen = GaugeMetricFamily(
            "kt_kiosk_last_seen_timestamp_seconds",
            "When the kiosk last made a correctly signed request (Unix time).",
            labels=["kiosk_id", "site"],
        )
        pending = GaugeMetricFamily(
            "kt_kiosk_pending_records",
            "Records the kiosk said it still holds unsent (X-Kiosk-Pending), at last contact.",
            labels=["kiosk_id", "site"],
        )
        enabled = GaugeMetricFamily(
            "kt_kiosk_enabled",
            "1 for an enrolled kiosk in use, 0 if disabled.",
            labels=["kiosk_id", "site"],
        )
        counts = read_counts(self.engine)
        for kiosk_id, count in counts.records_by_kiosk:
            ingested.add_metric([kiosk_id], count)
        for kiosk_id, source, count in counts.batches_by_kiosk_and_source:
            batch_count.add_metric([kiosk_id, source], count)
        for kiosk in counts.kiosks:
            labels = [kiosk.id, kiosk.site]
            enabled.add_metric(labels, 1 if kiosk.enabled else 0)
            if kiosk.last_seen_at is not None:
                last_seen.add_metric(labels, kiosk.last_seen_at.timestamp())
            if kiosk.reported_pending is not None:
                pending.add_metric(labels, kiosk.reported_pending)
        return [ingested, batch_count, last_seen, pending, enabled]


def _registry(engine: Engine) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(engine))
    if _multiprocess():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        # One process: its own counter is the whole truth (several workers: see the docstring).
        registry.register(_REJECTED)
    return registry


def install(app: FastAPI) -> None:
    """Build the scrape registry and count refused kiosk-API requests by reason."""
    app.state.metrics_registry = _registry(app.state.engine)
    app.state.metrics_access = MetricsAccess.from_settings(app.state.settings)
    original = app.exception_handlers.get(errors.DomainError)
    if original is None:
        return

    async def counting_handler(request: Request, exc: Exception):
        if request.url.path.startswith("/api/") and isinstance(exc, errors.DomainError):
            count_rejected(_endpoint(request.url.path), rejection_reason(exc))
        return await original(request, exc)  # type: ignore[misc]

    app.exception_handlers[errors.DomainError] = counting_handler


@router.get(
    "/metrics",
    summary="Prometheus metrics: ingest counts, rejections, per-kiosk last seen and pending",
    response_class=Response,
)
async def metrics(request: Request) -> Response:
    access: MetricsAccess = request.app.state.metrics_access
    if not access.allows(request):
        return Response(
            "metrics: send Authorization: Bearer <KT_METRICS_TOKEN> or scrape from an address "
            "in KT_METRICS_ALLOW\n",
            status_code=401,
            media_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = await run_in_threadpool(generate_latest, request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
