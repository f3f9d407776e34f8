"""`/health/`: database, cache, storage, broker and Celery beat, open without a login."""

import asyncio
import datetime
import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from mutualaid.celery import app
from mutualaid.health import HEARTBEAT

# Committed rows: after a Playwright test in the same worker the checks may query from another
# thread (asgiref's executor), which sees only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_running_event_loop():
    """A Playwright browser test earlier in the same worker leaves its event loop marked as
    running in this thread (the sync API), and the health checks run through async_to_sync,
    which refuses to start in a thread with a running loop. Production answers in plain
    synchronous workers; here the mark is lifted for the test and put back after it."""
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    yield
    asyncio._set_running_loop(loop)


def _heartbeat(minutes_ago: int | None) -> None:
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=HEARTBEAT,
        defaults={
            "task": "mutualaid.health.heartbeat",
            "interval": every_minute,
            "last_run_at": None
            if minutes_ago is None
            else timezone.now() - datetime.timedelta(minutes=minutes_ago),
        },
    )


def _health(client):
    response = client.get(reverse("health"), {"format": "json"})
    return response.status_code, json.loads(response.content)


def test_all_checks_pass_for_an_anonymous_caller(client):
    _heartbeat(minutes_ago=1)
    status, checks = _health(client)
    assert status == 200
    assert set(checks.values()) == {"OK"}
    names = " ".join(checks)
    for check in ("Database", "Cache", "Storage", "Broker", "Beat"):
        assert check in names


def test_beat_silent_too_long_fails_the_endpoint(client):
    _heartbeat(minutes_ago=settings.HEALTH_BEAT_MAX_SILENCE_MINUTES + 20)
    status, checks = _health(client)
    assert status == 500
    assert checks["Beat()"].endswith(f"{settings.HEALTH_BEAT_MAX_SILENCE_MINUTES + 20} minutes ago")
    assert checks["Database(alias='default')"] == "OK"


@pytest.mark.parametrize("row", ["missing", "never_sent"])
def test_beat_that_never_ran_fails_the_endpoint(client, row):
    if row == "never_sent":
        _heartbeat(minutes_ago=None)
    status, checks = _health(client)
    assert status == 500
    assert "has not run yet" in checks["Beat()"]


def test_plain_text_answer_for_probes_and_never_cached(client):
    _heartbeat(minutes_ago=0)
    response = client.get(reverse("health"), HTTP_ACCEPT="text/plain")
    assert response.status_code == 200
    assert "Beat(): OK" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_health_is_exempt_from_the_https_redirect(client, settings):
    """Container probes call it over plain HTTP behind the proxy."""
    _heartbeat(minutes_ago=0)
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("health"), {"format": "json"}).status_code == 200
    assert client.get(reverse("account_login")).status_code == 301


def test_beat_sends_the_heartbeat_and_the_worker_knows_it():
    entry = settings.CELERY_BEAT_SCHEDULE[HEARTBEAT]
    assert entry["schedule"] <= 60
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
