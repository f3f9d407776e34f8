import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from funds.selectors import balances_by_key
from loans.models import Loan, Repayment
from tests import factories

# The clock stands at 09:00 on disbursement day; tests move it with `_today.move_to`.
pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))


def _as(client, world, role):
    client.force_login(world.inside.users[role])


def _act(client, loan, action, **data):
    return client.post(
        reverse("loans:loan_action", args=[loan.pk]), {"action": action, **data}, follow=True
    )


def test_the_journey_through_the_pages(client, world, book, borrower, group, purposes, _today):
    _as(client, world, Role.VILLAGE_CLERK)
    picker = client.get(reverse("loans:loan_new"), {"q": borrower.pinyin_initials[:2]})
    assert borrower.name in picker.content.decode()
    page = client.get(reverse("loans:loan_new"), {"member": borrower.pk}).content.decode()
    assert "10000" in page  # the first-loan cap is shown beside the fields
    response = client.post(
        f"{reverse('loans:loan_new')}?member={borrower.pk}",
        {
            "amount": "8000",
            "term_months": "12",
            "purpose": purposes["livestock"].pk,
            "schedule_kind": "monthly",
            "guarantee_kind": "group",
            "group": group.pk,
            "idempotency_key": "draft-1",
        },
    )
    loan = Loan.objects.get()
    assert response.status_code == 302 and loan.status == "draft"
    _act(client, loan, "submit")
    _as(client, world, Role.VILLAGE_BOARD)
    _act(client, loan, "review")
    _as(client, world, Role.TOWNSHIP_COMMITTEE)
    inbox = client.get(reverse("loans:inbox")).content.decode()
    assert borrower.name in inbox
    _act(client, loan, "approve")
    loan.refresh_from_db()
    assert loan.status == "in_notice"
    _today.move_to(datetime.datetime(2026, 1, 19, 9, 0))
    from loans.services.applications import notices_expire

    notices_expire(today=datetime.date(2026, 1, 19))
    _as(client, world, Role.TOWNSHIP_STATION)
    _act(client, loan, "disburse", on="2026-01-19", into="cash")
    loan.refresh_from_db()
    assert loan.status == "disbursed" and loan.instalments.count() == 12
    _today.move_to(datetime.datetime(2026, 2, 19, 9, 0))
    _as(client, world, Role.VILLAGE_CLERK)
    form = client.get(reverse("loans:loan_repay", args=[loan.pk])).content.decode()
    # 8000 x 6 % x 31 / 365 = 40.767 -> 40.77 fee; 8000 / 12 = 666.666.. -> 666.67 due
    # (the last instalment takes the remainder, 666.63): 707.44 now.
    assert "707.44" in form
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form).group(1)
    data = {"amount": "707.44", "paid_on": "2026-02-19", "idempotency_key": key}
    client.post(reverse("loans:loan_repay", args=[loan.pk]), data)
    client.post(reverse("loans:loan_repay", args=[loan.pk]), data)  # pressed twice
    assert Repayment.objects.count() == 1
    assert balances_by_key(book=book)["loans_receivable"] == Decimal("7333.33")


def test_overpayment_shows_the_amount_owed_and_records_nothing(client, world, lent):
    _as(client, world, Role.VILLAGE_CLERK)
    response = client.post(
        reverse("loans:loan_repay", args=[lent.pk]),
        {"amount": "99999", "paid_on": "2026-01-15", "idempotency_key": "x1"},
    )
    assert "10000.00" in response.content.decode()
    assert not Repayment.objects.exists()


def test_a_clerk_cannot_approve_through_the_page(
    client, world, book, borrower, group, users, purposes
):
    from tests.loans.conftest import apply_for

    loan = apply_for(world, borrower, group, users, purposes)
    _as(client, world, Role.VILLAGE_CLERK)
    response = client.post(reverse("loans:loan_action", args=[loan.pk]), {"action": "approve"})
    assert response.status_code == 404
    loan.refresh_from_db()
    assert loan.status == "draft"


def test_a_member_household_sees_only_its_own_loans(client, world, lent):
    own = factories.scoped_member(world)  # the household linked to the `member` login
    assert lent.member != own
    client.force_login(world.inside.users[Role.MEMBER])
    assert lent.member.name not in client.get(reverse("loans:loan_list")).content.decode()
    assert client.get(reverse("loans:loan_detail", args=[lent.pk])).status_code == 404
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    assert client.get(reverse("loans:loan_detail", args=[lent.pk])).status_code == 200


