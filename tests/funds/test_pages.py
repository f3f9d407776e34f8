import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from associations.models import Role
from funds.journal import Cr, Dr, book_for_association, journal_post, pool_book_open
from funds.models import ApprovalStatus, CapitalContribution, Expense, JournalEntry, Transfer
from funds.selectors import balances_by_key
from funds.services import capital_receive, expense_decide, expense_record
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY


def _login(client, world, role, branch="inside"):
    client.force_login(getattr(world, branch).users[role])


def test_clerk_records_capital_and_sees_it_in_the_trial_balance(client, world, book):
    _login(client, world, Role.VILLAGE_CLERK)
    response = client.post(
        reverse("funds:capital_new", args=[book.pk]),
        {
            "source": "government",
            "contributor": "榆中县财政局",
            "amount": "300000",
            "received_on": "2026-03-01",
            "into": "bank",
            "idempotency_key": "capital-1",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("funds:book_detail", args=[book.pk])).content.decode()
    assert "政府拨入互助资金" in page and "300,000.00" in page


def test_bank_loan_without_terms_shows_the_reason_and_writes_nothing(client, world, book):
    _login(client, world, Role.VILLAGE_CLERK)
    response = client.post(
        reverse("funds:capital_new", args=[book.pk]),
        {
            "source": "bank_loan",
            "contributor": "农信社",
            "amount": "100000",
            "received_on": "2026-03-01",
            "into": "bank",
            "idempotency_key": "capital-1",
        },
    )
    assert response.status_code == 200
    assert "银行贷款须填写年利率和期限" in response.content.decode()
    assert not CapitalContribution.objects.exists() and not JournalEntry.objects.exists()


def test_expense_flow_through_the_pages(client, world, funded_book):
    _login(client, world, Role.VILLAGE_CLERK)
    url = reverse("funds:expense_list", args=[funded_book.pk])
    client.post(
        url,
        {
            "category": "travel",
            "payee": "去县城开会",
            "amount": "120",
            "spent_on": "2026-06-01",
            "advanced_by": "王建国",
            "idempotency_key": "expense-1",
        },
    )
    expense = Expense.objects.get()
    decide = reverse("funds:expense_decide", args=[funded_book.pk, expense.pk])
    refused = client.post(decide, {"decision": "approve"}, follow=True)  # the recorder himself
    assert "记录人不能审批" in refused.content.decode()
    _login(client, world, Role.VILLAGE_BOARD)
    client.post(decide, {"decision": "approve"})
    assert Expense.objects.get().status == ApprovalStatus.APPROVED
    _login(client, world, Role.COUNTY_OFFICE)
    report = client.get(reverse("funds:advances")).content.decode()
    assert "王建国" in report and "120.00" in report
    _login(client, world, Role.VILLAGE_CLERK)
    client.post(reverse("funds:expense_reimburse", args=[funded_book.pk, expense.pk]))
    assert balances_by_key(book=funded_book)["advances_payable"] == Decimal("0.00")


def test_a_board_member_cannot_record_an_expense(client, world, funded_book):
    _login(client, world, Role.VILLAGE_BOARD)
    response = client.post(
        reverse("funds:expense_list", args=[funded_book.pk]),
        {"category": "office", "payee": "x", "amount": "1", "spent_on": "2026-06-01"},
    )
    assert response.status_code == 404
    assert not Expense.objects.exists()


def test_station_closes_a_month_and_reverses_an_entry(client, world, funded_book):
    _login(client, world, Role.TOWNSHIP_STATION)
    client.post(
        reverse("funds:book_close", args=[funded_book.pk]),
        {
            "month": "2026-02",
            "cash_counted": "3000",
            "bank_counted": "500000",
            "idempotency_key": "c1",
        },
    )
    funded_book.refresh_from_db()
    assert funded_book.closed_through == datetime.date(2026, 2, 28)
    capital = JournalEntry.objects.filter(book=funded_book).first()
    url = reverse("funds:entry_detail", args=[funded_book.pk, capital.pk])
    page = client.post(url, {"on": "2026-06-10", "reason": "录错"}).content.decode()
    # A capital receipt is reversed through its own service, only once confirmed.
    assert "冲销此笔资金收款" in page and "请勾选以确认冲销" in page
    assert "过账冲销凭证" not in page
    assert not JournalEntry.objects.filter(reverses=capital).exists()
    entry = journal_post(
        book=funded_book,
        date=datetime.date(2026, 3, 5),
        memo="现金存银行",
        kind="other",
        by=world.inside.users[Role.VILLAGE_CLERK],
        lines=[Dr("bank", Decimal("100")), Cr("cash", Decimal("100"))],
    )
    url = reverse("funds:entry_detail", args=[funded_book.pk, entry.pk])
    closed = client.post(url, {"on": "2026-02-10", "reason": "录错"})
    assert "已结账至" in closed.content.decode()
    client.post(url, {"on": "2026-06-10", "reason": "录错"})
    assert JournalEntry.objects.filter(reverses=entry).count() == 1


def test_clerk_cannot_reverse(client, world, funded_book):
    _login(client, world, Role.VILLAGE_CLERK)
    entry = journal_post(  # an entry of no business record: the board or the station reverses
        book=funded_book,
        date=datetime.date(2026, 3, 5),
        memo="现金存银行",
        kind="other",
        by=world.inside.users[Role.VILLAGE_CLERK],
        lines=[Dr("bank", Decimal("100")), Cr("cash", Decimal("100"))],
    )
    response = client.post(
        reverse("funds:entry_detail", args=[funded_book.pk, entry.pk]),
        {"on": "2026-06-10", "reason": "x"},
    )
    assert response.status_code == 404
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_trial_balance_and_cash_book_export(client, world, funded_book):
    _login(client, world, Role.AUDITOR)
    response = client.get(reverse("funds:book_export", args=[funded_book.pk, "trial_balance"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["1002"][2] == 500000 and rows["3101"][3] == 500000
    ledger = client.get(
        reverse("funds:book_export", args=[funded_book.pk, "ledger"]),
        {"account": "1001", "start": "2026-01-11"},
    )
    cells = list(
        openpyxl.load_workbook(io.BytesIO(ledger.content)).active.iter_rows(values_only=True)
    )
    assert cells[2][-1] == 0  # opening balance before the 3,000 contribution on 01-12
    assert cells[3][2] == 3000 and cells[3][-1] == 3000
    _login(client, world, Role.AUDITOR, "outside")
    assert (
        client.get(reverse("funds:book_export", args=[funded_book.pk, "trial_balance"])).status_code
        == 404
    )


def test_book_list_balances_in_constant_queries(
    client, world, funded_book, django_assert_max_num_queries
):
    for branch in (world.inside, world.outside):
        book = book_for_association(branch.association)
        capital_receive(
            book=book,
            source="social",
            contributor="x",
            amount=Decimal("10"),
            received_on=datetime.date(2026, 1, 1),
            by=branch.users["village_clerk"],
        )
    admin = world.inside.users[Role.CITY_OFFICE]
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    client.get(reverse("funds:book_list"))
    with django_assert_max_num_queries(9):  # balances: closed totals, then later lines
        body = client.get(reverse("funds:book_list")).content.decode()
    assert "500,010.00" in body and ">10.00</td>" in body  # both books, one page


def test_county_opens_its_pool_and_transfers_with_four_eyes(client, world, book):
    county = world.inside.users[Role.COUNTY_OFFICE]
    client.force_login(county)
    client.post(reverse("funds:book_list"))
    pool = pool_book_open(area=world.inside.county)
    capital_receive(
        book=pool,
        source="government",
        contributor="省财政",
        amount=Decimal("100000"),
        received_on=datetime.date(2026, 1, 2),
        by=county,
    )
    client.post(
        reverse("funds:transfers", args=[pool.pk]),
        {
            "target": book.pk,
            "kind": "allocate",
            "amount": "40000",
            "on": "2026-02-01",
            "reason": "按需分配",
            "idempotency_key": "transfer-1",
        },
    )
    transfer = Transfer.objects.get()
    decide = reverse("funds:transfer_decide", args=[transfer.pk])
    page = client.post(decide, {"decision": "approve"}, follow=True).content.decode()
    assert "申请人不能审批" in page
    second = world.inside.users[Role.AUDITOR]
    from associations.services.associations import role_assign

    role_assign(user=second, role=Role.COUNTY_OFFICE, area=world.inside.county)
    client.force_login(second)
    client.post(decide, {"decision": "approve"})
    assert balances_by_key(book=book)["bank"] == Decimal("40000.00")


def test_surplus_statement_propose_and_approve(client, world, funded_book):
    from funds.journal import Cr, Dr, journal_post

    journal_post(
        book=funded_book,
        date=datetime.date(2025, 12, 1),
        memo="占用费",
        kind="repayment",
        by=None,
        lines=[Dr("cash", Decimal("1000")), Cr("usage_fee_income", Decimal("1000"))],
    )
    url = reverse("funds:surplus", args=[funded_book.pk, 2025])
    _login(client, world, Role.VILLAGE_CLERK)
    bad = client.post(
        url,
        {
            "action": "propose",
            "accumulation": "50",
            "welfare": "20",
            "risk_reserve": "10",
            "running_costs": "30",
            "dividends": "0",
        },
    )
    assert "合计必须为 100%" in bad.content.decode()
    client.post(
        url,
        {
            "action": "propose",
            "accumulation": "40",
            "welfare": "20",
            "risk_reserve": "10",
            "running_costs": "30",
            "dividends": "0",
        },
    )
    _login(client, world, Role.VILLAGE_BOARD)
    client.post(url, {"action": "approve"})
    statement = client.get(url).content.decode()
    assert "已批准" in statement and "400.00" in statement
    assert balances_by_key(book=funded_book)["accumulation"] == Decimal("400.00")


@pytest.mark.parametrize("role", [Role.MEMBER])
def test_members_see_no_books(client, world, role, funded_book):
    _login(client, world, role)
    assert client.get(reverse("funds:book_list")).status_code == 404
    assert client.get(reverse("funds:book_detail", args=[funded_book.pk])).status_code == 404


def test_expense_decided_by_the_wrong_level_is_refused(world, funded_book, clerk):
    expense = expense_record(
        book=funded_book,
        category="office",
        payee="x",
        amount=Decimal("1500"),
        spent_on=datetime.date(2026, 6, 1),
        by=clerk,
    )
    other_clerk_area = world.inside.village
    from tests import factories

    second_clerk = factories.user_with_role(Role.VILLAGE_CLERK, other_clerk_area)
    from funds.exceptions import FundsRuleError

    with pytest.raises(FundsRuleError) as raised:
        expense_decide(expense=expense, by=second_clerk, approve=True)
    assert raised.value.code == "approver_level"
