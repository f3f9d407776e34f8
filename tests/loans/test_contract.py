"""The loan contract (借款合同, issue 13) carries the full ID numbers of the borrower and of every
guarantor, with signature lines for each and for the association; printing it records one
full-ID view per person shown. Only staff of the loan's area print it; the member household
(the borrower too) and staff elsewhere get 404 and nothing is recorded. The public notice stays
masked."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from associations.models import IdNumberView, Role
from loans import documents
from loans.exceptions import LoanRuleError
from tests import factories
from tests.loans.conftest import apply_for, to_ready

D = datetime.date


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _group_others(group, borrower) -> list:
    return [
        m.member for m in group.memberships.filter(left_on__isnull=True).exclude(member=borrower)
    ]


def test_the_contract_prints_every_full_id_with_signature_lines_and_records_each(
    client, lent, group, users
):
    guarantors = _group_others(group, lent.member)
    assert len(guarantors) == 3  # the leader and two other households
    clerk = users[Role.VILLAGE_CLERK]
    client.force_login(clerk)
    response = client.get(reverse("loans:loan_contract", args=[lent.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "借款合同" in text.replace(" ", "") and "壹万元整" in text
    for person in [lent.member, *guarantors]:
        assert person.name in text and person.id_number in text
    assert "********" not in text  # nothing masked on the contract
    assert "借款人（签字）" in text and "协会（盖章）" in text
    assert text.count("担保人（签字）") == 3
    views = IdNumberView.objects.filter(viewer=clerk)
    assert sorted(views.values_list("member_id", flat=True)) == sorted(
        p.pk for p in [lent.member, *guarantors]
    )
    client.get(reverse("loans:loan_contract", args=[lent.pk]))
    assert views.count() == 8  # every print is recorded again


def test_the_leader_is_listed_first_among_the_group_guarantors(lent, group):
    people = documents.contract_guarantors(lent)
    leader = group.memberships.get(role="leader").member
    assert people[0] == leader and lent.member not in people and len(people) == 3


def test_a_personal_guarantor_is_printed_in_full(client, world, book, borrower, users, purposes):
    guarantor = factories.member(world.inside.association, name="担保人甲")
    loan = apply_for(
        world, borrower, None, users, purposes, amount="5000",
        guarantee_kind="personal", guarantor=guarantor,
    )  # fmt: skip
    loan = to_ready(loan, users)
    station = users[Role.TOWNSHIP_STATION]
    client.force_login(station)
    text = _text(client.get(reverse("loans:loan_contract", args=[loan.pk])).content)
    assert guarantor.id_number in text and borrower.id_number in text
    assert text.count("担保人（签字）") == 1
    assert set(IdNumberView.objects.values_list("member_id", "viewer_id")) == {
        (borrower.pk, station.pk),
        (guarantor.pk, station.pk),
    }


@pytest.fixture
def own_loan(world, book, group):
    """A loan of the household linked to the `member` login (the group's leader)."""
    return factories.loan_disbursed(
        world.inside,
        factories.scoped_member(world),
        group=group,
        approved_on=D(2026, 1, 10),
        notices_expire_on=D(2026, 1, 13),
        on=D(2026, 1, 15),
    )


def test_the_member_cannot_print_even_their_own_contract(client, world, own_loan):
    client.force_login(world.inside.users[Role.MEMBER])
    # A member login opens its own pages only: the staff loan page is a 404, and the member's
    # schedule and statement pages offer no contract.
    assert client.get(reverse("loans:loan_detail", args=[own_loan.pk])).status_code == 404
    for page in ("loans:member_schedule", "loans:member_statement", "home"):
        body = client.get(reverse(page)).content.decode()
        assert reverse("loans:loan_contract", args=[own_loan.pk]) not in body
    assert client.get(reverse("loans:loan_contract", args=[own_loan.pk])).status_code == 404
    assert not IdNumberView.objects.exists()


def test_the_service_refuses_the_member_and_records_nothing(world, own_loan):
    with pytest.raises(LoanRuleError) as refused:
        documents.contract_print(loan=own_loan, by=world.inside.users[Role.MEMBER])
    assert refused.value.code == "role"
    assert not IdNumberView.objects.exists()


def test_staff_of_another_area_get_nothing(client, world, lent):
    for role in (Role.VILLAGE_CLERK, Role.COUNTY_OFFICE):
        client.force_login(world.outside.users[role])
        assert client.get(reverse("loans:loan_contract", args=[lent.pk])).status_code == 404
    with pytest.raises(LoanRuleError):
        documents.contract_print(loan=lent, by=world.outside.users[Role.VILLAGE_CLERK])
    assert not IdNumberView.objects.exists()


def test_staff_of_the_area_see_the_link_on_the_loan_page(client, lent, users):
    client.force_login(users[Role.TOWNSHIP_COMMITTEE])
    detail = client.get(reverse("loans:loan_detail", args=[lent.pk])).content.decode()
    assert reverse("loans:loan_contract", args=[lent.pk]) in detail


def test_the_public_notice_stays_masked_after_the_contract_is_printed(
    client, world, book, borrower, group, users, purposes
):
    from loans.services import applications

    clock = time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0), tick=False)
    clock.start()
    loan = apply_for(world, borrower, group, users, purposes, amount="8000")
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 1, 10))
    client.force_login(users[Role.VILLAGE_CLERK])
    contract = _text(client.get(reverse("loans:loan_contract", args=[loan.pk])).content)
    assert borrower.id_number in contract
    code = world.inside.village.code
    page = client.get(reverse("loans:public_notice", args=[code])).content.decode()
    pdf = _text(client.get(reverse("loans:public_notice_pdf", args=[code])).content)
    clock.stop()
    for notice in (page, pdf):
        assert borrower.masked_id_number in notice and borrower.id_number not in notice
