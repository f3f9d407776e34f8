"""The committee inbox's page-at-once checks (loans.selectors.inbox) give the answer of
eligibility_check and lendable_cash for every loan of a generated world, on several days, in a
number of queries that does not grow with the page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loans.models import Loan, LoanPolicy
from loans.selectors.inbox import inbox_checks
from loans.selectors.loans import lendable_cash
from loans.services.eligibility import eligibility_check
from mutualaid.errors import RuleError
from worldgen.build import generate
from worldgen.config import Config, county_plans

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


def _loans() -> list[Loan]:
    return list(
        Loan.objects.select_related(
            "member", "purpose", "association__area", "group", "guarantor", "placement"
        ).order_by("pk")
    )


def _one_by_one(loan: Loan, on: datetime.date) -> tuple[str | None, bool]:
    try:
        eligibility_check(loan, on=on)
        problem = None
    except RuleError as error:
        problem = str(error.message)
    return problem, lendable_cash(loan.association, excluding=loan) >= loan.amount


@pytest.mark.parametrize("concurrent", [None, 1])
def test_page_checks_equal_the_one_loan_checks(concurrent: int | None) -> None:
    cfg = Config(seed=5, today=TODAY, start=datetime.date(2023, 11, 30), members=24)
    generate(cfg, county_plans(1, 1, 2), log=lambda _line: None)
    if concurrent:  # a province policy limiting borrowers per group: another rule exercised
        LoanPolicy.objects.create(
            area_id="620000", scope_code="620000", concurrent_borrowers_per_group=concurrent
        )
    loans = _loans()
    problems = set()
    for on in (TODAY, TODAY - datetime.timedelta(days=400)):
        page = inbox_checks(loans, on=on)
        for loan in loans:
            expected = _one_by_one(loan, on)
            got = page[loan.pk]
            assert (got.problem and str(got.problem), got.cash_ok) == expected, loan.pk
            problems.add(expected[0])
    assert len(problems) >= 3  # several rules answered, not only "all met"


def test_page_checks_take_the_same_queries_for_5_or_50_loans() -> None:
    cfg = Config(seed=6, today=TODAY, start=datetime.date(2023, 11, 30), members=30)
    generate(cfg, county_plans(1, 1, 2), log=lambda _line: None)
    loans = _loans()
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            inbox_checks(loans[:size], on=TODAY)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10
