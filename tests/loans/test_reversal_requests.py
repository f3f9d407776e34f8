"""The clerk asks the township station to reverse a repayment recorded by mistake (issue 10:
the station's queue of reversals requested); the station reverses it or refuses."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from associations.models import Role
from loans.exceptions import LoanRuleError
from loans.models import ReversalRequest
from loans.services import money
from loans.services.reversal_requests import reversal_request, reversal_request_refuse

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 15, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def repaid(lent, users):
    return money.repayment_record(
        loan=lent, amount=Decimal("300"), paid_on=D(2026, 3, 1), by=users[Role.VILLAGE_CLERK],
        token="wrong",
    )  # fmt: skip


def test_the_clerk_asks_and_the_stations_reversal_closes_the_request(repaid, users):
    clerk, station = users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_STATION]
    asked = reversal_request(repayment=repaid, by=clerk, reason="金额录错，应为 30 元")
    with pytest.raises(LoanRuleError) as twice:
        reversal_request(repayment=repaid, by=clerk, reason="再次申请")
    assert twice.value.code == "already_requested"
    money.repayment_reverse(
        repayment=repaid, by=station, reason="按会计申请冲正", on=D(2026, 3, 15)
    )
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == ("done", station)


def test_the_station_refuses_with_a_reason_and_the_clerk_may_ask_again(repaid, users):
    clerk, station = users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_STATION]
    asked = reversal_request(repayment=repaid, by=clerk, reason="录错")
    with pytest.raises(LoanRuleError):
        reversal_request_refuse(request=asked, by=station, reason="")
    refused = reversal_request_refuse(request=asked, by=station, reason="收据与现金一致")
    assert (refused.status, refused.refusal) == ("refused", "收据与现金一致")
    assert reversal_request(repayment=repaid, by=clerk, reason="再核对后仍有误").status == "pending"


def test_only_the_villages_clerk_asks_and_only_the_station_refuses(world, repaid, users):
    for who in (users[Role.VILLAGE_BOARD], world.outside.users[Role.VILLAGE_CLERK]):
        with pytest.raises(LoanRuleError):
            reversal_request(repayment=repaid, by=who, reason="录错")
    asked = reversal_request(repayment=repaid, by=users[Role.VILLAGE_CLERK], reason="录错")
    for who in (users[Role.VILLAGE_CLERK], world.outside.users[Role.TOWNSHIP_STATION]):
        with pytest.raises(LoanRuleError):
            reversal_request_refuse(request=asked, by=who, reason="不同意")
    assert ReversalRequest.objects.get().status == "pending"


def test_pages_the_clerks_button_and_the_stations_queue(client, lent, repaid, users):
    detail = reverse("loans:loan_detail", args=[lent.pk])
    client.force_login(users[Role.VILLAGE_CLERK])
    assert reverse("loans:reversal_request", args=[lent.pk]) in client.get(detail).content.decode()
    client.post(
        reverse("loans:reversal_request", args=[lent.pk]),
        {"repayment": repaid.pk, "reason": "金额录错"},
    )
    client.post(  # sent twice: one request
        reverse("loans:reversal_request", args=[lent.pk]),
        {"repayment": repaid.pk, "reason": "金额录错"},
    )
    assert ReversalRequest.objects.count() == 1
    client.force_login(users[Role.TOWNSHIP_STATION])
    home = client.get(reverse("home")).content.decode()
    assert "金额录错" in home and lent.member.name in home
    page = client.get(detail).content.decode()
    assert reverse("loans:reversal_refuse", args=[lent.pk]) in page and "金额录错" in page
