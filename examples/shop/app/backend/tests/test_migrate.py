"""Migrations: applied in order, once, atomically; a second run (or a second replica) changes nothing."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from app.migrate import MIGRATIONS_DIR, MigrationError, available, migrate

BACKEND = Path(__file__).resolve().parents[1]


def recorded(settings):
    with psycopg.connect(settings.conninfo()) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def test_applying_twice_applies_once_and_keeps_the_data(fresh_db):
    every = [m.version for m in available()]
    assert migrate(fresh_db.conninfo()) == every
    with psycopg.connect(fresh_db.conninfo()) as conn:
        conn.execute("INSERT INTO products (name, price) VALUES ('kept', 1)")
    assert migrate(fresh_db.conninfo()) == []
    assert recorded(fresh_db) == every
    with psycopg.connect(fresh_db.conninfo()) as conn:
        assert conn.execute("SELECT name FROM products").fetchall() == [("kept",)]


def test_replicas_starting_together_apply_each_file_once(fresh_db):
    results, errors = [], []

    def run():
        try:
            results.append(migrate(fresh_db.conninfo()))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 0, 0, len(available())]


def test_an_applied_file_whose_content_changed_is_refused(fresh_db):
    migrate(fresh_db.conninfo())
    with psycopg.connect(fresh_db.conninfo()) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = '0001_products.sql'")
    with pytest.raises(MigrationError, match="different content"):
        migrate(fresh_db.conninfo())


def test_a_newer_schema_is_logged_not_refused(fresh_db, caplog):
    migrate(fresh_db.conninfo())
    with psycopg.connect(fresh_db.conninfo()) as conn:
        conn.execute("INSERT INTO schema_migrations (version, checksum) VALUES ('9999_from_a_newer_image.sql', 'x')")
    with caplog.at_level(logging.WARNING, logger="shop.migrate"):
        assert migrate(fresh_db.conninfo()) == []
    assert "9999_from_a_newer_image.sql" in caplog.text


def test_a_failing_file_leaves_nothing_behind(fresh_db, tmp_path):
    (tmp_path / "0001_products.sql").write_text((MIGRATIONS_DIR / "0001_products.sql").read_text())
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE half_done (id int);\nSELECT no_such_function();\n")
    with pytest.raises(psycopg.errors.UndefinedFunction):
        migrate(fresh_db.conninfo(), tmp_path)
    assert recorded(fresh_db) == ["0001_products.sql"]
    with psycopg.connect(fresh_db.conninfo()) as conn:
        assert conn.execute("SELECT to_regclass('half_done')").fetchone() == (None,)


@pytest.mark.parametrize("name", ["1_short.sql", "0002-dash.sql", "0002_Upper.sql"])
def test_a_badly_named_file_is_refused(tmp_path, name):
    (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_words.sql"):
        available(tmp_path)


def test_the_init_container_command(fresh_db):
    env = {**os.environ, "PGDATABASE": fresh_db.dbname}
    run = subprocess.run([sys.executable, "-m", "app.migrate"], cwd=BACKEND, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "applied migration 0001_products.sql" in run.stderr
    again = subprocess.run([sys.executable, "-m", "app.migrate"], cwd=BACKEND, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "0 applied now" in again.stderr


def test_the_init_container_command_without_a_password_says_so():
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    run = subprocess.run([sys.executable, "-m", "app.migrate"], cwd=BACKEND, env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert "missing from the environment: PGPASSWORD" in run.stderr
