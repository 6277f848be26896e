"""App assembly: resource routers, error mapping, health, and the OpenAPI document."""

from __future__ import annotations

import importlib.metadata

from fastapi.testclient import TestClient

from sync.server import errors
from sync.server.app import ERROR_STATUS, create_app, status_for
from sync.server.settings import Settings
from sync.version import release


def test_every_domain_error_has_a_status():
    for cls in vars(errors).values():
        if (
            isinstance(cls, type)
            and issubclass(cls, errors.DomainError)
            and cls is not errors.DomainError
        ):
            assert cls in ERROR_STATUS

    class Custom(errors.NotFound):
        pass

    assert status_for(Custom("x")) == 404


def test_health_and_openapi(client, engine):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": engine.dialect.name,
        "version": release(),
    }
    assert release() == importlib.metadata.version("kayttajatori") != "0+unknown"
    head = client.head("/healthz")  # `curl -I`, as the server guide checks it
    assert head.status_code == 200 and head.content == b""
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/batches", "/api/v1/kiosk-config", "/healthz"):
        assert path in spec["paths"]
    batch = spec["paths"]["/api/v1/batches"]["post"]
    assert {"201", "400", "401", "409", "413", "422"} <= set(batch["responses"])
    assert "Date" in batch["responses"]["401"]["headers"]
    record = batch["requestBody"]["content"]["application/json"]["schema"]["properties"]["records"]
    assert "follow_up_token" in record["items"]["properties"]


def test_health_is_503_when_the_database_is_gone(tmp_path):
    settings = Settings.load(
        {"data_dir": str(tmp_path), "database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
        env={},
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
        head = client.head("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert head.status_code == 503


def test_every_resource_router_is_served(client):
    from sync.server.app import RESOURCES

    for module in RESOURCES:
        checked = 0
        for route in module.router.routes:
            path, methods = getattr(route, "path", ""), getattr(route, "methods", set())
            if "GET" in methods and "{" not in path:
                response = client.get(path, follow_redirects=False)
                assert response.status_code != 404, (module.__name__, path)
                checked += 1
