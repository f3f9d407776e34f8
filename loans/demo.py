"""Demo loans in 三角城村 (idempotent): one repaying on time, one overdue (its group is
stopped), one in public notice and one waiting in the committee's inbox."""

import datetime
from decimal import Decimal

from django.db import transaction

from associations.demo import DEMO_VILLAGE
from associations.models import Member, User
from guarantees.models import GuaranteeGroup
from loans.models import Loan, LoanPurpose
from loans.selectors import loans as loan_selectors
from loans.services import applications, money

D = datetime.date


def _users() -> dict[str, User]:
    names = ["clerk_sanjiaocheng", "board_sanjiaocheng", "committee_chengguan", "station_chengguan"]
    return {u.username.split("_")[0]: u for u in User.objects.filter(username__in=names)}


def _apply(name, group_name, amount, purpose, kind, users):
    member = Member.objects.get(association__area_id=DEMO_VILLAGE, name=name)
    return applications.loan_apply(
        association=member.association,
        member=member,
        amount=Decimal(amount),
        term_months=12,
        purpose=LoanPurpose.objects.get(code=purpose),
        schedule_kind=kind,
        guarantee_kind="group",
        by=users["clerk"],
        group=GuaranteeGroup.objects.get(association=member.association, name=group_name),
    )


def _through_committee(loan, users, approved_on):
    applications.loan_submit(loan=loan, by=users["clerk"])
    applications.loan_board_review(loan=loan, by=users["board"], reason="理事会初审同意")
    applications.loan_approve(loan=loan, by=users["committee"], on=approved_on)


def _disbursed(loan, users, approved_on, disbursed_on):
    _through_committee(loan, users, approved_on)
    applications.notices_expire(today=disbursed_on)
    loan.refresh_from_db()
    return money.loan_disburse(loan=loan, by=users["station"], on=disbursed_on, into="bank")


@transaction.atomic
def load_demo_loans() -> None:
    if Loan.objects.filter(association__area_id=DEMO_VILLAGE).exists():
        return
    users = _users()
    overdue = _apply("陈德胜", "二组联保小组", "10000", "orchards", "lump_sum", users)
    _disbursed(overdue, users, D(2025, 5, 25), D(2025, 6, 1))  # fell due 2026-06-01
    on_time = _apply("马福海", "一组联保小组", "8000", "livestock", "monthly", users)
    on_time = _disbursed(on_time, users, D(2026, 3, 2), D(2026, 3, 10))
    for number, instalment in enumerate(on_time.instalments.order_by("number"), start=1):
        if instalment.due_on > datetime.date.today():
            break
        owed = loan_selectors.owed_today(on_time, instalment.due_on)
        money.repayment_record(
            loan=on_time,
            amount=owed.due_now,
            paid_on=instalment.due_on,
            by=users["clerk"],
            token=f"demo-{on_time.pk}-{number}",
        )
    in_notice = _apply("张三", "一组联保小组", "5000", "crops", "lump_sum", users)
    _through_committee(in_notice, users, datetime.date.today())
    waiting = _apply("李秀兰", "一组联保小组", "6000", "small_trade", "quarterly", users)
    applications.loan_submit(loan=waiting, by=users["clerk"])
    applications.loan_board_review(loan=waiting, by=users["board"], reason="理事会初审同意")
