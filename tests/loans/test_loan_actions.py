"""Issue 13: one loan action at a time, each with only its fields, a confirmation page stating
the consequence, a specific message and a reason where the design wants one; extension
requests from the clerk decided by the committee from its inbox."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from associations.models import Role
from loans.exceptions import LoanRuleError
from loans.models import ExtensionRequest, Loan, WriteOff
from loans.services import applications, extensions, money
from tests.loans.conftest import apply_for

pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))
D = datetime.date
FIELDS = ("reason", "on", "into", "new_maturity", "amount")


def _confirm(loan, action):
    return reverse("loans:loan_action_confirm", args=[loan.pk, action])


def _fields(page: str) -> set[str]:
    return {name for name in FIELDS if re.search(rf'name="{name}"', page)}


@pytest.fixture
def reviewed(world, book, borrower, group, users, purposes):
    loan = apply_for(world, borrower, group, users, purposes, amount="8000")
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    return applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])


def test_each_action_page_has_only_its_fields_and_says_what_it_does(client, users, reviewed):
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    approve = client.get(_confirm(reviewed, "approve")).content.decode()
    assert _fields(approve) == set()
    assert "8,000" in approve and reviewed.member.name in approve
    assert "2026-01-18" in approve  # the 3-day public notice ends then
    reject = client.get(_confirm(reviewed, "reject")).content.decode()
    assert _fields(reject) == {"reason"}


def test_approving_needs_the_confirmation_and_says_what_was_done(client, users, reviewed):
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    response = client.post(_confirm(reviewed, "approve"), follow=True)
    reviewed.refresh_from_db()
    assert reviewed.status == "in_notice"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert reviewed.member.name in message and "8,000" in message
    assert message in response.content.decode() and "已完成" not in message


def test_a_rejection_without_a_reason_is_refused_and_keeps_the_status(client, users, reviewed):
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    page = client.post(_confirm(reviewed, "reject"), {"reason": " "})
    assert page.status_code == 200
    reviewed.refresh_from_db()
    assert reviewed.status == "board_reviewed"


def test_the_board_sends_an_application_back_with_a_reason(
    client, world, book, borrower, group, users, purposes
):
    loan = apply_for(world, borrower, group, users, purposes, amount="8000")
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    board = users[Role.VILLAGE_BOARD]
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_send_back(loan=loan, by=board, reason="")
    assert raised.value.code == "reason"
    client.force_login(board)
    assert _fields(client.get(_confirm(loan, "send_back")).content.decode()) == {"reason"}
    client.post(_confirm(loan, "send_back"), {"reason": "用途写清楚：买几头牛"})
    loan.refresh_from_db()
    assert loan.status == "draft"
    assert loan.transitions.last().reason == "用途写清楚：买几头牛"
    client.force_login(users[Role.VILLAGE_CLERK])
    assert client.get(reverse("loans:loan_draft_edit", args=[loan.pk])).status_code == 200


def test_disbursement_asks_the_date_and_account_only(client, users, reviewed):
    applications.loan_approve(loan=reviewed, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 1, 10))
    applications.notices_expire(today=D(2026, 1, 14))
    client.force_login(users[Role.TOWNSHIP_STATION])
    page = client.get(_confirm(reviewed, "disburse")).content.decode()
    assert _fields(page) == {"on", "into"}
    response = client.post(
        _confirm(reviewed, "disburse"), {"on": "2026-01-15", "into": "cash"}, follow=True
    )
    assert "2026-01-15" in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == "disbursed"


def test_the_clerk_requests_an_extension_and_the_committee_grants_it(client, users, lent):
    clerk, committee = users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_COMMITTEE]
    detail = reverse("loans:loan_detail", args=[lent.pk])
    client.force_login(committee)
    assert _confirm(lent, "extend") not in client.get(detail).content.decode()  # nothing asked
    client.force_login(clerk)
    assert _fields(client.get(_confirm(lent, "extension_request")).content.decode()) == {
        "new_maturity",
        "reason",
    }
    client.post(
        _confirm(lent, "extension_request"), {"new_maturity": "2027-07-15", "reason": "牛未出栏"}
    )
    request = ExtensionRequest.objects.get()
    assert request.status == "pending"
    assert _confirm(lent, "extension_request") not in client.get(detail).content.decode()
    client.force_login(committee)
    inbox = client.get(reverse("loans:inbox")).content.decode()
    section = inbox[inbox.index('id="extensions"') : inbox.index('id="write-offs"')]
    assert lent.member.name in section and "2027-07-15" in section
    page = client.get(_confirm(lent, "extend")).content.decode()
    assert "2027-01-15" in page and "2027-07-15" in page
    client.post(_confirm(lent, "extend"))
    request.refresh_from_db()
    lent.refresh_from_db()
    assert request.status == "granted" and request.decided_by == committee
    assert lent.extensions == 1
    assert lent.instalments.order_by("-number").first().due_on == D(2027, 7, 15)


def _page_of(user, loan):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(reverse("loans:loan_detail", args=[loan.pk])).content.decode()


def test_a_refusal_needs_a_reason_and_keeps_the_maturity(users, lent):
    clerk, committee = users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_COMMITTEE]
    request = extensions.extension_request(
        loan=lent, by=clerk, new_maturity=D(2027, 7, 15), reason="牛未出栏", on=D(2026, 1, 15)
    )
    with pytest.raises(LoanRuleError) as raised:
        extensions.extension_refuse(request=request, by=committee, reason="")
    assert raised.value.code == "reason"
    extensions.extension_refuse(request=request, by=committee, reason="已有逾期记录")
    request.refresh_from_db()
    assert request.status == "refused"
    lent.refresh_from_db()
    assert lent.extensions == 0
    assert "已有逾期记录" in _page_of(users[Role.VILLAGE_CLERK], lent)


@pytest.mark.parametrize(
    ("new_maturity", "code"),
    [(D(2026, 12, 1), "extension_not_later"), (D(2028, 6, 1), "extension_too_long")],
)
def test_a_request_the_committee_could_never_grant_is_not_sent(users, lent, new_maturity, code):
    with pytest.raises(LoanRuleError) as raised:
        extensions.extension_request(
            loan=lent,
            by=users[Role.VILLAGE_CLERK],
            new_maturity=new_maturity,
            reason="x",
            on=D(2026, 1, 15),
        )
    assert raised.value.code == code
    assert not ExtensionRequest.objects.exists()


def test_only_one_request_waits_and_only_the_committee_decides(users, lent):
    clerk = users[Role.VILLAGE_CLERK]
    request = extensions.extension_request(
        loan=lent, by=clerk, new_maturity=D(2027, 7, 15), reason="牛未出栏", on=D(2026, 1, 15)
    )
    with pytest.raises(LoanRuleError) as raised:
        extensions.extension_request(
            loan=lent, by=clerk, new_maturity=D(2027, 6, 15), reason="再次", on=D(2026, 1, 15)
        )
    assert raised.value.code == "pending"
    for role in (Role.VILLAGE_CLERK, Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION):
        with pytest.raises(LoanRuleError):
            extensions.extension_grant(request=request, by=users[role], on=D(2026, 1, 15))
    assert ExtensionRequest.objects.get().status == "pending"


def test_a_write_off_needs_a_reason_and_approve_waits_for_a_proposal(client, users, lent, _today):
    _today.move_to(datetime.datetime(2028, 2, 1, 10, 0))  # over 12 months past due
    committee = users[Role.TOWNSHIP_COMMITTEE]
    client.force_login(committee)
    detail = reverse("loans:loan_detail", args=[lent.pk])
    assert _confirm(lent, "write_off_approve") not in client.get(detail).content.decode()
    with pytest.raises(LoanRuleError) as raised:
        money.write_off_propose(
            loan=lent, by=users[Role.VILLAGE_BOARD], reason=" ", on=D(2028, 2, 1)
        )
    assert raised.value.code == "reason"
    money.write_off_propose(
        loan=lent, by=users[Role.VILLAGE_BOARD], reason="外出失联", on=D(2028, 2, 1)
    )
    inbox = client.get(reverse("loans:inbox")).content.decode()
    section = inbox[inbox.index('id="write-offs"') : inbox.index('id="notice"')]
    assert lent.member.name in section and "外出失联" in section
    assert _confirm(lent, "write_off_approve") in client.get(detail).content.decode()
    client.post(_confirm(lent, "write_off_approve"))
    assert WriteOff.objects.get().approved_by == committee
    assert Loan.objects.get(pk=lent.pk).status == "written_off"


def test_the_inbox_keeps_loans_in_notice_apart(client, users, reviewed):
    applications.loan_approve(loan=reviewed, by=users[Role.TOWNSHIP_COMMITTEE])
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    inbox = client.get(reverse("loans:inbox")).content.decode()
    decide = inbox[inbox.index('id="decide"') : inbox.index('id="extensions"')]
    notice = inbox[inbox.index('id="notice"') :]
    assert reviewed.member.name not in decide and reviewed.member.name in notice
