"""A member household's own pages (issue 12): the home figures on hand-built loans (on time,
10 days overdue, settled, none), the schedule's cards, receipts and notices, nothing of anyone
else's."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from loans.models import Loan
from loans.services import applications, money
from tests import factories
from tests.loans.conftest import apply_for, to_ready

D = datetime.date
pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))


@pytest.fixture
def household(world, group):
    return factories.scoped_member(world)  # a leader of `group`, linked to the member login


@pytest.fixture
def monthly(world, book, household, group, users, purposes):
    """6,000 yuan over 6 equal monthly instalments of 1,000, 6 % a year on the outstanding
    principal, paid out on 2026-01-15: the first instalment falls due on 2026-02-15."""
    loan = apply_for(
        world,
        household,
        group,
        users,
        purposes,
        amount="6000",
        term_months=6,
        schedule_kind="monthly",
    )
    loan = to_ready(loan, users)
    return money.loan_disburse(loan=loan, by=users[Role.TOWNSHIP_STATION], on=D(2026, 1, 15))


def _home(client, world):
    client.force_login(world.inside.users[Role.MEMBER])
    response = client.get("/")
    assert response.status_code == 200
    return response


def test_on_time_the_next_instalment_and_the_payoff(client, world, monthly, _today):
    _today.move_to(datetime.datetime(2026, 2, 1, 9, 0))
    home = _home(client, world).context["home"]
    assert home.loan == monthly and home.days_overdue == 0
    # Fee on the 6,000 outstanding from 01-15 to 02-15 (31 days): 6000 × 0.06 × 31/365.
    assert home.next.due_on == D(2026, 2, 15)
    assert home.next.principal == Decimal("1000.00")
    assert home.next.usage_fee == Decimal("30.58")
    assert home.next.total == Decimal("1030.58")
    # Settling today (17 days): 6000 + 6000 × 0.06 × 17/365 = 6000 + 16.77.
    assert home.owed.payoff == Decimal("6016.77")
    assert home.loan.principal_outstanding == Decimal("6000.00")
    page = _home(client, world).content.decode()
    assert "1030.58" in page and "6016.77" in page and "2026-02-15" in page
    assert 'class="card alert"' not in page


def test_ten_days_overdue_in_red_with_the_amount_for_today(client, world, monthly, _today):
    _today.move_to(datetime.datetime(2026, 2, 25, 9, 0))
    home = _home(client, world).context["home"]
    assert home.days_overdue == 10
    # Usage fee: 1000 × 31 days + 5000 × 41 days at 6 % = 236000 × 0.06/365 = 38.79;
    # overdue fee: 1000 × 10 days at 9 % = 2.47; principal due 1,000.
    assert home.owed.usage_fee == Decimal("38.79")
    assert home.owed.overdue_fee == Decimal("2.47")
    assert home.owed.due_now == Decimal("1041.26")
    assert home.owed.payoff == Decimal("6041.26")
    # The next instalment still to come is the second (03-15).
    assert home.next.due_on == D(2026, 3, 15)
    assert home.group_overdue is True  # the household itself is overdue
    page = _home(client, world).content.decode()
    assert 'class="card alert"' in page and "1041.26" in page
    assert "逾期 10 天" in page


def test_settled_shows_the_limits_and_the_clerk(client, world, monthly, users, _today):
    _today.move_to(datetime.datetime(2026, 2, 1, 9, 0))
    owed = Loan.objects.get(pk=monthly.pk)
    from loans.selectors.loans import owed_today

    payoff = owed_today(owed, D(2026, 2, 1)).payoff
    money.repayment_record(
        loan=owed, amount=payoff, paid_on=D(2026, 2, 1), by=users[Role.VILLAGE_CLERK], token="s"
    )
    home = _home(client, world).context["home"]
    assert home.loan is None and home.policy is not None
    assert home.first_loan is False  # a second loan: the first-loan cap no longer applies
    page = _home(client, world).content.decode()
    assert "村协会文书" in page
    assert "第一次借款最多" not in page
    statement = client.get(reverse("loans:member_statement")).context["doc"].statement
    assert statement.paid_principal == Decimal("6000.00")
    assert statement.paid_usage_fee == Decimal("16.77")


def test_no_loan_shows_the_limits_for_a_first_loan(client, world, household):
    response = _home(client, world)
    home = response.context["home"]
    assert home.loan is None and home.first_loan is True
    assert home.policy.first_loan_max_amount == Decimal("10000.00")
    assert home.fee_percent == "6"
    page = response.content.decode()
    assert "第一次借款最多" in page and "10000 元" in page
    assert home.contribution == Decimal("0")  # the books received nothing for this household


def test_schedule_cards_in_chinese(client, world, monthly, _today):
    _today.move_to(datetime.datetime(2026, 2, 25, 9, 0))
    client.force_login(world.inside.users[Role.MEMBER])
    response = client.get(reverse("loans:member_schedule"))
    cards = response.context["cards"]
    assert len(cards) == 6
    assert [c.status for c in cards[:2]] == ["overdue", "upcoming"]
    assert cards[0].days_overdue == 10
    page = response.content.decode()
    assert "逾期" in page and "未到期" in page and "<table" not in page


def test_receipts_and_the_pdf_link_are_the_households_own(client, world, monthly, users, _today):
    _today.move_to(datetime.datetime(2026, 2, 1, 9, 0))
    repayment = money.repayment_record(
        loan=monthly,
        amount=Decimal("500"),
        paid_on=D(2026, 2, 1),
        by=users[Role.VILLAGE_CLERK],
        token="r1",
    )
    client.force_login(world.inside.users[Role.MEMBER])
    listing = client.get(reverse("loans:member_repayments")).content.decode()
    receipt_url = reverse("loans:member_receipt", args=[repayment.pk])
    assert receipt_url in listing
    receipt = client.get(receipt_url).content.decode()
    assert "伍佰元整" in receipt
    pdf_url = reverse("loans:repayment_receipt", args=[monthly.pk, repayment.pk])
    assert pdf_url in receipt
    assert client.get(pdf_url).status_code == 200
    # The receipt names the clerk who took the money, never the clerk's login name.
    from loans import documents

    assert users[Role.VILLAGE_CLERK].username not in documents.receipt_html(repayment)
    # Another household of the same village, with its own login, sees none of it.
    other = factories.member(world.inside.association, name="李四")
    other_login = factories.user_with_role(Role.MEMBER, world.inside.village)
    from associations.services.members import member_link_login

    member_link_login(member=other, user=other_login)
    client.force_login(other_login)
    assert client.get(receipt_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    assert receipt_url not in client.get(reverse("loans:member_repayments")).content.decode()
    assert client.get(str(repayment.pk + 1000).join(["/my/repayments/", "/"])).status_code == 404


def test_notices_mask_ids_and_say_how_to_object(
    client, world, book, household, group, users, purposes, _today
):
    neighbour = group.memberships.filter(role="household").first().member
    loan = apply_for(world, neighbour, group, users, purposes, amount="5000")
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 1, 14))
    client.force_login(world.inside.users[Role.MEMBER])
    page = client.get(reverse("loans:member_notices")).content.decode()
    assert neighbour.masked_id_number in page and neighbour.id_number not in page
    assert "5000.00" in page and "异议" in page


def test_member_pages_carry_no_staff_menu_username_or_code(client, world, monthly):
    client.force_login(world.inside.users[Role.MEMBER])
    login = world.inside.users[Role.MEMBER]
    for name in (
        "home",
        "loans:member_schedule",
        "loans:member_repayments",
        "loans:member_statement",
        "loans:member_notices",
        "loans:member_account",
    ):
        page = client.get(reverse(name)).content.decode()
        assert login.username not in page, name
        assert world.inside.village.code not in page, name
        assert "pico" not in page and reverse("associations:member_list") not in page, name
        assert reverse("loans:loan_list") not in page, name
