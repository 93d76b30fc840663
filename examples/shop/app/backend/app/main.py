"""The HTTP API.

    uvicorn --factory app.main:create_app

GET  /api/products          the catalogue, oldest first (limit/offset)
POST /api/products          add one: {"name": "...", "price": "12.50"} -> 201 with the product
GET  /api/products/{id}     one product, or 404
GET  /healthz               the process answers (liveness: never touches the database)
GET  /readyz                the database answers and has this code's schema (readiness)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import psycopg
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from psycopg import Connection
from psycopg_pool import ConnectionPool

from . import migrate
from .db import CHECKOUT_TIMEOUT, UNAVAILABLE, make_pool
from .models import Product, ProductIn
from .settings import Settings

log = logging.getLogger("shop.api")

# bigint's range: a larger id in the path is a 422 from validation, not a 500 from PostgreSQL.
ProductId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def connection(request: Request) -> Iterator[Connection]:
    """A pooled connection for one request.

    It and Db live at module level: with postponed annotations (the __future__ import), FastAPI
    resolves an endpoint's annotations in the module's namespace, where a local name is unknown.
    """
    pool: ConnectionPool = request.app.state.pool
    with pool.connection(timeout=CHECKOUT_TIMEOUT) as conn:
        yield conn


Db = Annotated[Connection, Depends(connection)]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # Ready means: the database answers AND holds the schema this code was written for.
    expected_schema = migrate.latest()
    if expected_schema is None:
        raise RuntimeError(f"no migrations found in {migrate.MIGRATIONS_DIR}")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.migrate_on_start:
            migrate.migrate(settings.conninfo())
        app.state.pool = make_pool(settings)
        try:
            yield
        finally:
            app.state.pool.close()

    app = FastAPI(title="shop", lifespan=lifespan, docs_url=None, redoc_url=None)

    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return JSONResponse({"detail": "database unavailable"}, status_code=503)

    for error in UNAVAILABLE:
        app.add_exception_handler(error, database_unavailable)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        try:
            with request.app.state.pool.connection(timeout=CHECKOUT_TIMEOUT) as conn:
                applied = conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = %s)", (expected_schema,)
                ).fetchone()["exists"]
        except psycopg.errors.UndefinedTable:
            applied = False
        except UNAVAILABLE as err:
            log.warning("not ready: %s", err)
            return JSONResponse({"status": "unavailable", "detail": "database unreachable"}, status_code=503)
        if not applied:
            # Reachable but not migrated yet (the init container, or another replica, is at it).
            return JSONResponse({"status": "unavailable", "detail": f"migration {expected_schema} not applied"}, status_code=503)
        return JSONResponse({"status": "ok", "schema": expected_schema})

    @app.get("/api/products", response_model=list[Product])
    def list_products(
        db: Db,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ):
        return db.execute(
            "SELECT id, name, price, created_at FROM products ORDER BY id LIMIT %s OFFSET %s",
            (limit, offset),
        ).fetchall()

    @app.post("/api/products", response_model=Product, status_code=201)
    def create_product(product: ProductIn, db: Db):
        return db.execute(
            "INSERT INTO products (name, price) VALUES (%s, %s) RETURNING id, name, price, created_at",
            (product.name, product.price),
        ).fetchone()

    @app.get("/api/products/{product_id}", response_model=Product)
    def read_product(product_id: ProductId, db: Db):
        found = db.execute(
            "SELECT id, name, price, created_at FROM products WHERE id = %s", (product_id,)
        ).fetchone()
        if found is None:
            raise HTTPException(status_code=404, detail="product not found")
        return found

    return app
