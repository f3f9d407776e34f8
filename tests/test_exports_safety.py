"""No Excel export carries a live formula (issue 9): a member named like a formula and a
repayment memo starting with `+` come out as text that Excel and LibreOffice show literally."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.conf import settings
from django.urls import reverse

from associations.models import Role
from funds.journal import book_for_association
from funds.services import capital_receive
from guarantees.services import group_form
from loans.models import LoanPurpose
from loans.services import money
from mutualaid.xlsx import FORMULA_TRIGGERS, SafeXLSX, dataset_xlsx
from tests import factories
from tests.loans.conftest import apply_for, to_ready

EVIL_NAME = '=HYPERLINK("http://evil.example/","x")'
PLUS_NAME = "+1 王五"  # the repayment memo is "<name>还款"


@pytest.fixture
def world_with_formulas(world):
    """A group led by EVIL_NAME, and a loan to PLUS_NAME, disbursed and partly repaid."""
    association, users = world.inside.association, world.inside.users
    clerk = users[Role.VILLAGE_CLERK]
    evil = factories.member(association, name=EVIL_NAME, is_party_member=True)
    plus = factories.member(association, name=PLUS_NAME)
    group = group_form(
        association=association,
        name="联保二组",
        formed_on=datetime.date(2024, 1, 1),
        leaders=[evil],
        households=[plus, *(factories.member(association, name=f"户{i}") for i in range(2))],
        by=clerk,
    )
    book = book_for_association(association)
    capital_receive(
        book=book,
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("20000"),
        received_on=datetime.date(2026, 1, 2),
        by=clerk,
    )
    purposes = {p.code: p for p in LoanPurpose.objects.all()}
    loan = to_ready(apply_for(world, plus, group, users, purposes, amount="3000"), users)
    money.loan_disburse(loan=loan, by=users[Role.TOWNSHIP_STATION], on=datetime.date(2026, 1, 15))
    money.repayment_record(
        loan=loan,
        amount=Decimal("500"),
        paid_on=datetime.date(2026, 2, 15),
        by=clerk,
        token="formula-test",
    )
    return book


def _cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_no_live_formula(cells) -> None:
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
            assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)


def _download(client, world, url: str) -> bytes:
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def _cell(cells, text: str):
    found = [c for c in cells if isinstance(c.value, str) and c.value.startswith(text)]
    assert found, f"{text!r} is not in the export"
    return found[0]


def test_member_roster_shows_a_formula_name_as_text(client, world, world_with_formulas):
    cells = _cells(_download(client, world, reverse("associations:member_export")))
    evil = _cell(cells, EVIL_NAME)
    assert evil.value == EVIL_NAME  # the text itself is unchanged: an import reads it back
    assert evil.data_type == "s" and evil.quotePrefix
    _assert_no_live_formula(cells)


def test_group_export_shows_a_formula_name_as_text(client, world, world_with_formulas):
    cells = _cells(_download(client, world, reverse("guarantees:group_export")))
    assert _cell(cells, EVIL_NAME).quotePrefix
    assert _cell(cells, PLUS_NAME).quotePrefix
    _assert_no_live_formula(cells)


def test_cash_book_shows_a_plus_memo_as_text_and_amounts_as_numbers(
    client, world, world_with_formulas
):
    url = reverse("funds:book_export", args=[world_with_formulas.pk, "ledger"])
    cells = _cells(_download(client, world, url + "?account=1001"))
    memo = _cell(cells, PLUS_NAME)
    assert memo.value.startswith("+") and memo.data_type == "s" and memo.quotePrefix
    row = [c for c in cells if c.row == memo.row]
    amounts = [c.value for c in row[2:] if c.value not in (None, "")]
    assert amounts and all(isinstance(v, int | float) for v in amounts)
    assert Decimal("500") in {Decimal(str(v)) for v in amounts}
    _assert_no_live_formula(cells)


def test_trial_balance_export_has_no_formula_and_numeric_amounts(
    client, world, world_with_formulas
):
    url = reverse("funds:book_export", args=[world_with_formulas.pk, "trial_balance"])
    cells = _cells(_download(client, world, url))
    _assert_no_live_formula(cells)
    cash = _cell(cells, "1001")
    debit = [c for c in cells if c.row == cash.row][2]
    assert debit.data_type == "n" and debit.value >= 20000


@pytest.mark.parametrize("text", [f"{t}cmd|' /C calc'!A0" for t in FORMULA_TRIGGERS])
def test_every_trigger_is_made_literal_and_numbers_stay_numbers(text):
    data = tablib.Dataset(headers=["名称", "金额"])
    data.append([text, Decimal("-550.00")])
    data.append(["普通文字", -3])
    cells = _cells(dataset_xlsx(data))
    name, amount, plain, small = cells[2:6]
    assert name.value == text.replace("\r", "\n") or name.value == text
    assert name.data_type == "s" and name.quotePrefix
    assert amount.data_type == "n" and amount.value == -550
    assert small.data_type == "n" and small.value == -3
    assert plain.data_type == "s" and not plain.quotePrefix


def test_admin_exports_use_the_safe_format():
    assert [SafeXLSX] == settings.EXPORT_FORMATS
    data = tablib.Dataset(headers=["code", "name"])
    data.append(["620123", "@SUM(A1)"])
    cell = _cells(SafeXLSX().export_data(data))[3]
    assert cell.value == "@SUM(A1)" and cell.quotePrefix


@pytest.mark.parametrize("role", [Role.VILLAGE_CLERK, Role.COUNTY_OFFICE])
def test_every_excel_download_of_the_app_is_safe(client, world, world_with_formulas, role):
    """Every URL of the app (found from the resolver, as the scoping test does) that answers
    with a workbook: no live formula, and the formula-like names are literal text. A new export
    that bypasses mutualaid.xlsx fails here."""
    from tests.scoping_registry import URL_KWARGS
    from tests.test_scoping import KWARG, app_urls

    client.force_login(world.inside.users[role])
    workbooks = 0
    for route, name in app_urls():
        kwargs = {key: URL_KWARGS[key](world) for key in KWARG.findall(route)}
        response = client.get(reverse(name, kwargs=kwargs))
        if "spreadsheetml" not in response.get("Content-Type", ""):
            continue
        workbooks += 1
        _assert_no_live_formula(_cells(response.content))
    assert workbooks >= 2
