"""`/health/`: is the database, the cache, the job broker, file storage and Celery beat alive?

Unauthenticated, for load balancers and the docker-compose health checks; it names each check
and says OK or what failed (JSON with `?format=json`, plain text with `?format=text`), and answers
500 when anything failed. Beat's liveness is read from its own bookkeeping: the scheduler stamps
`last_run_at` on the heartbeat entry each time it sends the job (every minute).
"""

import dataclasses
import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

HEARTBEAT = "mutualaid-heartbeat"  # the CELERY_BEAT_SCHEDULE entry


@shared_task(name="mutualaid.health.heartbeat")
def heartbeat() -> None:
    """Nothing to do: beat sending it is the signal (see Beat below)."""


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis, or the embedded spool folder)."""

    def run(self) -> None:
        from mutualaid.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=3)
        except Exception as error:  # kombu wraps transport errors in several kinds
            raise ServiceUnavailable("Broker unreachable") from error


@dataclasses.dataclass
class Beat(HealthCheck):
    """Celery beat sent its heartbeat recently.

    The database scheduler writes `last_run_at` back every few minutes, so the allowed
    silence (HEALTH_BEAT_MAX_SILENCE_MINUTES) is well above the one-minute interval.
    """

    async def run(self) -> None:
        from django_celery_beat.models import PeriodicTask

        # The async ORM runs the query on the request's own thread and connection.
        task = await PeriodicTask.objects.filter(name=HEARTBEAT).only("last_run_at").afirst()
        if task is None or task.last_run_at is None:
            raise ServiceUnavailable("Celery beat has not run yet")
        silence = timezone.now() - task.last_run_at
        allowed = datetime.timedelta(minutes=settings.HEALTH_BEAT_MAX_SILENCE_MINUTES)
        if silence > allowed:
            minutes = int(silence.total_seconds() // 60)
            raise ServiceUnavailable(f"Celery beat last ran {minutes} minutes ago")


class HealthView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        Broker,
        Beat,
    )

    async def dispatch(self, request, *args, **kwargs):
        response = await super().dispatch(request, *args, **kwargs)
        # The library's HTML status page carries its own inline styles.
        response._csp_update = {"style-src": ["'self'", "'unsafe-inline'"]}
        return response
