"""Effective loan policy (read on every eligibility check) and the repayment replay.

effective_policy: policies on all five levels of one path, against a raw SELECT of the same
path rows (the lower bound: one indexed IN lookup). replay: a 24-month monthly loan with 23
repayments re-derived from scratch (what a reversal does), pure Python, against summing the
amounts (the least any replay must do).
"""

import datetime
from decimal import Decimal

from django.db import connection

from associations.models import Role
from loans.domain import schedules
from loans.domain.allocation import Payment, replay
from loans.domain.fees import LoanTerms
from loans.selectors.policy import effective_policy, path_codes
from loans.services.policy import policy_save
from tests import factories
from tests.bench import measure, print_table


def _world():
    province = factories.area("620000", "甘肃省", "province")
    city = factories.area("620100", "兰州市", "city", province)
    county = factories.area("620123", "榆中县", "county", city)
    township = factories.area("620123100", "城关镇", "township", county)
    village = factories.area("620123100201", "三角城村", "village", township)
    association = factories.association(village)
    # The province's office: a policy is set by an office at or above its area.
    office = factories.user_with_role(Role.CITY_OFFICE, province)
    for target, amount in [
        (province, 20000),
        (city, 18000),
        (county, 15000),
        (township, 12000),
        (association, 10000),
    ]:
        policy_save(target=target, by=office, values={"max_amount": Decimal(amount)})
    return association


def _raw(codes):
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(codes))
        cursor.execute(
            f"SELECT * FROM loans_loanpolicy WHERE scope_code IN ({placeholders})", list(codes)
        )
        return cursor.fetchall()


def run() -> None:
    association = _world()
    codes = sorted(path_codes(association.area_id))
    assert effective_policy(association).max_amount == Decimal("10000")
    product = measure(lambda: effective_policy(association), repeat=200)
    bound = measure(lambda: _raw(codes), repeat=200)

    start = datetime.date(2028, 1, 31)
    terms = LoanTerms(
        principal=Decimal("20000.00"),
        disbursed_on=start,
        schedule=schedules.equal_principal(
            principal=Decimal("20000.00"), disbursed_on=start, term_months=24, period_months=1
        ),
        annual_rate=Decimal("0.0600"),
    )
    payments = [Payment(i.due_on, Decimal("900.00")) for i in terms.schedule[:-1]]
    replayed = measure(lambda: replay(terms, payments), repeat=50)
    summed = measure(lambda: sum(p.amount for p in payments), repeat=50)
    print_table(
        "loan policy and repayment replay",
        ["operation", "product (ms)", "lower bound (ms)"],
        [
            ["effective_policy, 5 levels", f"{product * 1000:.2f}", f"{bound * 1000:.2f}"],
            [
                "replay 24 instalments x 23 payments",
                f"{replayed * 1000:.2f}",
                f"{summed * 1000:.3f}",
            ],
        ],
    )
