"""Builders for the reports tests: households, groups and loans driven through the real
services by the branch's own users (every rule and role check applies)."""

import datetime
import itertools
import uuid
from decimal import Decimal

from associations.models import Role
from associations.services.members import member_create
from funds.journal import book_for_association
from funds.services import capital_receive
from guarantees.services import group_form
from loans.models import Loan, LoanPurpose
from loans.services import applications, money
from tests import factories

_serial = itertools.count(700_000)


def household(association, clerk, *, name: str, poor: bool, leader: bool = False, **extra):
    fields = {
        "name": name,
        "id_number": factories.id_number(next(_serial)),
        "mobile": "",
        "village_group": factories.village_group(association),
        "household_size": 4,
        "labourers": 2,
        "poverty_status": "registered_poor" if poor else "general",
        "is_party_member": leader,
        "is_wealth_leader": False,
        "joined_on": datetime.date(2020, 3, 1),
    }
    fields.update(extra)
    return member_create(association=association, by=clerk, **fields)


def group(association, clerk, *, name: str, leader, households):
    return group_form(
        association=association,
        name=name,
        formed_on=datetime.date(2024, 1, 1),
        leaders=[leader],
        households=households,
        by=clerk,
    )


def capital(branch, amount: str, on: datetime.date, source: str = "government"):
    return capital_receive(
        book=book_for_association(branch.association),
        source=source,
        contributor="县财政局",
        into="cash",
        amount=Decimal(amount),
        received_on=on,
        by=branch.users[Role.VILLAGE_CLERK],
    )


def apply(branch, member, grp, amount: str, *, term: int = 12, kind: str = "lump_sum") -> Loan:
    return applications.loan_apply(
        association=branch.association,
        member=member,
        amount=Decimal(amount),
        term_months=term,
        purpose=LoanPurpose.objects.get(code="livestock"),
        schedule_kind=kind,
        guarantee_kind="group",
        group=grp,
        by=branch.users[Role.VILLAGE_CLERK],
    )


def to_ready(branch, loan: Loan, on: datetime.date) -> Loan:
    """Submit, review, approve on `on`; the notice of 3 days has ended on `on` + 3. The caller
    travels in time so that `on` is today."""
    users = branch.users
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    loan.refresh_from_db()
    if loan.status == "waitlisted":
        return loan
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=on)
    loan.refresh_from_db()
    if loan.status == "waitlisted":
        return loan
    applications.notices_expire(today=on + datetime.timedelta(days=3))
    loan.refresh_from_db()
    return loan


def disburse(branch, loan: Loan, on: datetime.date) -> Loan:
    return money.loan_disburse(loan=loan, by=branch.users[Role.TOWNSHIP_STATION], on=on)


def repay(branch, loan: Loan, amount: str, on: datetime.date):
    return money.repayment_record(
        loan=loan,
        amount=Decimal(amount),
        paid_on=on,
        by=branch.users[Role.VILLAGE_CLERK],
        token=uuid.uuid4().hex,
    )
