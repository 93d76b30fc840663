"""Database settings, from the environment only.

In the cluster a Kubernetes Secret populates PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD (the
names libpq itself reads). Nothing here has a default credential: a missing variable stops the
process at start with the names it lacks, rather than connecting as someone unintended.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from psycopg.conninfo import make_conninfo

REQUIRED = ("PGHOST", "PGDATABASE", "PGUSER", "PGPASSWORD")


class SettingsError(RuntimeError):
    """The environment does not say how to reach the database."""


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    dbname: str
    user: str
    # Kept out of repr() so a logged Settings never shows it.
    password: str = field(repr=False)
    # libpq's own variable, passed through when set (e.g. "require" or "verify-full").
    sslmode: str | None = None
    # Migrate at start (one replica at a time: migrate.py takes an advisory lock). Set it to false
    # when an init container runs `python -m app.migrate` instead.
    migrate_on_start: bool = True
    pool_max_size: int = 5

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        missing = [name for name in REQUIRED if not env.get(name)]
        if missing:
            raise SettingsError("database settings missing from the environment: " + ", ".join(missing))
        try:
            port = int(env.get("PGPORT", "5432"))
            pool_max_size = int(env.get("SHOP_DB_POOL_MAX", "5"))
        except ValueError as err:
            raise SettingsError(f"PGPORT and SHOP_DB_POOL_MAX must be integers: {err}") from None
        return cls(
            host=env["PGHOST"],
            port=port,
            dbname=env["PGDATABASE"],
            user=env["PGUSER"],
            password=env["PGPASSWORD"],
            sslmode=env.get("PGSSLMODE") or None,
            migrate_on_start=_flag(env.get("SHOP_MIGRATE_ON_START", "true"), "SHOP_MIGRATE_ON_START"),
            pool_max_size=pool_max_size,
        )

    def conninfo(self) -> str:
        """A libpq connection string; connect_timeout bounds how long /readyz can hang on a dead host."""
        extra = {"sslmode": self.sslmode} if self.sslmode else {}
        return make_conninfo(
            host=self.host,
            port=self.port,
            dbname=self.dbname,
            user=self.user,
            password=self.password,
            application_name="shop-backend",
            connect_timeout=3,
            **extra,
        )