def test_overdue_filter_uses_the_schedule(client, world, lent, _today):
    _as(client, world, Role.VILLAGE_CLERK)
    assert (
        lent.member.name
        not in client.get(reverse("loans:loan_list"), {"overdue": "1"}).content.decode()
    )
    _today.move_to(datetime.datetime(2027, 2, 1, 9, 0))  # the lump sum fell due 2027-01-15
    _as(client, world, Role.VILLAGE_CLERK)
    assert (
        lent.member.name
        in client.get(reverse("loans:loan_list"), {"overdue": "1"}).content.decode()
    )


def test_the_loan_page_offers_each_role_only_its_actions(
    client, world, book, borrower, group, users, purposes
):
    from tests.loans.conftest import apply_for

    loan = apply_for(world, borrower, group, users, purposes)
    url = reverse("loans:loan_detail", args=[loan.pk])
    _as(client, world, Role.VILLAGE_CLERK)
    clerk_page = client.get(url).content.decode()

    def confirm(action):
        return reverse("loans:loan_action_confirm", args=[loan.pk, action])

    assert confirm("submit") in clerk_page and confirm("approve") not in clerk_page
    assert client.get(confirm("approve")).status_code == 404
    _as(client, world, Role.AUDITOR)
    assert "/action/" not in client.get(url).content.decode()
    _as(client, world, Role.VILLAGE_CLERK)
    _act(client, loan, "withdraw", reason="农户自愿撤回")
    loan.refresh_from_db()
    assert loan.status == "withdrawn"


def test_inbox_shows_each_applications_checks_and_warnings(
    client, world, book, borrower, group, users, purposes
):
    from associations.services.members import other_loan_add
    from tests.loans.conftest import apply_for

    other_loan_add(
        member=borrower,
        kind="women_micro",
        lender="农商银行",
        amount=Decimal("30000"),
        due_on=datetime.date(2027, 1, 1),
        by=factories.clerk_of(borrower.association),
    )
    loan = apply_for(world, borrower, group, users, purposes)
    from loans.services import applications

    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    _as(client, world, Role.TOWNSHIP_COMMITTEE)
    body = client.get(reverse("loans:inbox")).content.decode()
    assert "符合全部规则" in body and "其他贴息贷款" in body
    from associations.models import Member

    Member.objects.filter(pk=borrower.pk).update(  # a household that left meanwhile
        status="exited",
        exited_on=datetime.date(2026, 1, 15),
        exit_reason="迁出",
        refund_amount=Decimal("0.00"),
    )
    assert "不是本协会的在册社员" in client.get(reverse("loans:inbox")).content.decode()


def test_a_personal_guarantor_is_searched_not_listed(client, world, book, borrower, purposes):
    guarantor = factories.member(world.inside.association, name="担保人乙")
    factories.member(world.inside.association, name="旁人丙")
    _as(client, world, Role.VILLAGE_CLERK)
    url = reverse("loans:loan_new")
    page = client.get(url, {"member": borrower.pk}).content.decode()
    assert "旁人丙" not in page  # no dropdown of the whole village
    found = client.get(url, {"member": borrower.pk, "gq": "担保人"}).content.decode()
    assert "担保人乙" in found and "旁人丙" not in found
    client.post(
        f"{url}?member={borrower.pk}",
        {
            "amount": "3000",
            "term_months": "12",
            "purpose": purposes["crops"].pk,
            "schedule_kind": "lump_sum",
            "guarantee_kind": "personal",
            "guarantor": guarantor.pk,
            "idempotency_key": "draft-2",
        },
    )
    assert Loan.objects.get().guarantor == guarantor


def test_the_group_page_shows_each_households_loan(
    client, world, lent, group, django_assert_max_num_queries
):
    _as(client, world, Role.TOWNSHIP_COMMITTEE)
    url = reverse("guarantees:group_detail", args=[group.pk])
    with django_assert_max_num_queries(12):
        body = client.get(url).content.decode()
    assert reverse("loans:loan_detail", args=[lent.pk]) in body and "已放款" in body
