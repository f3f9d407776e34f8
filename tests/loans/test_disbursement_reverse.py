"""A payout entered by mistake is undone through the loan's own service (issue 9: money only
through its own record): the mirror entry, the schedule removed, the loan ready again."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import journal_reverse
from funds.models import EntryKind, JournalEntry
from funds.selectors import balances_by_key, ledger_is_consistent
from loans.exceptions import LoanRuleError
from loans.models import Instalment, Loan
from loans.services import money
from tests import factories

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 1, 20, 9, 0), tick=False) as traveller:
        yield traveller


def test_the_payout_is_reversed_and_the_loan_is_ready_again(lent, users, book):
    cash_before = balances_by_key(book=book)["cash"]
    station = users[Role.TOWNSHIP_STATION]
    mirror = money.loan_disbursement_reverse(
        loan=lent, by=station, reason="发放对象录错", on=D(2026, 1, 16)
    )
    loan = Loan.objects.get(pk=lent.pk)
    assert (loan.status, loan.disbursed_on, loan.principal_outstanding) == ("ready", None, 0)
    assert not Instalment.objects.filter(loan=loan).exists()
    payout = JournalEntry.objects.get(kind=EntryKind.DISBURSEMENT, source_id=loan.pk)
    assert mirror.reverses == payout and mirror.kind == EntryKind.REVERSAL
    balances = balances_by_key(book=book)
    assert balances["cash"] == cash_before + Decimal("10000")
    assert balances["loans_receivable"] == 0 and ledger_is_consistent(book=book)
    assert loan.transitions.order_by("-pk").first().reason == "发放对象录错"
    # Ready again: the station can pay it out (to the right household, say) once more.
    again = money.loan_disburse(loan=loan, by=station, on=D(2026, 1, 20))
    assert again.status == "disbursed" and Instalment.objects.filter(loan=loan).exists()


def test_refused_after_a_repayment_without_a_reason_before_the_payout_and_twice(
    lent, users, _today
):
    station, clerk = users[Role.TOWNSHIP_STATION], users[Role.VILLAGE_CLERK]
    for reason, on, code in (
        ("", D(2026, 1, 16), "reason"),
        ("录错", D(2026, 1, 14), "reverse_date"),
    ):
        with pytest.raises(LoanRuleError) as refused:
            money.loan_disbursement_reverse(loan=lent, by=station, reason=reason, on=on)
        assert refused.value.code == code
    money.repayment_record(
        loan=lent, amount=Decimal("100"), paid_on=D(2026, 1, 18), by=clerk, token="t1"
    )
    with pytest.raises(LoanRuleError) as refused:
        money.loan_disbursement_reverse(loan=lent, by=station, reason="录错", on=D(2026, 1, 19))
    assert refused.value.code == "not_disbursed"
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 0


def test_only_the_station_of_the_loans_township_reverses(world, lent, users):
    other_station = world.outside.users[Role.TOWNSHIP_STATION]
    two_roles = factories.role_assign_extra(
        world.outside.users[Role.TOWNSHIP_COMMITTEE], Role.TOWNSHIP_STATION, world.outside.township
    )
    for who in (users[Role.VILLAGE_CLERK], users[Role.VILLAGE_BOARD], other_station, two_roles):
        with pytest.raises(LoanRuleError):
            money.loan_disbursement_reverse(loan=lent, by=who, reason="录错", on=D(2026, 1, 16))
    assert Loan.objects.get(pk=lent.pk).status == "disbursed"


def test_the_generic_reversal_points_at_the_loan(lent, users):
    payout = JournalEntry.objects.get(kind=EntryKind.DISBURSEMENT, source_id=lent.pk)
    with pytest.raises(FundsRuleError) as refused:
        journal_reverse(
            entry=payout, by=users[Role.VILLAGE_BOARD], reason="录错", date=D(2026, 1, 16)
        )
    assert refused.value.code == "belongs_to_record"


def test_the_station_confirms_on_the_loan_page(client, lent, users):
    url = reverse("loans:loan_action_confirm", args=[lent.pk, "disbursement_reverse"])
    client.force_login(users[Role.VILLAGE_CLERK])
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("loans:loan_detail", args=[lent.pk])).content.decode()
    client.force_login(users[Role.TOWNSHIP_STATION])
    assert url in client.get(reverse("loans:loan_detail", args=[lent.pk])).content.decode()
    assert "10,000.00" in client.get(url).content.decode()  # the consequence, in words
    response = client.post(url, {"on": "2026-01-16", "reason": "发放对象录错"}, follow=True)
    assert Loan.objects.get(pk=lent.pk).status == "ready"
    assert "已撤销发放" in response.content.decode()
    # Sent twice (Back, then again): refused with a message, nothing written twice.
    client.post(url, {"on": "2026-01-16", "reason": "发放对象录错"})
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1
