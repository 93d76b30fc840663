"""Schema migrations: the SQL files of app/migrations, applied in name order, each once.

    python -m app.migrate      (what an init container runs; the app also runs it at start)

Each applied file is recorded in schema_migrations with its SHA-256, in the same transaction as
its statements, so a file is either wholly applied and recorded or not at all. Running again
applies only what is new; a recorded file whose content has since changed is an error (edit the
schema with a new file, never by rewriting an applied one); a recorded version this code lacks
(an older image meeting a newer schema) is only logged. A session advisory lock serialises
replicas starting together, so two never apply the same file.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# An arbitrary constant that names this lock among the database's advisory locks.
LOCK_KEY = 0x5350_4D49_4752  # "SPMIGR"

log = logging.getLogger("shop.migrate")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: str  # the file name: its order and its identity
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    files = sorted(p for p in directory.iterdir() if p.suffix == ".sql")
    bad = [p.name for p in files if not NAME.match(p.name)]
    if bad:
        raise MigrationError(f"migration files must be named NNNN_words.sql: {', '.join(bad)}")
    numbers = [NAME.match(p.name).group(1) for p in files]
    if len(set(numbers)) != len(numbers):
        raise MigrationError("two migration files share a number")
    return [Migration(p.name, p.read_text(encoding="utf-8")) for p in files]


def latest(directory: Path = MIGRATIONS_DIR) -> str | None:
    found = available(directory)
    return found[-1].version if found else None


def migrate(conninfo: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Applies what is pending; returns the versions applied now (empty when up to date)."""
    wanted = available(directory)
    applied_now: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version    text PRIMARY KEY,
                       checksum   text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now()
                   )"""
            )
            recorded = dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())
            unknown = sorted(set(recorded) - {m.version for m in wanted})
            if unknown:
                # An older image restarting mid-rollout (or rolled back) meets a newer schema. That is
                # expected: migrations are written to be backward compatible (expand, then contract
                # in a later release), so say it and go on rather than refuse to start.
                log.warning("the database has migrations this code does not know: %s", ", ".join(unknown))
            for m in wanted:
                if m.version in recorded:
                    if recorded[m.version] != m.checksum:
                        raise MigrationError(f"{m.version} was applied with different content; add a new file instead")
                    continue
                with conn.transaction():
                    # Bytes: psycopg's typing wants a literal or bytes for a query built from a file.
                    conn.execute(m.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)",
                        (m.version, m.checksum),
                    )
                log.info("applied migration %s", m.version)
                applied_now.append(m.version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return applied_now


def main() -> int:
    from .settings import Settings, SettingsError

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        applied = migrate(Settings.from_env().conninfo())
    except (SettingsError, MigrationError, psycopg.Error) as err:
        log.error("%s", err)
        return 1
    log.info("schema up to date (%d applied now)", len(applied))
    return 0


if __name__ == "__main__":
    sys.exit(main())
