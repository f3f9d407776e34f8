"""Repayment reminders (DESIGN §8): 7 days and 1 day before a due date, and 1, 7 and 30 days
after it while unpaid; from 7 days overdue the group's leaders hear too. Each reminder is
recorded once (database unique), so running the job twice sends nothing twice."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from associations.models import Member
from guarantees.models import GroupRole
from loans.domain.instalments import instalment_rows
from loans.models import Loan, Reminder, ReminderKind
from loans.selectors.loans import loan_state
from loans.workflow import LENT_STATUSES
from mutualaid.messaging import Message, send

# days until the due date (negative: days overdue) -> kind
SCHEDULE = {
    7: ReminderKind.BEFORE_7,
    1: ReminderKind.BEFORE_1,
    -1: ReminderKind.OVERDUE_1,
    -7: ReminderKind.OVERDUE_7,
    -30: ReminderKind.OVERDUE_30,
}
LEADERS_FROM = {ReminderKind.OVERDUE_7, ReminderKind.OVERDUE_30}


def _recipients(loan: Loan, kind: str) -> list[Member]:
    people = [loan.member]
    if kind in LEADERS_FROM and loan.group is not None:
        people += [
            m.member
            for m in loan.group.memberships.filter(
                role=GroupRole.LEADER, left_on__isnull=True
            ).select_related("member")
        ]
    return people


def _text(loan: Loan, kind: str, due_on: datetime.date, unpaid: Decimal) -> str:
    if kind in (ReminderKind.BEFORE_7, ReminderKind.BEFORE_1):
        return _("%(name)s: %(amount)s yuan of your mutual-aid loan falls due on %(date)s.") % {
            "name": loan.member.name,
            "amount": unpaid,
            "date": due_on,
        }
    return _(
        "%(name)s: %(amount)s yuan of the mutual-aid loan due on %(date)s is unpaid; "
        "an overdue fee accrues and the group cannot borrow until it is repaid."
    ) % {"name": loan.member.name, "amount": unpaid, "date": due_on}


def reminders_send(*, today: datetime.date) -> int:
    """Send the reminders due today; returns how many were sent."""
    sent = 0
    for loan in Loan.objects.filter(status__in=sorted(LENT_STATUSES)).select_related(
        "member", "group"
    ):
        terms, state = loan_state(loan)
        for row in instalment_rows(terms, state, today):
            kind = SCHEDULE.get((row.due_on - today).days)
            if kind is None or row.unpaid == 0:
                continue
            text = _text(loan, kind, row.due_on, row.unpaid)
            for person in _recipients(loan, kind):
                try:
                    with transaction.atomic():
                        Reminder.objects.create(
                            loan=loan,
                            due_on=row.due_on,
                            kind=kind,
                            member=person,
                            sent_on=today,
                            text=text[:300],
                        )
                except IntegrityError:
                    continue  # already sent by an earlier run
                send(Message(person.name, person.mobile, "", _("Loan reminder"), text))
                sent += 1
    return sent
