"""Fixtures over the real PostgreSQL that examples/shop/app/test.sh starts.

test.sh exports PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD for a role that may create
databases: the API tests share PGDATABASE (emptied before each test), each migration test gets a
database of its own.
"""

from __future__ import annotations

import dataclasses
import socket
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import REQUIRED, Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    import os

    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        pytest.fail(
            "these tests need a PostgreSQL: run examples/shop/app/test.sh, which starts one "
            f"(missing: {', '.join(missing)})",
            pytrace=False,
        )
    return Settings.from_env()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # Entering the client runs the lifespan: migrations (idempotent), then the pool.
    with TestClient(create_app(settings)) as client:
        with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
            conn.execute("TRUNCATE products RESTART IDENTITY")
        yield client


@pytest.fixture
def fresh_db(settings: Settings) -> Iterator[Settings]:
    """An empty database of its own, dropped afterwards."""
    name = f"shop_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dataclasses.replace(settings, dbname=name)
    finally:
        with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: a database that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
