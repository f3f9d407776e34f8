"""The account ledger is paged and period-filtered (issue 14), and the book list writes nothing
on a GET."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from associations.models import Role
from funds.journal import Cr, Dr, journal_post
from funds.models import Account, Book
from funds.selectors import account_ledger, account_ledger_page


def _post(book, clerk, day: datetime.date, amount: str) -> None:
    journal_post(
        book=book,
        date=day,
        memo=f"cash {amount}",
        kind="other",
        lines=[Dr("cash", Decimal(amount)), Cr("government_capital", Decimal(amount))],
        by=clerk,
    )


def test_every_page_carries_the_balance_of_the_full_ledger(book, clerk):
    today = timezone.localdate()
    for n in range(8):
        _post(book, clerk, today - datetime.timedelta(days=20 - n), f"{n + 1}.00")
    cash = Account.objects.get(book=book, key="cash")
    start = today - datetime.timedelta(days=17)  # the first three lines are before the period
    _opening, full = account_ledger(account=cash, start=start)
    balances = [row["balance"] for row in full]
    paged = []
    for number in (1, 2):
        ledger = account_ledger_page(account=cash, start=start, end=None, number=number, per_page=3)
        assert ledger.opening == Decimal("6.00")  # 1 + 2 + 3 before the period
        paged += [row["balance"] for row in ledger.rows]
        assert ledger.rows[0]["balance"] == ledger.brought_forward + ledger.rows[0]["debit"]
    assert paged == balances[:6]
    last = account_ledger_page(account=cash, start=start, end=None, per_page=3)
    assert last.page.number == 2 and [r["balance"] for r in last.rows] == balances[3:]


def test_ledger_page_defaults_to_this_year_in_a_few_queries(
    client, world, book, clerk, django_assert_max_num_queries
):
    today = timezone.localdate()
    _post(book, clerk, today.replace(month=1, day=1) - datetime.timedelta(days=1), "7.00")
    _post(book, clerk, today, "5.00")
    client.force_login(clerk)
    url = reverse("funds:account_ledger", args=[book.pk, "1001"])
    client.get(url)
    with django_assert_max_num_queries(16):
        body = client.get(url).content.decode()
    assert "cash 5.00" in body and "cash 7.00" not in body  # last year's line is brought in
    assert ">7.00</td>" in body  # a cell of its own (labelled for the phone cards)


def test_book_list_get_opens_no_books(client, world):
    office = world.inside.users[Role.COUNTY_OFFICE]
    client.force_login(office)
    before = Book.objects.count()
    response = client.get(reverse("funds:book_list"))
    assert Book.objects.count() == before
    assert response.context["unopened"] >= 1
    assert "个协会尚未建账" in response.content.decode()  # the note, in Chinese
