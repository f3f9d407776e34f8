"""Issue 13: a draft is checked as it is saved (each broken rule beside its field), stays
editable until it is submitted, and a guarantor search keeps what was typed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from loans.exceptions import LoanDraftError, LoanRuleError
from loans.models import Loan
from loans.services import applications
from tests import factories
from tests.loans.conftest import apply_for

pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))


def _terms(group, purposes, **change):
    terms = {
        "amount": Decimal("8000"),
        "term_months": 12,
        "purpose": purposes["livestock"],
        "schedule_kind": "lump_sum",
        "guarantee_kind": "group",
        "group": group,
    }
    terms.update(change)
    return terms


def test_a_first_loan_above_the_cap_is_refused_when_the_draft_is_saved(
    world, book, borrower, group, users, purposes
):
    with pytest.raises(LoanDraftError) as raised:
        apply_for(
            world,
            borrower,
            None,
            users,
            purposes,
            amount="20000",
            guarantee_kind="personal",
            guarantor=borrower,
        )
    assert raised.value.code == "amount_limit"
    assert set(raised.value.problems) == {"amount", "guarantor"}  # every broken rule at once
    assert "10,000" in raised.value.problems["amount"]
    assert not Loan.objects.exists()


def test_a_draft_is_corrected_until_it_is_submitted(world, book, borrower, group, users, purposes):
    clerk = users[Role.VILLAGE_CLERK]
    loan = apply_for(world, borrower, group, users, purposes, amount="8000")
    with pytest.raises(LoanDraftError) as raised:
        applications.loan_draft_update(
            loan=loan, by=clerk, **_terms(group, purposes, amount=Decimal("20000"))
        )
    assert raised.value.problems.keys() == {"amount"}
    assert Loan.objects.get().amount == Decimal("8000.00")  # nothing written
    applications.loan_draft_update(
        loan=loan, by=clerk, **_terms(group, purposes, amount=Decimal("9500"), term_months=10)
    )
    loan.refresh_from_db()
    assert (loan.amount, loan.term_months) == (Decimal("9500.00"), 10)
    applications.loan_submit(loan=loan, by=clerk)
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_draft_update(loan=loan, by=clerk, **_terms(group, purposes))
    assert raised.value.code == "not_draft"
    assert Loan.objects.get().amount == Decimal("9500.00")


@pytest.mark.parametrize("who", ["board", "outside_clerk"])
def test_only_the_villages_clerk_edits_a_draft(world, book, borrower, group, users, purposes, who):
    loan = apply_for(world, borrower, group, users, purposes, amount="8000")
    by = users[Role.VILLAGE_BOARD] if who == "board" else world.outside.users[Role.VILLAGE_CLERK]
    with pytest.raises(LoanRuleError):
        applications.loan_draft_update(
            loan=loan, by=by, **_terms(group, purposes, amount=Decimal("5000"))
        )
    assert Loan.objects.get().amount == Decimal("8000.00")


def _post_new(client, borrower, purposes, group, **change):
    data = {
        "amount": "20000",
        "term_months": "12",
        "purpose": purposes["livestock"].pk,
        "schedule_kind": "lump_sum",
        "guarantee_kind": "group",
        "group": group.pk,
        "idempotency_key": "draft-cap",
    }
    data.update(change)
    return client.post(f"{reverse('loans:loan_new')}?member={borrower.pk}", data)


def test_the_page_shows_the_refusal_beside_the_amount_and_edits_the_draft(
    client, world, book, borrower, group, purposes
):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    page = _post_new(client, borrower, purposes, group).content.decode()
    amount_at, error_at = page.index('name="amount"'), page.index('class="error"')
    assert amount_at < error_at < page.index('name="term_months"')  # beside the amount
    assert 'value="20000"' in page  # what was typed is kept
    assert not Loan.objects.exists()
    response = _post_new(client, borrower, purposes, group, amount="9000")
    loan = Loan.objects.get()
    assert response.status_code == 302
    detail = client.get(reverse("loans:loan_detail", args=[loan.pk])).content.decode()
    edit_url = reverse("loans:loan_draft_edit", args=[loan.pk])
    assert edit_url in detail
    form = client.get(edit_url).content.decode()
    assert 'value="9000.00"' in form
    data = {
        "amount": "15000",
        "term_months": "12",
        "purpose": purposes["livestock"].pk,
        "schedule_kind": "lump_sum",
        "guarantee_kind": "group",
        "group": group.pk,
        "idempotency_key": "edit-1",
    }
    refused = client.post(edit_url, data).content.decode()
    assert "10,000" in refused
    assert client.post(edit_url, {**data, "amount": "9900"}).status_code == 302
    loan.refresh_from_db()
    assert loan.amount == Decimal("9900.00")


def test_a_submitted_application_is_no_longer_editable_on_the_page(
    client, world, book, borrower, group, users, purposes
):
    loan = apply_for(world, borrower, group, users, purposes, amount="8000")
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    client.force_login(users[Role.VILLAGE_CLERK])
    edit_url = reverse("loans:loan_draft_edit", args=[loan.pk])
    assert edit_url not in client.get(reverse("loans:loan_detail", args=[loan.pk])).content.decode()
    page = client.get(edit_url).content.decode()
    assert 'name="amount"' not in page
    response = client.post(edit_url, {"amount": "5000"})
    assert response.status_code == 200
    loan.refresh_from_db()
    assert loan.amount == Decimal("8000.00")


def test_a_guarantor_search_keeps_what_was_typed(client, world, book, borrower, purposes):
    guarantor = factories.member(world.inside.association, name="担保人乙")
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    url = f"{reverse('loans:loan_new')}?member={borrower.pk}"
    page = client.post(
        url,
        {
            "amount": "3000",
            "term_months": "9",
            "purpose": purposes["crops"].pk,
            "schedule_kind": "lump_sum",
            "guarantee_kind": "group",
            "idempotency_key": "search-1",
            "gq": "担保人",
            "find": "guarantor",
        },
    ).content.decode()
    assert not Loan.objects.exists()
    assert 'value="3000"' in page and 'value="9"' in page
    assert f'<option value="{purposes["crops"].pk}" selected>' in page
    assert f'<option value="{guarantor.pk}" selected>' in page  # the one match, chosen
    assert '<option value="personal" selected>' in page
    assert 'class="error"' not in page  # a search is not a save: no errors yet
