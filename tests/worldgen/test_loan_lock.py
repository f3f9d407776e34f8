"""loan_lock locks the loan row only (FOR UPDATE OF the loan): a second clerk of the village
and anything referring to the association or the member go on (PostgreSQL, real locks)."""

import datetime
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from loans.models import Loan, LoanPurpose
from loans.services.transitions import loan_lock
from worldgen.build import generate
from worldgen.config import Config, county_plans

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
    pytest.mark.django_db(transaction=True),
]

CYCLES = {"livestock": 18, "crops": 8, "orchards": 24, "processing": 12, "marketing": 6}


def test_loan_lock_leaves_the_association_and_the_member_free() -> None:
    for code, months in {**CYCLES, "small_trade": 6}.items():  # a flush removed them
        LoanPurpose.objects.get_or_create(code=code, defaults={"typical_cycle_months": months})
    cfg = Config(
        seed=2, today=datetime.date(2026, 11, 30), start=datetime.date(2024, 11, 30), members=12
    )
    generate(cfg, county_plans(1, 1, 1), log=lambda _line: None)
    loan = Loan.objects.order_by("pk").first()
    assert loan is not None
    seen: dict[str, bool] = {}

    def other_clerk() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for table, pk in (
                    ("associations_association", loan.association_id),
                    ("associations_member", loan.member_id),
                ):
                    cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
                seen["association and member free"] = True
                cursor.execute(
                    "SELECT id FROM loans_loan WHERE id = %s FOR UPDATE NOWAIT", [loan.pk]
                )
        except OperationalError:
            seen["loan locked"] = True
        finally:
            connections.close_all()

    with transaction.atomic():
        loan_lock(loan)
        thread = threading.Thread(target=other_clerk)
        thread.start()
        thread.join()
    assert seen == {"association and member free": True, "loan locked": True}
