"""Every run of a scheduled job is recorded; the jobs page shows the last runs and failures to
the township station, the county office and the admin, and runs a failed run again."""

import datetime

import pytest
from django.urls import reverse

from jobs.models import JobRun, RunStatus
from jobs.runs import JOBS, job_run, scheduled_job

D = datetime.date
calls: list[datetime.date] = []


@pytest.fixture
def flaky():
    """A job that fails once, then works."""
    calls.clear()

    @scheduled_job("test.flaky")
    def run(day: datetime.date) -> dict[str, int]:
        calls.append(day)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return {"done": 1}

    yield run
    JOBS.pop("test.flaky")


def test_a_failure_is_recorded_with_its_error(db, flaky):
    run = job_run(job="test.flaky", business_date=D(2026, 5, 2))
    assert run.status == RunStatus.FAILED and "the database went away" in run.error
    assert run.finished_at is not None and run.counts == {}


def test_the_station_sees_failures_and_runs_one_again(
    client, world, flaky, django_capture_on_commit_callbacks
):
    failed = job_run(job="test.flaky", business_date=D(2026, 5, 2))
    station = world.inside.users["township_station"]
    client.force_login(station)
    page = client.get(reverse("jobs:job_list")).content.decode()
    assert "test.flaky" in page and "the database went away" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:job_list"), {"run": failed.pk})
    assert response.status_code == 302
    again = JobRun.objects.get(rerun_of=failed)
    assert again.status == RunStatus.SUCCEEDED and again.business_date == D(2026, 5, 2)
    assert again.started_by == station and calls == [D(2026, 5, 2), D(2026, 5, 2)]
    # It is not a failure any more, and a second "run again" is refused.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:job_list"), {"run": failed.pk})
    assert JobRun.objects.filter(rerun_of=failed).count() == 1


@pytest.mark.parametrize("role", ["village_clerk", "township_committee", "auditor", "member"])
def test_other_roles_get_nothing(client, world, role):
    client.force_login(world.inside.users[role])
    assert client.get(reverse("jobs:job_list")).status_code == 404
