"""The committee approves a write-off knowing why the board proposed it: the approval's
confirmation page and the loan's page show the proposal (date and reason), and once approved
the loan's page shows the principal written off and the share charged to the risk reserve.
Found by the committee's browser journey (issue 13): neither page said why before."""

import datetime

import pytest
from django.urls import reverse

from associations.models import Role
from loans.services import money

pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))
REASON = "借款人外出务工失联"


def test_the_board_reason_is_shown_where_the_committee_decides(client, users, lent, _today):
    _today.move_to(datetime.datetime(2028, 2, 1, 10, 0))  # over 12 months past due
    detail = reverse("loans:loan_detail", args=[lent.pk])
    confirm = reverse("loans:loan_action_confirm", args=[lent.pk, "write_off_approve"])
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    assert 'id="write-off"' not in client.get(detail).content.decode()  # nothing proposed

    money.write_off_propose(
        loan=lent, by=users[Role.VILLAGE_BOARD], reason=REASON, on=datetime.date(2028, 2, 1)
    )
    page = client.get(confirm).content.decode()
    proposal = page[page.index('id="write-off-proposal"') :]
    assert "2028-02-01" in proposal and REASON in proposal
    page = client.get(detail).content.decode()
    section = page[page.index('id="write-off"') :]
    assert "核销提议" in section and REASON in section and "核销本金" not in section

    client.post(confirm)
    page = client.get(detail).content.decode()
    section = page[page.index('id="write-off"') :]
    # The whole 10,000 of principal; the risk reserve is empty, so none of it is charged there.
    assert REASON in section
    assert "核销本金</dt><dd>10,000.00" in section
    assert "冲减风险准备金</dt><dd>0.00" in section


def test_other_actions_show_no_write_off_proposal(client, users, lent):
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    confirm = reverse("loans:loan_action_confirm", args=[lent.pk, "write_off_approve"])
    assert client.get(confirm).status_code == 404  # approve waits for a proposal
    client.force_login(users[Role.VILLAGE_CLERK])
    page = client.get(reverse("loans:loan_action_confirm", args=[lent.pk, "extension_request"]))
    assert page.status_code == 200 and "write-off-proposal" not in page.content.decode()
