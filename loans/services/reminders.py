"""Repayment reminders (DESIGN §8): 7 days and 1 day before a due date, and 1, 7 and 30 days
after it while unpaid; from 7 days overdue the group's leaders hear too. Each reminder is
recorded once (database unique), so running the job twice sends nothing twice."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from associations.models import Member
from guarantees.models import GroupRole
from loans.models import Instalment, Loan, Reminder, ReminderKind
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


def reminders_send(*, today: datetime.date, since: datetime.date | None = None) -> int:
    """Send every reminder whose day fell after `since` and on or before `today` (by default
    today's only): a run after missed days catches up. Unpaid principal is the stored figure
    of each instalment, so the run reads the instalments in the window in one query, whatever
    the number of loans. Returns how many were sent."""
    since = today - datetime.timedelta(days=1) if since is None else since
    first_due = since + datetime.timedelta(days=min(SCHEDULE) + 1)
    last_due = today + datetime.timedelta(days=max(SCHEDULE))
    instalments = (
        Instalment.objects.filter(
            loan__status__in=sorted(LENT_STATUSES),
            due_on__gte=first_due,
            due_on__lte=last_due,
            principal_paid__lt=F("principal"),
        )
        .select_related("loan__member", "loan__group")
        .order_by("loan_id", "due_on")
    )
    done = set(
        Reminder.objects.filter(due_on__gte=first_due, due_on__lte=last_due).values_list(
            "loan_id", "due_on", "kind", "member_id"
        )
    )
    sent = 0
    for instalment in instalments:
        loan, unpaid = instalment.loan, instalment.principal - instalment.principal_paid
        for offset, kind in SCHEDULE.items():
            day = instalment.due_on - datetime.timedelta(days=offset)
            if not since < day <= today:
                continue
            text = _text(loan, kind, instalment.due_on, unpaid)
            for person in _recipients(loan, kind):
                if (loan.pk, instalment.due_on, kind.value, person.pk) in done:
                    continue
                if _record(loan, instalment.due_on, kind, person, today, text):
                    send(Message(person.name, person.mobile, "", _("Loan reminder"), text))
                    sent += 1
    return sent


def _record(
    loan: Loan,
    due_on: datetime.date,
    kind: ReminderKind,
    person: Member,
    today: datetime.date,
    text: str,
) -> bool:
    """Record one reminder; False when a concurrent run recorded it first (database unique)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                loan=loan, due_on=due_on, kind=kind, member=person, sent_on=today, text=text[:300]
            )
    except IntegrityError:
        return False
    return True
