"""A first roster import names village groups (村民小组) the association does not have yet
(issue 13): the preview lists the groups it will create, confirming creates them with the
members in one transaction; a refused file creates none. An older file's contribution column is
not read (a contribution is received through the books)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.models import Member, VillageGroup
from associations.services.member_import import (
    HEADERS,
    MemberImportError,
    members_import,
    read_rows,
)
from funds.models import JournalEntry
from tests import factories
from tests.xlsx import workbook

pytestmark = pytest.mark.django_db
COLUMNS = list(HEADERS.values())
URL = reverse("associations:member_import")


def _row(number, name="孙七", group="一组"):
    return [name, number, "", group, 3, 1, "一般户", "否", "否", datetime.date(2023, 1, 5)]


def _run(world, rows, *, dry_run, columns=COLUMNS):
    return members_import(
        association=world.inside.association,
        rows=read_rows(workbook(columns, rows)),
        by=world.inside.users["village_clerk"],
        dry_run=dry_run,
    )


@pytest.fixture
def one_group(world):
    return factories.village_group(world.inside.association, "一组")


def test_the_check_lists_the_new_groups_and_writes_nothing(world, one_group):
    rows = [
        _row(factories.id_number(1)),
        _row(factories.id_number(2), name="周八", group="三组"),
        _row(factories.id_number(3), name="吴九", group="二组"),
        _row(factories.id_number(4), name="郑十", group="三组"),
    ]
    report = _run(world, rows, dry_run=True)
    assert report.new_groups == ["三组", "二组"]  # sorted, each once; 一组 exists
    assert len(report.good) == 4
    assert list(VillageGroup.objects.values_list("name", flat=True)) == ["一组"]
    assert not Member.objects.exists()


def test_confirming_creates_the_groups_with_the_members(world, one_group):
    clerk = world.inside.users["village_clerk"]
    rows = [
        _row(factories.id_number(1)),
        _row(factories.id_number(2), name="周八", group="三组"),
        _row(factories.id_number(3), name="郑十", group="三组"),
    ]
    report = _run(world, rows, dry_run=False)
    assert report.created == 3
    new = VillageGroup.objects.get(association=world.inside.association, name="三组")
    assert sorted(Member.objects.filter(village_group=new).values_list("name", flat=True)) == [
        "周八",
        "郑十",
    ]
    assert Member.objects.get(name="孙七").village_group == one_group
    assert new.history.get().history_user == clerk  # the group's history names the clerk


def test_a_refused_file_creates_no_group(world, one_group):
    rows = [
        _row(factories.id_number(1), group="五组"),
        _row("110105194912310029", name="坏行", group="六组"),
        _row(factories.id_number(2), name="长组名", group="组" * 31),
    ]
    with pytest.raises(MemberImportError) as raised:
        _run(world, rows, dry_run=False)
    messages = {e.line: e.message for e in raised.value.report.errors}
    assert sorted(messages) == [3, 4]
    assert "30" in messages[4]
    assert list(VillageGroup.objects.values_list("name", flat=True)) == ["一组"]
    assert not Member.objects.exists()


def test_a_first_import_with_no_group_at_all(world):
    rows = [_row(factories.id_number(1)), _row(factories.id_number(2), name="周八", group="二组")]
    report = _run(world, rows, dry_run=False)
    assert report.created == 2
    assert sorted(VillageGroup.objects.values_list("name", flat=True)) == ["一组", "二组"]


def test_the_page_previews_the_new_groups_then_creates_them(client, world, one_group):
    client.force_login(world.inside.users["village_clerk"])
    rows = [_row(factories.id_number(1)), _row(factories.id_number(2), name="周八", group="二组")]
    upload = SimpleUploadedFile("roster.xlsx", workbook(COLUMNS, rows))
    preview = client.post(URL, {"action": "preview", "file": upload})
    body = preview.content.decode()
    assert "确认导入时还将新建 1 个村民小组" in body and "<li>二组</li>" in body
    assert not VillageGroup.objects.filter(name="二组").exists()
    done = client.post(URL, {"action": "confirm", "token": preview.context["token"]})
    assert done.status_code == 302
    assert Member.objects.get(name="周八").village_group.name == "二组"


def test_an_older_files_contribution_column_is_not_read(client, world, one_group):
    client.force_login(world.inside.users["village_clerk"])
    columns = [*COLUMNS, "已交互助金（元）"]
    upload = SimpleUploadedFile(
        "roster.xlsx", workbook(columns, [[*_row(factories.id_number(1)), 500]])
    )
    preview = client.post(URL, {"action": "preview", "file": upload})
    assert "不读取“已交互助金（元）”列" in preview.content.decode()
    client.post(URL, {"action": "confirm", "token": preview.context["token"]})
    assert Member.objects.count() == 1
    assert not JournalEntry.objects.exists()  # no money enters the books through the roster


def test_a_large_import_lists_the_new_groups_on_its_job_page(
    client, world, one_group, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Over the large-import threshold (lowered here) the check runs as a task; the groups it
    found are kept with the job and listed on its page before the confirm."""
    from associations.models import ImportJob
    from associations.services import import_jobs

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(import_jobs, "LARGE_IMPORT_ROWS", 1)
    client.force_login(world.inside.users["village_clerk"])
    rows = [_row(factories.id_number(1)), _row(factories.id_number(2), name="周八", group="二组")]
    upload = SimpleUploadedFile("roster.xlsx", workbook(COLUMNS, rows))
    with django_capture_on_commit_callbacks(execute=True):
        preview = client.post(URL, {"action": "preview", "file": upload})
    job = ImportJob.objects.get()
    assert preview["Location"] == reverse("associations:import_job", args=[job.pk])
    assert job.notes["new_groups"] == ["二组"]
    page = client.get(preview["Location"]).content.decode()
    assert "确认导入时还将新建 1 个村民小组" in page and "<li>二组</li>" in page
    assert not VillageGroup.objects.filter(name="二组").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"action": "confirm", "token": job.pk})
    assert Member.objects.get(name="周八").village_group.name == "二组"
