import datetime

import pytest
from django.core.management import call_command

from associations.models import Association
from funds.journal import book_for_association
from funds.selectors import balances_by_key
from loans.models import Loan
from loans.selectors import loans as loan_selectors


@pytest.mark.django_db
def test_demo_loans_load_once_and_match_the_ledger():
    call_command("load_demo")
    call_command("load_demo")
    statuses = dict(Loan.objects.values_list("member__name", "status"))
    assert statuses["陈德胜"] == "disbursed" and statuses["张三"] == "in_notice"
    assert statuses["李秀兰"] == "board_reviewed" and statuses["马福海"] in ("repaying", "closed")
    assert loan_selectors.is_overdue(Loan.objects.get(member__name="陈德胜"), datetime.date.today())
    book = book_for_association(Association.objects.get(area_id="620123100201"))
    outstanding = sum(
        loan_selectors.loan_state(loan)[1].principal_outstanding
        for loan in Loan.objects.filter(status__in=["disbursed", "repaying"])
    )
    assert balances_by_key(book=book)["loans_receivable"] == outstanding
