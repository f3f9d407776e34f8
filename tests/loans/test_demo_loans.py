import datetime

import pytest
from django.core.management import call_command
from django.db.models import Sum

from associations.models import Area, Association, Member
from funds.journal import book_for_association
from funds.models import JournalEntry
from funds.selectors import balances_by_key, ledger_is_consistent
from guarantees.models import GuaranteeGroup
from loans.models import Loan, LoanTransition, Repayment, ReversalRequest, WriteOff
from loans.selectors import loans as loan_selectors
from reports.selectors.indicators import area_figures


def _counts():
    return (
        Member.objects.count(),
        GuaranteeGroup.objects.count(),
        Loan.objects.count(),
        Repayment.objects.count(),
        WriteOff.objects.count(),
        JournalEntry.objects.count(),
    )


@pytest.mark.django_db
def test_demo_loads_once_matches_the_ledger_and_has_two_years_of_history():
    """One test: the demo with its history takes about ten seconds to load."""
    call_command("load_demo")
    counts = _counts()
    call_command("load_demo")
    assert _counts() == counts
    statuses = dict(
        Loan.objects.filter(association__area_id="620123100201").values_list(
            "member__name", "status"
        )
    )
    assert statuses["陈德胜"] == "disbursed" and statuses["张三"] == "in_notice"
    assert statuses["李秀兰"] == "board_reviewed" and statuses["马福海"] in ("repaying", "closed")
    assert loan_selectors.is_overdue(Loan.objects.get(member__name="陈德胜"), datetime.date.today())
    association = Association.objects.get(area_id="620123100201")
    book = book_for_association(association)
    outstanding = sum(
        loan_selectors.loan_state(loan)[1].principal_outstanding
        for loan in Loan.objects.filter(
            association=association, status__in=["disbursed", "repaying"]
        )
    )
    assert balances_by_key(book=book)["loans_receivable"] == outstanding

    # Two years of history in balanced books, for the whole county.
    today = datetime.date.today()
    villages = Association.objects.filter(area__code__startswith="620123")
    assert villages.count() == 6
    for association in villages:
        assert 30 <= Member.objects.filter(association=association).count() <= 60
        book = book_for_association(association)
        assert ledger_is_consistent(book=book)
        stored = Loan.objects.filter(
            association=association, status__in=["disbursed", "repaying"]
        ).aggregate(s=Sum("principal_outstanding"))["s"]
        assert balances_by_key(book=book)["loans_receivable"] == stored
    county = Loan.objects.filter(association__area__code__startswith="620123")
    statuses = set(county.values_list("status", flat=True))
    assert {
        "closed", "repaying", "disbursed", "written_off", "waitlisted", "in_notice", "ready",
        "draft", "submitted", "board_reviewed",
    } <= statuses  # fmt: skip
    assert county.filter(extensions=1).exists()
    assert county.filter(disbursed_on__lte=today - datetime.timedelta(days=600)).exists()
    assert WriteOff.objects.filter(approved_by__isnull=True).exists()  # waits for a committee
    # Repaid late, overdue now past 30 days and within 30 days.
    assert Repayment.objects.filter(
        loan__association__area__code__startswith="620123", paid_on__gt=today.replace(day=1)
    ).exists()
    lent = county.filter(status__in=["disbursed", "repaying"])
    days = [(today - d).days for d in lent.values_list("oldest_unpaid_due_on", flat=True) if d]
    assert any(d > 30 for d in days) and any(0 < d <= 30 for d in days)
    # Every dashboard of the demo logins shows figures.
    for code in ("620123", "620123100", "620123100201"):
        figures = area_figures(
            area=Area.objects.get(code=code), on=today, start=today.replace(month=1, day=1)
        )
        assert figures.outstanding_principal > 0 and figures.par30_principal > 0
        assert figures.unmet_demand > 0 and figures.disbursed > 0
        assert figures.repaid_principal > 0 and figures.on_time_repayment_rate

    # Records of past days carry their day, not the moment the demo was loaded.
    today = datetime.date.today()
    old = Repayment.objects.filter(paid_on__lt=today - datetime.timedelta(days=60))
    assert old.exists()
    assert all(r.recorded_at.date() == r.paid_on for r in old[:200])
    payouts = LoanTransition.objects.filter(
        to_status="disbursed", loan__disbursed_on__lt=today - datetime.timedelta(days=60)
    ).select_related("loan")
    assert payouts.exists()
    assert all(t.at.astimezone().date() == t.loan.disbursed_on for t in payouts)
    # The station's queue of reversals requested has the clerk's request in it.
    assert ReversalRequest.objects.filter(status="pending").count() == 1
