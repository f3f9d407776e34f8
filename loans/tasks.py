"""Scheduled loan jobs. Thin: they call a service, are idempotent and log what they did."""

import logging

from celery import shared_task
from django.utils import timezone

from associations.models import Association
from loans.models import Loan
from loans.services.applications import notices_expire, waitlist_release
from loans.services.reminders import reminders_send
from loans.workflow import LoanStatus

log = logging.getLogger(__name__)


@shared_task
def expire_notices() -> int:
    """Daily: loans whose public notice has ended become ready for disbursement."""
    moved = notices_expire(today=timezone.localdate())
    log.info("public notices expired: %s loans ready for disbursement", moved)
    return moved


@shared_task
def send_reminders() -> int:
    """Daily: repayment reminders to borrowers (and group leaders once overdue)."""
    sent = reminders_send(today=timezone.localdate())
    log.info("repayment reminders sent: %s", sent)
    return sent


@shared_task
def release_waitlists() -> int:
    """Hourly: where lendable cash came back (capital, transfers, repayments), waiting
    applications move on in order."""
    moved = 0
    waiting = (
        Loan.objects.filter(status=LoanStatus.WAITLISTED)
        .values_list("association", flat=True)
        .distinct()
    )
    for association_id in waiting:
        moved += waitlist_release(association=Association.objects.get(pk=association_id))
    log.info("waiting applications moved on: %s", moved)
    return moved
