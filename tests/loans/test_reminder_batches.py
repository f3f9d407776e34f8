"""The daily reminder run at scale (issue 14): a fixed number of queries per batch, whatever
the batch holds, and a run limited to one area's subtree."""

import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from loans.models import Reminder
from loans.services.reminders import reminders_send
from tests import factories

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 1, 15, 9, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def loans(world, book, group):
    """A 10,000 lump sum for each household of the group, all due on 2027-01-15."""
    households = [m.member for m in group.memberships.filter(role="household")]
    assert len(households) >= 2
    return [
        factories.loan_disbursed(
            world.inside,
            member,
            group=group,
            approved_on=D(2026, 1, 10),
            notices_expire_on=D(2026, 1, 13),
            on=D(2026, 1, 15),
        )
        for member in households
    ]


def _run(**options):
    """Queries and reminders of one run, rolled back afterwards."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            sent = reminders_send(today=D(2027, 1, 22), enqueue=lambda pk: None, **options)
        transaction.set_rollback(True)
    return len(queries), sent


def test_each_batch_takes_the_same_queries_whatever_it_holds(loans, group):
    leaders = group.memberships.filter(role="leader", left_on__isnull=True).count()
    one_batch, sent = _run(batch=1000)
    per_loan, sent_again = _run(batch=1)
    # Seven days overdue: each borrower and the group's leaders.
    assert sent == sent_again == len(loans) * (1 + leaders)
    assert one_batch <= 8  # the candidates, then one batch
    assert per_loan - 1 == len(loans) * (one_batch - 1)


def test_a_run_limited_to_another_area_sends_nothing_and_a_rerun_skips_what_was_sent(loans, world):
    assert reminders_send(today=D(2027, 1, 22), area_code=world.outside.county.code) == 0
    county = world.inside.county.code
    first = reminders_send(today=D(2027, 1, 22), area_code=county, batch=1)
    assert first > len(loans) and Reminder.objects.count() == first
    assert reminders_send(today=D(2027, 1, 22), area_code=county) == 0
    assert Reminder.objects.count() == first
