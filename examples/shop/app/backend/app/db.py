"""The connection pool, and the one error the API maps to 503: the database is unreachable."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from .settings import Settings

# What a request waits for a connection before it answers 503 instead of hanging.
CHECKOUT_TIMEOUT = 3.0

# Errors that mean "the database is not there", as opposed to a bug in a query.
UNAVAILABLE = (PoolTimeout, psycopg.OperationalError)


def make_pool(settings: Settings) -> ConnectionPool:
    # Opened without waiting: the process starts (and /healthz answers) while the database is
    # still coming up; /readyz reports whether it is reachable. check= replaces a connection the
    # server has dropped (a database restart) before handing it out, instead of failing a request.
    pool = ConnectionPool(
        settings.conninfo(),
        min_size=1,
        max_size=settings.pool_max_size,
        # Autocommit: every endpoint is one statement, committed before its response is built
        # (a dependency's exit can run after the response is sent, too late to commit in).
        kwargs={"row_factory": dict_row, "autocommit": True},
        check=ConnectionPool.check_connection,
        timeout=CHECKOUT_TIMEOUT,
        name="shop",
        open=False,
    )
    pool.open(wait=False)
    return pool
