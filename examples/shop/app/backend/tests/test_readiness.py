"""/readyz tells a database that is down or not yet migrated from one that serves; /healthz does not."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from app.main import create_app
from app.migrate import migrate


def test_readyz_fails_and_the_api_answers_503_when_the_database_is_down(settings, closed_port):
    down = dataclasses.replace(settings, port=closed_port, migrate_on_start=False)
    with TestClient(create_app(down)) as client:
        # Liveness stays up: restarting the process would not bring the database back.
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "detail": "database unreachable"}
        listed = client.get("/api/products")
        assert listed.status_code == 503
        assert listed.json() == {"detail": "database unavailable"}


def test_readyz_waits_for_the_schema_when_an_init_container_migrates(fresh_db):
    with TestClient(create_app(dataclasses.replace(fresh_db, migrate_on_start=False))) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "not applied" in response.json()["detail"]
        migrate(fresh_db.conninfo())
        assert client.get("/readyz").status_code == 200
