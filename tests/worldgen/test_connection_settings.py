"""Production connection settings (issue 14): persistent connections checked before reuse, and
PostgreSQL's JIT off (it compiled the dashboards' queries for longer than they ran)."""

import os

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.skipif("CONN_MAX_AGE" in os.environ, reason="set in the environment")
def test_connections_persist_and_are_checked() -> None:
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_jit_is_off_unless_asked() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == ("on" if os.environ.get("DATABASE_JIT") == "1" else "off")
