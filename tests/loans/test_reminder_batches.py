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


def _lent_outside(world):
    """A 10,000 lump sum in the other county's village, due on 2027-01-15 too."""
    from decimal import Decimal

    from funds.journal import book_for_association
    from funds.services import capital_receive
    from guarantees.services import group_form

    branch, association = world.outside, world.outside.association
    capital_receive(
        book=book_for_association(association),
        source="government",
        contributor="区财政局",
        into="cash",
        amount=Decimal("50000"),
        received_on=D(2026, 1, 2),
        by=factories.clerk_of(association),
    )
    leader = factories.member(association, name="杨组长", is_party_member=True)
    households = [factories.member(association, name=f"大城农户{i}") for i in range(3)]
    group = group_form(
        association=association,
        name="大城联保组",
        formed_on=D(2024, 1, 1),
        leaders=[leader],
        households=households,
        by=factories.clerk_of(association),
    )
    return factories.loan_disbursed(
        branch,
        households[0],
        group=group,
        approved_on=D(2026, 1, 10),
        notices_expire_on=D(2026, 1, 13),
        on=D(2026, 1, 15),
    )


def test_the_daily_job_gives_each_county_its_own_run(
    loans, world, settings, django_capture_on_commit_callbacks
):
    from jobs.models import JobRun
    from jobs.runs import job_run
    from loans.tasks import SEND_REMINDERS, send_reminders

    _lent_outside(world)
    settings.REMINDER_FAN_OUT = True
    inside, outside = world.inside.county.code, world.outside.county.code
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders("2027-01-22")  # seven days overdue in both counties
    runs = {run.job: run.counts for run in JobRun.objects.all()}
    assert runs[SEND_REMINDERS] == {"counties": 2, "days": 1}
    assert runs[f"{SEND_REMINDERS}@{inside}"]["sent"] > len(loans)
    assert runs[f"{SEND_REMINDERS}@{outside}"]["sent"] == 2  # the borrower and the leader
    sent = Reminder.objects.count()
    assert sent == runs[f"{SEND_REMINDERS}@{inside}"]["sent"] + 2
    # A county's run again (as the jobs page does for a failed one) records nothing twice.
    again = job_run(job=f"{SEND_REMINDERS}@{outside}", business_date=D(2027, 1, 22))
    assert again.counts["sent"] == 0 and Reminder.objects.count() == sent
