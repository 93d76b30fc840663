"""Settings come from the environment only, with no credential defaults."""

from __future__ import annotations

import pytest

from app.settings import Settings, SettingsError

FULL = {"PGHOST": "db", "PGDATABASE": "shop", "PGUSER": "shop", "PGPASSWORD": "s3cret"}


def test_every_missing_variable_is_named():
    with pytest.raises(SettingsError, match="PGHOST, PGDATABASE, PGUSER, PGPASSWORD"):
        Settings.from_env({})


def test_an_empty_password_counts_as_missing():
    with pytest.raises(SettingsError, match="PGPASSWORD"):
        Settings.from_env({**FULL, "PGPASSWORD": ""})


def test_defaults_are_the_port_and_migrating_at_start():
    s = Settings.from_env(FULL)
    assert (s.port, s.migrate_on_start, s.sslmode) == (5432, True, None)


def test_the_password_stays_out_of_repr():
    assert "s3cret" not in repr(Settings.from_env(FULL))


def test_sslmode_and_the_init_container_switch_are_read():
    s = Settings.from_env({**FULL, "PGSSLMODE": "verify-full", "SHOP_MIGRATE_ON_START": "false", "PGPORT": "6543"})
    assert (s.sslmode, s.migrate_on_start, s.port) == ("verify-full", False, 6543)
    assert "sslmode=verify-full" in s.conninfo()


@pytest.mark.parametrize("env", [{"PGPORT": "x"}, {"SHOP_MIGRATE_ON_START": "maybe"}])
def test_malformed_values_are_refused(env):
    with pytest.raises(SettingsError):
        Settings.from_env({**FULL, **env})
