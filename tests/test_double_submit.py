"""Every form that creates something is safe to submit twice (DESIGN §6): the same key twice
writes once and shows the first result; an identical repayment asks for confirmation; two
threads with the same key on PostgreSQL write once."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from associations.idempotency import idempotent
from associations.models import IdempotencyKey, Member, Role
from funds.journal import book_for_association
from funds.models import CapitalContribution, JournalEntry
from funds.services import capital_receive
from loans.models import Repayment
from tests import factories
from tests.scoping_registry import _loan

CAPITAL = {
    "source": "government",
    "contributor": "县财政局",
    "amount": "3000",
    "received_on": "2025-03-01",
    "into": "cash",
}


def _clerk(client, world):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    return world.inside.users[Role.VILLAGE_CLERK]


@pytest.mark.django_db
def test_the_same_capital_form_twice_records_once_and_shows_the_first(client, world):
    _clerk(client, world)
    book = book_for_association(world.inside.association)
    url = reverse("funds:capital_new", args=[book.pk])
    first = client.post(url, {**CAPITAL, "idempotency_key": "k1"})
    second = client.post(url, {**CAPITAL, "idempotency_key": "k1"})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("funds:book_detail", args=[book.pk])
    assert CapitalContribution.objects.count() == 1
    assert JournalEntry.objects.filter(book=book).count() == 1
    notes = [str(m) for m in get_messages(second.wsgi_request)]
    assert any("已经提交过" in note for note in notes), notes
    client.post(url, {**CAPITAL, "idempotency_key": "k2"})  # a new form is a new receipt
    assert CapitalContribution.objects.count() == 2


@pytest.mark.django_db
def test_the_same_member_form_twice_shows_the_member_the_first_one_registered(client, world):
    _clerk(client, world)
    group = factories.village_group(world.inside.association)
    data = {
        "name": "赵六",
        "id_number": factories.id_number(778),
        "village_group": group.pk,
        "household_size": 3,
        "labourers": 2,
        "poverty_status": "general",
        "joined_on": "2023-02-01",
        "idempotency_key": "member-k",
    }
    first = client.post(reverse("associations:member_create"), data)
    second = client.post(reverse("associations:member_create"), data)
    member = Member.objects.get(name="赵六")
    target = reverse("associations:member_detail", args=[member.pk])
    assert first["Location"] == second["Location"] == target


@pytest.mark.django_db
def test_a_refused_submit_frees_its_key_for_the_corrected_form(client, world):
    _clerk(client, world)
    book = book_for_association(world.inside.association)
    url = reverse("funds:capital_new", args=[book.pk])
    refused = client.post(url, {**CAPITAL, "source": "bank_loan", "idempotency_key": "k3"})
    assert refused.status_code == 200 and not IdempotencyKey.objects.exists()
    assert client.post(url, {**CAPITAL, "idempotency_key": "k3"}).status_code == 302
    assert CapitalContribution.objects.count() == 1


@pytest.mark.django_db
def test_a_key_is_bound_to_its_user(world):
    book = book_for_association(world.inside.association)
    clerk, station = (world.inside.users[r] for r in (Role.VILLAGE_CLERK, Role.TOWNSHIP_STATION))
    for user in (clerk, station, clerk):
        with idempotent(user, "shared") as claim:
            claim.first or claim.created(_receive(book, user))
    assert CapitalContribution.objects.count() == 2


def _receive(book, by):
    return capital_receive(
        book=book,
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("1000"),
        received_on=datetime.date(2025, 3, 1),
        by=by,
    )


@pytest.mark.django_db
def test_a_form_without_its_key_is_refused_with_a_message(client, world):
    _clerk(client, world)
    book = book_for_association(world.inside.association)
    response = client.post(reverse("funds:capital_new", args=[book.pk]), CAPITAL)
    assert response.status_code == 200 and "重新打开" in response.content.decode()
    assert not CapitalContribution.objects.exists()


@pytest.mark.django_db
def test_an_identical_repayment_soon_after_asks_for_confirmation(client, world):
    loan = _loan(world)
    _clerk(client, world)
    url = reverse("loans:loan_repay", args=[loan.pk])
    today = timezone.localdate().isoformat()
    standing = loan.repayments.count()
    client.post(url, {"amount": "50", "paid_on": today, "idempotency_key": "r1"})
    # Back, the page loads with a fresh key and the browser refills the amount: save again.
    again = client.post(url, {"amount": "50", "paid_on": today, "idempotency_key": "r2"})
    page = again.content.decode()
    assert again.status_code == 200 and 'name="confirm_duplicate"' in page
    assert loan.repayments.count() == standing + 1
    confirmed = {"amount": "50", "paid_on": today, "idempotency_key": "r2"}
    confirmed["confirm_duplicate"] = "on"
    assert client.post(url, confirmed).status_code == 302
    assert loan.repayments.count() == standing + 2


@pytest.mark.django_db
def test_the_same_repayment_form_twice_records_once(client, world):
    loan = _loan(world)
    _clerk(client, world)
    url = reverse("loans:loan_repay", args=[loan.pk])
    data = {"amount": "60", "paid_on": timezone.localdate().isoformat(), "idempotency_key": "r"}
    assert client.post(url, data).status_code == client.post(url, data).status_code == 302
    assert Repayment.objects.filter(loan=loan, amount=Decimal("60")).count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_threads_with_the_same_key_write_once(world):
    book = book_for_association(world.inside.association)
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    barrier, outcomes, errors = threading.Barrier(2), [], []

    def submit() -> None:
        try:
            barrier.wait()
            with idempotent(clerk, "same-moment") as claim:
                if not claim.repeated:
                    time.sleep(0.3)  # hold the claim while the other thread arrives
                receipt = claim.first or claim.created(_receive(book, clerk))
            outcomes.append((claim.repeated, receipt.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert CapitalContribution.objects.count() == 1
    assert sorted(repeated for repeated, _pk in outcomes) == [False, True]
    assert len({pk for _repeated, pk in outcomes}) == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_tabs_posting_the_same_repayment_form_at_once_record_once(world):
    from django.test import Client

    loan = _loan(world)
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    url = reverse("loans:loan_repay", args=[loan.pk])
    data = {"amount": "70", "paid_on": timezone.localdate().isoformat(), "idempotency_key": "t"}
    barrier, codes = threading.Barrier(2), []

    def post() -> None:
        try:
            client = Client()
            client.force_login(clerk)
            barrier.wait()
            codes.append(client.post(url, data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [302, 302]
    assert Repayment.objects.filter(loan=loan, amount=Decimal("70")).count() == 1
