"""Issue 9: a roster over 5,000 rows is checked and imported by a Celery task (eager in tests)
with its progress on the page; the uploaded file is kept with the import."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations import tasks
from associations.models import ImportJob, ImportState, Member
from associations.services.import_jobs import LARGE_IMPORT_ROWS
from associations.services.member_import import HEADERS
from tests import factories
from tests.xlsx import workbook

pytestmark = pytest.mark.django_db
URL = reverse("associations:member_import")


def _roster(count: int) -> SimpleUploadedFile:
    rows = [
        [f"社员{i}", factories.id_number(70000 + i), "", "一组", 3, 1, "一般户", "否", "否",
         datetime.date(2023, 1, 5), 100]
        for i in range(count)
    ]  # fmt: skip
    return SimpleUploadedFile("roster.xlsx", workbook(list(HEADERS.values()), rows))


@pytest.fixture
def clerk_client(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.village_group(world.inside.association, "一组")
    client.force_login(world.inside.users["village_clerk"])
    return client


def test_5001_rows_go_through_the_task_with_progress(
    clerk_client, world, monkeypatch, django_capture_on_commit_callbacks
):
    seen: list[int] = []
    real = tasks.members_import

    def spy(**kwargs):
        report = kwargs["progress"]

        def progress(done: int) -> None:
            seen.append(done)
            report(done)

        return real(**{**kwargs, "progress": progress})

    monkeypatch.setattr(tasks, "members_import", spy)
    rows = LARGE_IMPORT_ROWS + 1

    with django_capture_on_commit_callbacks(execute=True):
        preview = clerk_client.post(URL, {"action": "preview", "file": _roster(rows)})
    job = ImportJob.objects.get()
    assert preview.status_code == 302
    assert preview["Location"] == reverse("associations:import_job", args=[job.pk])
    assert (job.state, job.rows_total, job.rows_done, job.good_count) == (
        ImportState.CHECKED,
        rows,
        rows,
        rows,
    )
    assert seen[:2] == [500, 1000] and seen[-1] == 5000
    assert not Member.objects.exists()
    page = clerk_client.get(preview["Location"])
    assert "确认导入" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = clerk_client.post(URL, {"action": "confirm", "token": job.pk})
    assert done.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.created_count) == (ImportState.DONE, rows)
    assert Member.objects.count() == rows
    assert Member.history.filter(history_user=world.inside.users["village_clerk"]).count() == rows
    # The source file is kept with who, when and which association.
    assert job.file.storage.exists(job.file.name)
    assert (job.by, job.association) == (
        world.inside.users["village_clerk"],
        world.inside.association,
    )


def test_running_job_page_refreshes_itself_and_shows_progress(clerk_client, world):
    job = ImportJob.objects.create(
        association=world.inside.association,
        kind="members",
        by=world.inside.users["village_clerk"],
        file="imports/x.xlsx",
        state=ImportState.CHECKING,
        rows_total=8000,
        rows_done=2500,
    )
    body = clerk_client.get(reverse("associations:import_job", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh"' in body
    assert "2500" in body and 'max="8000"' in body


def test_small_file_is_checked_in_the_page_and_kept(clerk_client, world):
    response = clerk_client.post(URL, {"action": "preview", "file": _roster(3)})
    assert response.status_code == 200 and response.context["good_count"] == 3
    job = ImportJob.objects.get()
    assert job.state == ImportState.CHECKED and job.file.storage.exists(job.file.name)
