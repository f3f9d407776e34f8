"""The world generator (issue 14): a tiny world passes check_world and is the same for a seed."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum

from associations.models import Association, Member
from funds.models import AccountBalance, Book, CapitalContribution, JournalLine, MonthClose
from loans.models import Instalment, Loan, Repayment
from loans.selectors.policy import effective_policy
from worldgen.build import generate, preset_policy
from worldgen.check import check
from worldgen.config import Config, county_plans, lanzhou_plans

TODAY = datetime.date(2026, 11, 30)

pytestmark = pytest.mark.django_db


def _tiny(seed: int = 7) -> None:
    cfg = Config(seed=seed, today=TODAY, start=datetime.date(2022, 11, 30), members=30)
    generate(cfg, county_plans(1, 2, 2), log=lambda _line: None)


def _fingerprint() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    loans = list(
        Loan.objects.order_by("member__id_number", "created_at").values_list(
            "member__id_number", "amount", "term_months", "status", "principal_outstanding"
        )
    )
    repayments = list(
        Repayment.objects.order_by("loan__member__id_number", "paid_on").values_list(
            "loan__member__id_number", "paid_on", "amount", "principal"
        )
    )
    return loans, repayments


def test_tiny_world_passes_check_world_and_call_command():
    _tiny()
    lines: list[str] = []
    assert check(lines.append) == 0, lines
    assert Association.objects.count() == 4
    assert Member.objects.count() == 120
    statuses = set(Loan.objects.values_list("status", flat=True))
    assert {"closed", "repaying"} <= statuses
    totals = JournalLine.objects.aggregate(d=Sum("debit"), c=Sum("credit"))
    assert round(totals["d"], 2) == round(totals["c"], 2) > 0  # SQLite sums in floats
    call_command("check_world")  # raises CommandError on any problem


def test_closed_months_store_their_totals_as_the_product_closes_them():
    """Every closed month has each account's totals (AccountBalance), so the world's book
    pages read as the product's do; the stored totals equal the lines through each month."""
    _tiny()
    book = Book.objects.filter(association__isnull=False).order_by("id").first()
    assert book is not None and book.closed_through is not None
    months = AccountBalance.objects.filter(book=book).values_list("month_end", flat=True)
    assert book.closed_through in set(months)
    assert MonthClose.objects.filter(book=book).count() == len(set(months))
    for month_end in sorted(set(months))[:: max(1, len(set(months)) // 4)]:
        stored = {
            r.account_id: (r.debit, r.credit)
            for r in AccountBalance.objects.filter(book=book, month_end=month_end)
        }
        summed = {
            row["account_id"]: (row["d"], row["c"])
            for row in JournalLine.objects.filter(book=book, date__lte=month_end)
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .order_by()
        }
        assert stored.keys() == summed.keys() and stored
        for account, (debit, credit) in stored.items():
            assert (debit, credit) == tuple(round(v, 2) for v in summed[account])


def test_same_seed_same_world_other_seed_other_world():
    worlds = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            _tiny(seed)
            worlds.append(_fingerprint())
            transaction.set_rollback(True)
    assert worlds[0] == worlds[1]
    assert worlds[0] != worlds[2]


def test_lanzhou_preset_plans_120_villages():
    plans = lanzhou_plans()
    assert sum(sum(p.villages_by_township) for p in plans) == 120
    assert {p.city[1] for p in plans} == {"兰州市"}


def test_preset_government_capital_is_500000_each():
    cfg = Config(
        seed=1,
        today=TODAY,
        start=datetime.date(2024, 6, 1),
        members=10,
        government=(500_000, 500_000),
        poor_groups=True,
    )
    plan = lanzhou_plans()[1]
    plan.villages_by_township = [2]
    generate(cfg, [plan], log=lambda _line: None)
    preset_policy(plan.city[0])
    association = Association.objects.first()
    assert association is not None
    assert effective_policy(association).max_term_months == 24
    assert CapitalContribution.objects.filter(source="government").aggregate(s=Sum("amount"))[
        "s"
    ] == Decimal("1000000.00")
    lines: list[str] = []
    assert check(lines.append) == 0, lines


def test_instalments_and_repayments_carry_their_loans_association():
    """loans 0011: the generator writes each instalment's and repayment's association as its
    loan's; PostgreSQL refuses another (the (loan, association) foreign key) and check_world
    reports one on SQLite."""
    _tiny()
    for model in (Instalment, Repayment):
        assert model.objects.exists()
        assert not model.objects.exclude(association=F("loan__association")).exists()
    instalment = Instalment.objects.order_by("pk").first()
    assert instalment is not None
    other = Association.objects.exclude(pk=instalment.association_id).order_by("pk").first()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS instalment_loan_association_fk IMMEDIATE")
            Instalment.objects.filter(pk=instalment.pk).update(association=other)
    else:
        Instalment.objects.filter(pk=instalment.pk).update(association=other)
        lines: list[str] = []
        assert check(lines.append) == 1
        assert any(line.startswith("BAD instalment or repayment of") for line in lines)


def test_check_world_reports_a_schedule_that_does_not_add_up():
    """The premise of the indicators' principal fallen due (a paid-out loan's schedule adds up
    to its amount): check_world reports an instalment changed behind the services' back."""
    _tiny()
    instalment = Instalment.objects.order_by("pk").first()
    assert instalment is not None
    Instalment.objects.filter(pk=instalment.pk).update(principal=F("principal") + 1)
    lines: list[str] = []
    assert check(lines.append) == 2  # the rule, and the loan's replay, which refuses it
    assert any(line.startswith("BAD schedule not adding up") for line in lines)
    assert any(line.startswith("BAD stored figures equal the replay") for line in lines)
