"""Repayment reminders (DESIGN §8): 7 days and 1 day before a due date, and 1, 7 and 30 days
after it while unpaid; from 7 days overdue the group's leaders hear too. Each reminder is
recorded once (database unique), so running the job twice sends nothing twice."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Member
from guarantees.models import GroupMembership, GroupRole
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


BATCH = 1000  # instalments per batch: each batch is a few queries and its own transaction


def _reminder_days(
    since: datetime.date, today: datetime.date
) -> dict[datetime.date, list[tuple[ReminderKind, datetime.date]]]:
    """Due date -> the (kind, reminder day) pairs whose day lies in (since, today]."""
    wanted: dict[datetime.date, list[tuple[ReminderKind, datetime.date]]] = {}
    day = since + datetime.timedelta(days=1)
    while day <= today:
        for offset, kind in SCHEDULE.items():
            wanted.setdefault(day + datetime.timedelta(days=offset), []).append((kind, day))
        day += datetime.timedelta(days=1)
    return wanted


def _candidates(
    wanted: dict[datetime.date, list[tuple[ReminderKind, datetime.date]]], area_code: str = ""
) -> QuerySet[Instalment]:
    candidates = Instalment.objects.filter(
        loan__status__in=sorted(LENT_STATUSES),
        due_on__in=sorted(wanted),
        principal_paid__lt=F("principal"),
    )
    if area_code:
        candidates = candidates.filter(loan__association__area__code__startswith=area_code)
    return candidates


def reminder_counties(*, today: datetime.date, since: datetime.date) -> list[str]:
    """The counties (six-digit codes) with an instalment that may be reminded of between
    `since` and `today`: the daily job gives each its own task."""
    codes = (
        _candidates(_reminder_days(since, today))
        .values_list("loan__association__area__code", flat=True)
        .distinct()
    )
    return sorted({code[:6] for code in codes})


def reminders_send(
    *,
    today: datetime.date,
    since: datetime.date | None = None,
    enqueue: Callable[[int], object] | None = None,
    area_code: str = "",
    batch: int = BATCH,
) -> int:
    """Record every reminder whose day fell after `since` and on or before `today` (by default
    today's only): a run after missed days catches up. Each recorded reminder is handed to
    `enqueue(reminder_id)` after its batch commits (the Celery delivery task); without it,
    delivered here and now. `area_code` limits the run to one area's subtree (a county, say),
    so a province run can be spread over workers. Returns how many were recorded.

    Only the instalments due on a reminder day's dates are read (an index holds the unpaid
    ones by due date), in batches of `batch` that each take a fixed number of queries and
    commit on their own: a run that stops half-way keeps what it recorded, and the next run
    skips it (one reminder per loan, due date, kind and person, unique in the database)."""
    since = today - datetime.timedelta(days=1) if since is None else since
    wanted = _reminder_days(since, today)
    candidates = _candidates(wanted, area_code)
    ids = list(candidates.order_by("loan_id", "due_on").values_list("pk", flat=True))
    sent = 0
    for start in range(0, len(ids), batch):
        sent += _send_batch(ids[start : start + batch], wanted, today=today, enqueue=enqueue)
    return sent


def _send_batch(
    ids: list[int],
    wanted: dict[datetime.date, list[tuple[ReminderKind, datetime.date]]],
    *,
    today: datetime.date,
    enqueue: Callable[[int], object] | None,
) -> int:
    """One batch in one transaction, in at most five queries whatever its size."""
    with transaction.atomic():
        instalments = list(
            Instalment.objects.filter(pk__in=ids)
            .select_related("loan__member", "loan__association")
            .order_by("loan_id", "due_on")
        )
        loan_ids = {i.loan_id for i in instalments}
        done = set(
            Reminder.objects.filter(loan_id__in=loan_ids, due_on__in=list(wanted)).values_list(
                "loan_id", "due_on", "kind", "member_id"
            )
        )
        groups = {
            i.loan.group_id
            for i in instalments
            if i.loan.group_id and any(k in LEADERS_FROM for k, _day in wanted[i.due_on])
        }
        leaders: dict[int, list[Member]] = {}
        for membership in GroupMembership.objects.filter(
            group_id__in=groups, role=GroupRole.LEADER, left_on__isnull=True
        ).select_related("member"):
            leaders.setdefault(membership.group_id, []).append(membership.member)
        rows, attempted = [], set()
        for instalment in instalments:
            loan, unpaid = instalment.loan, instalment.principal - instalment.principal_paid
            for kind, _day in wanted[instalment.due_on]:
                text = _text(kind, _params(loan, instalment.due_on, unpaid))
                people = [loan.member]
                if kind in LEADERS_FROM and loan.group_id:
                    people += leaders.get(loan.group_id, [])
                for person in people:
                    key = (loan.pk, instalment.due_on, kind.value, person.pk)
                    if key in done:
                        continue
                    done.add(key)
                    attempted.add(key)
                    rows.append(
                        Reminder(
                            loan=loan,
                            due_on=instalment.due_on,
                            kind=kind,
                            member=person,
                            mobile=person.mobile,
                            sent_on=today,
                            text=text[:300],
                        )
                    )
        if not rows:
            return 0
        # A concurrent run may have recorded some first: those are skipped, not duplicated.
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        recorded = [
            pk
            for pk, *key in Reminder.objects.filter(
                loan_id__in=loan_ids,
                due_on__in=list(wanted),
                sent_on=today,
                delivery=Delivery.PENDING,
            ).values_list("pk", "loan_id", "due_on", "kind", "member_id")
            if tuple(key) in attempted
        ]
        if enqueue is not None:
            for pk in recorded:
                transaction.on_commit(partial(enqueue, pk))
    if enqueue is None:
        for pk in recorded:
            reminder_deliver(reminder_id=pk, last_try=True)
    return len(recorded)


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
