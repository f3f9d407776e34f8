"""Scheduled loan jobs. Thin: they call a service, are idempotent and log what they did."""

import logging

from celery import shared_task
from django.utils import timezone

from loans.lending import notices_expire
from loans.reminders import reminders_send

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
