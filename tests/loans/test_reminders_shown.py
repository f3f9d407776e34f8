"""A clerk sees which reminders went out, on the loan page and the village dashboard: when,
to whom (name and masked phone), through which channel, delivered or not; one query for
however many reminders."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Role
from loans.models import Reminder
from loans.services.reminders import reminders_send

D = datetime.date


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 1, 15, 9, 0), tick=False):
        yield


@pytest.fixture
def reminded(lent, group):
    lent.member.mobile = "13812345678"
    lent.member.save(update_fields=["mobile"])
    reminders_send(today=D(2027, 1, 8))  # 7 days before, the borrower
    reminders_send(today=D(2027, 1, 22), since=D(2027, 1, 15))  # 1 and 7 days overdue
    Reminder.objects.filter(kind="overdue_7", member=lent.member).update(
        channel="sms", delivery="failed", answer='{"code": "isv.MOBILE_NUMBER_ILLEGAL"}'
    )
    return lent


def _page(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return page.content.decode(), [q["sql"] for q in queries if '"loans_reminder"' in q["sql"]]


def test_the_loan_page_lists_the_reminders(client, world, reminded):
    page, queries = _page(
        client,
        world.inside.users[Role.VILLAGE_CLERK],
        reverse("loans:loan_detail", args=[reminded.pk]),
    )
    assert Reminder.objects.filter(loan=reminded).count() >= 4  # leaders too
    assert len(queries) == 1
    assert "138****5678" in page and "13812345678" not in page
    assert "MOBILE_NUMBER_ILLEGAL" in page and "失败" in page and "已送达" in page
    assert "仅记录日志" in page and "短信" in page


def test_the_village_dashboard_lists_the_reminders(client, world, reminded):
    inside = world.inside
    page, queries = _page(
        client,
        inside.users[Role.VILLAGE_CLERK],
        reverse("reports:dashboard", args=[inside.village.code]),
    )
    assert len(queries) == 1
    assert "138****5678" in page and "13812345678" not in page
    assert reverse("loans:loan_detail", args=[reminded.pk]) in page
