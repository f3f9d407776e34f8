"""Repayment reminders (DESIGN §8): 7 days and 1 day before a due date, and 1, 7 and 30 days
after it while unpaid; from 7 days overdue the group's leaders hear too. Each reminder is
recorded once (database unique), so running the job twice sends nothing twice."""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Member
from guarantees.models import GroupRole
from loans.models import Delivery, Instalment, Loan, Reminder, ReminderKind
from loans.workflow import LENT_STATUSES
from mutualaid.messaging import Delivery as MessageDelivery
from mutualaid.messaging import Message, TemporaryFailure, member_backend

# days until the due date (negative: days overdue) -> kind
SCHEDULE = {
    7: ReminderKind.BEFORE_7,
    1: ReminderKind.BEFORE_1,
    -1: ReminderKind.OVERDUE_1,
    -7: ReminderKind.OVERDUE_7,
    -30: ReminderKind.OVERDUE_30,
}
LEADERS_FROM = {ReminderKind.OVERDUE_7, ReminderKind.OVERDUE_30}
BEFORE = {ReminderKind.BEFORE_7, ReminderKind.BEFORE_1}


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


def _params(loan: Loan, due_on: datetime.date, unpaid: Decimal) -> dict[str, str]:
    """What a gateway template needs: who owes, how much, by when, where to pay."""
    return {
        "name": loan.member.name,
        "amount": f"{unpaid}",
        "date": due_on.isoformat(),
        "place": loan.association.name,
    }


def _template(kind: str) -> str:
    return "reminder_before" if kind in BEFORE else "reminder_overdue"


def _text(kind: str, params: dict[str, str]) -> str:
    """Short enough for one SMS (70 characters with the sign name) with a usual name and
    association name; the same text reaches the group leaders."""
    if kind in BEFORE:
        return (
            _(
                "%(name)s's mutual-aid loan of %(amount)s yuan falls due on %(date)s; "
                "please repay at %(place)s."
            )
            % params
        )
    return (
        _(
            "%(name)s's mutual-aid loan of %(amount)s yuan due on %(date)s is unpaid and an "
            "overdue fee accrues; please repay at %(place)s soon."
        )
        % params
    )


def reminders_send(
    *,
    today: datetime.date,
    since: datetime.date | None = None,
    enqueue: Callable[[int], object] | None = None,
) -> int:
    """Record every reminder whose day fell after `since` and on or before `today` (by default
    today's only): a run after missed days catches up. Each recorded reminder is handed to
    `enqueue(reminder_id)` after the commit (the Celery delivery task); without it, delivered
    here and now. Unpaid principal is the stored figure of each instalment, so the run reads
    the instalments in the window in one query, whatever the number of loans. Returns how
    many were recorded."""
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
        .select_related("loan__member", "loan__group", "loan__association")
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
            text = _text(kind, _params(loan, instalment.due_on, unpaid))
            for person in _recipients(loan, kind):
                if (loan.pk, instalment.due_on, kind.value, person.pk) in done:
                    continue
                reminder = _record(loan, instalment.due_on, kind, person, today, text)
                if reminder is not None:
                    _hand_over(reminder.pk, enqueue)
                    sent += 1
    return sent


def _hand_over(reminder_id: int, enqueue: Callable[[int], object] | None) -> None:
    if enqueue is None:
        reminder_deliver(reminder_id=reminder_id, last_try=True)
    else:
        transaction.on_commit(lambda: enqueue(reminder_id))


def _record(
    loan: Loan,
    due_on: datetime.date,
    kind: ReminderKind,
    person: Member,
    today: datetime.date,
    text: str,
) -> Reminder | None:
    """Record one reminder; None when a concurrent run recorded it first (database unique)."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                loan=loan,
                due_on=due_on,
                kind=kind,
                member=person,
                mobile=person.mobile,
                sent_on=today,
                text=text[:300],
            )
    except IntegrityError:
        return None


def reminder_deliver(*, reminder_id: int, last_try: bool) -> Reminder:
    """Send one recorded reminder to the member's mobile through the member backend and store
    how it went. A reminder already delivered or failed is left alone (the task may run twice).
    A temporary failure (timeout, gateway down) is raised for the caller to retry, unless this
    is the last try: then the reminder is recorded as failed."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update()
            .select_related("loan__member", "loan__association", "member")
            .get(pk=reminder_id)
        )
        if reminder.delivery != Delivery.PENDING:
            return reminder
    instalment = Instalment.objects.get(loan=reminder.loan, due_on=reminder.due_on)
    unpaid = instalment.principal - instalment.principal_paid
    message = Message(
        reminder.member.name,
        reminder.mobile,
        "",
        _("Loan reminder"),
        reminder.text,
        template=_template(reminder.kind),
        params=_params(reminder.loan, reminder.due_on, unpaid),
    )
    backend = member_backend()
    try:
        outcome = backend.deliver(message)
    except TemporaryFailure as error:
        if not last_try:
            raise
        outcome = MessageDelivery(backend.channel, False, str(error))
    reminder.channel = outcome.channel
    reminder.delivery = Delivery.DELIVERED if outcome.delivered else Delivery.FAILED
    reminder.answer = outcome.answer[:500]
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["channel", "delivery", "answer", "sent_at"])
    return reminder
