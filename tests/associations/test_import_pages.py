"""The import page: upload, dry-run preview listing every bad row, confirm."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.models import Member
from associations.services.member_import import HEADERS
from tests import factories
from tests.xlsx import read, workbook

pytestmark = pytest.mark.django_db
URL = reverse("associations:member_import")


def _file(rows):
    content = workbook(list(HEADERS.values()), rows)
    return SimpleUploadedFile("roster.xlsx", content)


def _row(number, name="孙七"):
    return [name, number, "", "一组", 3, 1, "一般户", "否", "否", datetime.date(2023, 1, 5), 100]


@pytest.fixture
def clerk_client(client, world):
    factories.village_group(world.inside.association, "一组")
    client.force_login(world.inside.users["village_clerk"])
    return client


def test_bad_rows_are_listed_and_nothing_is_written(clerk_client):
    rows = [_row(factories.id_number(1)), _row("110105194912310029", name="坏行")]
    response = clerk_client.post(URL, {"action": "preview", "file": _file(rows)})
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["errors"][0].line == 3
    assert "校验位错误" in body
    assert "token" not in response.context
    assert not Member.objects.exists()


def test_good_file_previews_then_confirms(clerk_client, world):
    rows = [_row(factories.id_number(1)), _row(factories.id_number(2), name="周八")]
    preview = clerk_client.post(URL, {"action": "preview", "file": _file(rows)})
    assert preview.context["good_count"] == 2
    assert not Member.objects.exists()
    token = preview.context["token"]
    done = clerk_client.post(URL, {"action": "confirm", "token": token})
    assert done.status_code == 302
    assert sorted(Member.objects.values_list("name", flat=True)) == ["周八", "孙七"]
    # The same upload cannot be confirmed twice.
    again = clerk_client.post(URL, {"action": "confirm", "token": token})
    assert again.status_code == 200
    assert Member.objects.count() == 2


def test_another_users_upload_cannot_be_confirmed(clerk_client, client, world):
    preview = clerk_client.post(
        URL, {"action": "preview", "file": _file([_row(factories.id_number(3))])}
    )
    token = preview.context["token"]
    from django.test import Client

    other = Client()
    other.force_login(world.outside.users["village_clerk"])
    other.post(URL, {"action": "confirm", "token": token})
    assert not Member.objects.exists()


def test_not_an_excel_file_is_refused_politely(clerk_client):
    upload = SimpleUploadedFile("roster.xlsx", b"not a workbook")
    response = clerk_client.post(URL, {"action": "preview", "file": upload})
    assert response.status_code == 200
    assert "无法按 Excel 工作簿读取该文件" in response.content.decode()


def test_template_and_export_downloads(clerk_client, world):
    template = clerk_client.get(reverse("associations:member_template"))
    assert read(template.content) == [list(HEADERS.values())]
    member = factories.member(world.inside.association, name="吴九")
    factories.member(world.outside.association, name="郑十")
    exported = read(clerk_client.get(reverse("associations:member_export")).content)
    assert [row[0] for row in exported[1:]] == ["吴九"]
    assert exported[1][1] == member.masked_id_number
