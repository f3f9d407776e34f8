"""The month close (issue 13, item 5): the review's figures as at the month's end, the count
that gates the close, the township's close of all its books, roles, and the pages."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from associations.models import Role
from funds.closing.selectors import month_review, month_summary
from funds.closing.services import BookCount, month_close_all, month_close_counted
from funds.exceptions import FundsRuleError
from funds.journal import book_for_association, pool_book_open
from funds.models import Book, MonthClose
from funds.services import (
    capital_receive,
    expense_decide,
    expense_record,
    expense_reimburse,
    transfer_request,
)
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY

D = datetime.date
MAY = D(2026, 5, 1)
TODAY = D(2026, 6, 15)


def _at(traveller, day: D) -> None:
    traveller.move_to(datetime.datetime(day.year, day.month, day.day, 10, 0))


@pytest.fixture
def may_book(funded_book, clerk, board, world, _today):
    """funded_book (bank 500,000 on 10 Jan, cash 3,000 on 12 Jan) and May's business:

    - advance A, 120 by 李会计 on 5 May, approved 6 May, never reimbursed      -> open, 120
    - advance B, 80 by 王主任 on 6 May, approved 6 May, reimbursed 20 May     -> cash -80
    - expense C, 300 paid by the fund on 10 May, undecided                   -> open, 300
    - expense D, 50 paid by the fund on 12 May, approved 12 May              -> cash -50
    - advance F, 60 by 赵出纳 on 28 May, approved 2 June: posted on 28 May    -> open, 60
    - expense E, 40 on 2 June: another month, not counted
    - a capital allocation of 20,000 from the county pool requested 15 May   -> open, 20,000
    Cash at 31 May: 3,000 - 80 - 50 = 2,870; bank 500,000.
    """

    def record(amount, spent_on, advanced_by=""):
        return expense_record(
            book=funded_book,
            category="office",
            payee="文具店",
            amount=Decimal(amount),
            spent_on=spent_on,
            advanced_by=advanced_by,
            by=clerk,
        )

    _at(_today, D(2026, 5, 6))
    a = record("120", D(2026, 5, 5), "李会计")
    b = record("80", D(2026, 5, 6), "王主任")
    expense_decide(expense=a, by=board, approve=True)
    expense_decide(expense=b, by=board, approve=True)
    _at(_today, D(2026, 5, 12))
    record("300", D(2026, 5, 10))
    expense_decide(expense=record("50", D(2026, 5, 12)), by=board, approve=True)
    _at(_today, D(2026, 5, 20))
    expense_reimburse(expense=b, on=D(2026, 5, 20), by=clerk)
    _at(_today, D(2026, 5, 28))
    f = record("60", D(2026, 5, 28), "赵出纳")
    transfer_request(
        pool=pool_book_open(area=world.inside.county),
        target=funded_book,
        kind="allocate",
        amount=Decimal("20000"),
        on=D(2026, 5, 15),
        reason="分配",
        by=world.inside.users[Role.COUNTY_OFFICE],
    )
    _at(_today, D(2026, 6, 2))
    expense_decide(expense=f, by=board, approve=True)
    record("40", D(2026, 6, 2))
    _at(_today, TODAY)
    return Book.objects.get(pk=funded_book.pk)


def test_review_lists_what_was_open_at_the_months_end(may_book):
    review = month_review(book=may_book, month=MAY, today=TODAY)
    assert [e.amount for e in review.advances] == [Decimal("120.00"), Decimal("60.00")]
    assert [e.amount for e in review.expenses] == [Decimal("300.00")]
    assert [t.amount for t in review.transfers] == [Decimal("20000.00")]
    assert review.totals == {
        "advances": Decimal("180.00"),
        "expenses": Decimal("300.00"),
        "transfers": Decimal("20000.00"),
    }
    assert (review.cash, review.bank) == (Decimal("2870.00"), Decimal("500000.00"))
    assert review.ended and not review.closed
    assert review.open_items == 4
    # Nothing was closed before: January to April stay open and close with May.
    assert review.open_months_before == 4


def test_a_count_that_differs_needs_a_reason_and_writes_nothing_without_one(may_book, station):
    with pytest.raises(FundsRuleError) as refused:
        month_close_counted(
            book=may_book,
            month=MAY,
            cash_counted=Decimal("2850"),
            bank_counted=Decimal("500000"),
            by=station,
        )
    assert refused.value.code == "count_differs"
    assert "-20.00" in str(refused.value.message) or "20.00" in str(refused.value.message)
    may_book.refresh_from_db()
    assert may_book.closed_through is None and not MonthClose.objects.exists()

    close = month_close_counted(
        book=may_book,
        month=MAY,
        cash_counted=Decimal("2850"),
        bank_counted=Decimal("500000"),
        reason="  20元短款，出纳已书面说明  ",
        by=station,
    )
    may_book.refresh_from_db()
    assert may_book.closed_through == D(2026, 5, 31)
    assert (close.cash_in_books, close.cash_counted) == (Decimal("2870.00"), Decimal("2850.00"))
    assert (close.bank_in_books, close.bank_counted) == (Decimal("500000.00"),) * 2
    assert close.difference_reason == "20元短款，出纳已书面说明"


def test_an_equal_count_closes_without_a_reason(may_book, station):
    close = month_close_counted(
        book=may_book,
        month=MAY,
        cash_counted=Decimal("2870"),
        bank_counted=Decimal("500000.00"),
        reason="not needed",
        by=station,
    )
    assert close.difference_reason == ""
    with pytest.raises(FundsRuleError) as again:
        month_close_counted(
            book=may_book, month=MAY, cash_counted=Decimal("2870"), bank_counted=0, by=station
        )
    assert again.value.code in ("already_closed", "count_differs")
    assert MonthClose.objects.count() == 1


def test_summary_balances_and_movements_of_the_month(may_book, station, board):
    month_close_counted(
        book=may_book,
        month=MAY,
        cash_counted=Decimal("2870"),
        bank_counted=Decimal("500000"),
        by=station,
    )
    summary = month_summary(book=may_book, month=MAY, today=TODAY)
    rows = {row.code: row for row in summary.rows}
    cash = rows["1001"]
    assert (cash.opening, cash.debit, cash.credit, cash.closing) == (
        Decimal("3000.00"),
        Decimal("0"),
        Decimal("130.00"),
        Decimal("2870.00"),
    )
    # May's running costs: 120 + 80 + 50 + 60 (approved in June, posted on its day in May).
    costs = next(row for row in summary.rows if row.debit == Decimal("310.00"))
    assert costs.opening == Decimal("0") and costs.closing == Decimal("310.00")
    # Advances payable: 120 + 80 + 60 in, 80 paid back.
    payable = next(row for row in summary.rows if row.credit == Decimal("260.00"))
    assert (payable.debit, payable.closing) == (Decimal("80.00"), Decimal("180.00"))
    # Entries in May: A, B, D, F and B's reimbursement.
    assert summary.entries == 5
    assert summary.review.close is not None and summary.review.close.cash_counted == Decimal("2870")
    # Expense C decided after the close posts on June's first day: still open in May's summary.
    pending = summary.review.expenses[0]
    expense_decide(expense=pending, by=board, approve=True)
    pending.refresh_from_db()
    assert pending.entry.date == D(2026, 6, 1)
    later = month_summary(book=may_book, month=MAY, today=TODAY)
    assert [e.pk for e in later.review.expenses] == [pending.pk]
    assert {r.code: r.closing for r in later.rows} == {r.code: r.closing for r in summary.rows}


@pytest.mark.parametrize(
    ("branch", "role"),
    [
        ("outside", Role.TOWNSHIP_STATION),
        ("inside", Role.VILLAGE_CLERK),
        ("inside", Role.COUNTY_OFFICE),
    ],
)
def test_only_the_station_of_the_books_area_closes(world, funded_book, branch, role):
    user = getattr(world, branch).users[role]
    with pytest.raises(FundsRuleError) as refused:
        month_close_counted(
            book=funded_book,
            month=MAY,
            cash_counted=Decimal("3000"),
            bank_counted=Decimal("500000"),
            by=user,
        )
    assert refused.value.code == "role"
    funded_book.refresh_from_db()
    assert funded_book.closed_through is None


@pytest.fixture
def second_book(world, clerk):
    """Another village of the inside township, with 1,000 in cash."""
    village = factories.area(
        world.inside.village.code[:9] + "299", "西村", "village", world.inside.township
    )
    book = book_for_association(factories.association(village))
    factories.user_with_role(Role.VILLAGE_CLERK, village, username="clerk_xicun")
    capital_receive(
        book=book,
        source="member",
        contributor="社员",
        amount=Decimal("1000"),
        received_on=D(2026, 2, 1),
        into="cash",
        by=book.area.role_assignments.get().user,
    )
    return book


def test_close_all_closes_each_book_on_its_own(world, funded_book, second_book, station):
    outside = book_for_association(world.outside.association)
    outcomes = month_close_all(
        counts=[
            BookCount(funded_book, Decimal("2999"), Decimal("500000")),  # differs, no reason
            BookCount(second_book, Decimal("1000"), Decimal("0")),
            BookCount(outside, Decimal("0"), Decimal("0")),  # not the station's area
        ],
        month=MAY,
        by=station,
    )
    assert [bool(o.close) for o in outcomes] == [False, True, False]
    assert "1.00" in outcomes[0].error
    assert outcomes[2].error
    for book, closed in ((funded_book, None), (second_book, D(2026, 5, 31)), (outside, None)):
        book.refresh_from_db()
        assert book.closed_through == closed
    assert MonthClose.objects.count() == 1


def test_close_all_page_reports_per_book_and_a_second_submit_writes_once(
    client, world, funded_book, second_book, station
):
    client.force_login(station)
    url = reverse("funds:close_all")
    page = client.get(url, {"month": "2026-05"})
    assert page.status_code == 200
    key = page.context["form"]["idempotency_key"].value()
    data = {
        "idempotency_key": key,
        "month": "2026-05",
        f"cash_{funded_book.pk}": "2999",
        f"bank_{funded_book.pk}": "500000",
        f"cash_{second_book.pk}": "1000",
        f"bank_{second_book.pk}": "0",
    }
    first = client.post(url, data)
    assert first.status_code == 302
    shown = [str(m) for m in get_messages(first.wsgi_request)]
    assert len(shown) == 2
    assert any("西村" in m and "2026" in m for m in shown)
    assert any(funded_book.name in m and "1.00" in m for m in shown)
    client.post(url, data)  # the same form again: nothing more
    assert MonthClose.objects.count() == 1

    page = client.get(url, {"month": "2026-05"})
    statuses = {r.book.pk: r.closed for r, _error in page.context["rows"]}
    assert statuses == {funded_book.pk: False, second_book.pk: True}
    data = {
        "idempotency_key": page.context["form"]["idempotency_key"].value(),
        "month": "2026-05",
        f"cash_{funded_book.pk}": "2999",
        f"bank_{funded_book.pk}": "500000",
        f"reason_{funded_book.pk}": "1元差额为零钱",
    }
    assert client.post(url, data).status_code == 302
    funded_book.refresh_from_db()
    assert funded_book.closed_through == D(2026, 5, 31)
    assert MonthClose.objects.count() == 2


def test_close_all_with_every_book_refused_writes_nothing_and_keeps_the_typing(
    client, funded_book, station
):
    client.force_login(station)
    url = reverse("funds:close_all")
    key = client.get(url, {"month": "2026-05"}).context["form"]["idempotency_key"].value()
    data = {"idempotency_key": key, "month": "2026-05", f"cash_{funded_book.pk}": "1"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"][f"cash_{funded_book.pk}"].value() == "1"
    assert refused.context["outcomes"][0].error
    assert not MonthClose.objects.exists()
    data[f"bank_{funded_book.pk}"] = "500000"
    data[f"cash_{funded_book.pk}"] = "3000"
    assert client.post(url, data).status_code == 302  # the same key, free again
    assert MonthClose.objects.count() == 1


def test_review_page_closes_once_and_shows_the_summary(client, may_book, station):
    client.force_login(station)
    url = reverse("funds:book_close", args=[may_book.pk])
    page = client.get(url, {"month": "2026-05"})
    body = page.content.decode()
    assert page.status_code == 200 and "2,870.00" in body and "20,000.00" in body
    key = page.context["form"]["idempotency_key"].value()
    data = {
        "idempotency_key": key,
        "month": "2026-05",
        "cash_counted": "2860",
        "bank_counted": "500000",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    assert not MonthClose.objects.exists()
    data["reason"] = "10元待查"
    done = client.post(url, data)
    assert done.status_code == 302 and "summary" in done["Location"]
    client.post(url, data)
    assert MonthClose.objects.count() == 1
    summary = client.get(done["Location"])
    assert "10元待查" in summary.content.decode()
    pdf = client.get(reverse("funds:month_summary_pdf", args=[may_book.pk]), {"month": "2026-05"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    text = text.replace(" ", "").replace("\n", "")
    # In Chinese, with the count, the reason and the open items of the month.
    for expected in (
        "月度结账汇总",
        "2,870.00",
        "2,860.00",
        "10元待查",
        "20,000.00",
        "未报销的垫付款",
    ):
        assert expected in text, expected


def test_book_page_links_the_surplus_of_closed_years(client, funded_book, station, clerk):
    from funds.journal import month_close

    client.force_login(clerk)
    page = client.get(reverse("funds:book_detail", args=[funded_book.pk])).content.decode()
    assert reverse("funds:surplus", args=[funded_book.pk, 2025]) not in page
    capital_receive(
        book=funded_book,
        source="member",
        contributor="社员",
        amount=Decimal("10"),
        received_on=D(2025, 11, 3),
        into="cash",
        by=clerk,
    )
    month_close(book=funded_book, month=D(2026, 1, 1), by=station)
    page = client.get(reverse("funds:book_detail", args=[funded_book.pk])).content.decode()
    assert reverse("funds:surplus", args=[funded_book.pk, 2025]) in page
    assert reverse("funds:surplus", args=[funded_book.pk, 2026]) not in page


def test_the_station_finds_the_close_from_home_and_the_book_list(
    client, funded_book, station, clerk
):
    client.force_login(station)
    home = client.get("/").content.decode()
    assert reverse("funds:close_all") in home
    assert reverse("funds:book_close", args=[funded_book.pk]) in home
    assert reverse("funds:close_all") in client.get(reverse("funds:book_list")).content.decode()
    client.force_login(clerk)
    assert reverse("funds:close_all") not in client.get(reverse("funds:book_list")).content.decode()


def test_the_township_review_reads_in_the_same_queries_for_one_book_or_many(
    world, funded_book, station, clerk
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from funds.closing.selectors import township_review

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            reviews = township_review(
                user=station, roles={Role.TOWNSHIP_STATION}, month=MAY, today=TODAY
            )
        return len(captured), len(reviews)

    queries()  # the user's roles are read once and kept on the user
    one = queries()
    for n in range(3):
        village = factories.area(
            world.inside.village.code[:9] + f"29{n}", f"新村{n}", "village", world.inside.township
        )
        book = book_for_association(factories.association(village))
        record = expense_record(
            book=book,
            category="office",
            payee="文具店",
            amount=Decimal("5"),
            spent_on=D(2026, 5, 3),
            advanced_by="某人",
            by=station,
        )
        assert record.pk
    many = queries()
    assert (one[1], many[1]) == (1, 4)
    assert many[0] == one[0]
