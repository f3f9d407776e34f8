"""Production connection settings (issue 14): persistent connections checked before reuse,
PostgreSQL's JIT off (it compiled the dashboards' queries for longer than they ran), and the
planner costing random reads as on SSD (it scanned every loan of the province for one county)."""

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


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.skipif("DATABASE_RANDOM_PAGE_COST" in os.environ, reason="set in the environment")
def test_random_reads_cost_as_on_ssd() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1


def test_a_random_page_cost_that_is_no_number_stops_the_start() -> None:
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": "postgres://u@127.0.0.1:1/x",
        "DATABASE_RANDOM_PAGE_COST": "fast",
    }
    run = subprocess.run(
        [sys.executable, "-c", "import mutualaid.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0 and "DATABASE_RANDOM_PAGE_COST='fast' is not a number" in run.stderr
