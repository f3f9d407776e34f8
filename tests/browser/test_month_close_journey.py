"""The township station reviews and closes a month for all its villages at 360 px (issue 13,
item 5), on the demo world: one village's cash count is wrong and stays open while the others
close; the station then explains the difference on that village's review page and prints the
month summary. Screenshots go to pytest's tmp_path."""

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from funds.closing.selectors import last_ended_month, month_bounds
from funds.models import Book, MonthClose
from funds.selectors import balances_by_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px: {width}"


def test_station_closes_a_month_for_all_villages(page, live_server, tmp_path, settings):
    settings.DEMO_HISTORY = False
    call_command("load_demo")
    month = last_ended_month(datetime.date.today())
    _start, end = month_bounds(month)
    books = list(
        Book.objects.filter(association__isnull=False, area__code__startswith="620123100")
        .exclude(closed_through__gte=end)
        .order_by("area__code")
    )
    assert len(books) >= 2, "the demo township has at least two village books to close"

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill("station_chengguan")
    page.get_by_label("密码").fill("demo-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/funds/close/?month={month:%Y-%m}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("各村统一月结")
    _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "close-all-review-360.png"), full_page=True)
    wrong = books[0]
    for book in books:
        balances = balances_by_key(book=book, through=end)
        cash, bank = balances.get("cash", 0), balances.get("bank", 0)
        if book == wrong:
            cash += 10  # counted ten yuan more than the books, with no reason given
        page.locator(f"#id_cash_{book.pk}").fill(f"{cash:.2f}")
        page.locator(f"#id_bank_{book.pk}").fill(f"{bank:.2f}")
    page.get_by_role("button", name="结账已盘点的账簿").click()
    expect(page.get_by_text("未结账").first).to_be_visible()
    expect(page.get_by_text(f"{wrong.name}：未结账")).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "close-all-outcome-360.png"), full_page=True)
    closed = {c.book_id for c in MonthClose.objects.filter(month_end=end)}
    assert closed == {b.pk for b in books[1:]}

    # The wrong village from the status table: its review page, the count with a reason.
    page.get_by_role("link", name=wrong.area.name).first.click()
    expect(page.get_by_text("月末未结事项")).to_be_visible()
    balances = balances_by_key(book=wrong, through=end)
    page.get_by_label("实点现金（元）").fill(f"{balances.get('cash', 0) + 10:.2f}")
    page.get_by_label("银行对账单余额（元）").fill(f"{balances.get('bank', 0):.2f}")
    _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "book-review-360.png"), full_page=True)
    page.get_by_role("button", name="结账", exact=True).click()
    expect(page.get_by_text("差异原因").first).to_be_visible()  # refused: say why
    page.get_by_label("差异原因").fill("多出10元为上月未入账的零钱，已核实")
    page.get_by_role("button", name="结账", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("月度结账汇总")
    expect(page.get_by_text("多出10元为上月未入账的零钱，已核实")).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "month-summary-360.png"), full_page=True)
    # Every figure of the summary is on screen: its tables turn into cards at 360 px.
    for cell in page.locator("table.cards td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360, cell.inner_text()
    assert MonthClose.objects.filter(month_end=end).count() == len(books)
    print("screenshots in", tmp_path)
