"""On a 360 px phone, without scrolling sideways: the clerk follows a mistaken contribution from
the member page's contribution lines to its entry page and reverses it after ticking the
confirmation (issue 9, "money only through its own record"); the same for an expense from the
expense list. Screenshots go to pytest's tmp_path."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from associations.models import Role
from funds.journal import book_for_association
from funds.models import JournalEntry
from funds.services import (
    capital_receive,
    expense_decide,
    expense_record,
    expense_reversal,
    member_contribution_held,
    member_contribution_receive,
)
from tests import factories
from tests.browser.test_contribution_and_capital_browser import _fits, _font_px, _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _confirm(page, summary: str) -> None:
    page.get_by_text(summary).click()  # opens the <details>
    assert _font_px(page, "#record-reverse p") >= 16
    page.get_by_label("原因").fill("重复收款")
    page.get_by_role("button", name="过账冲销").click()
    expect(page.get_by_text("请勾选以确认冲销")).to_be_visible()  # not done without the tick
    page.get_by_label("我确认").check()
    page.get_by_role("button", name="过账冲销").click()


def test_clerk_reverses_a_contribution_from_the_member_page(page, live_server, world, tmp_path):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    member = factories.member(world.inside.association, name="马福海")
    for amount in ("300", "300"):  # received twice by mistake
        member_contribution_receive(
            member=member, amount=Decimal(amount), on=timezone.localdate(), by=clerk
        )
    _login(page, live_server, clerk)
    page.goto(f"{live_server.url}/members/{member.pk}/")
    _fits(page)
    page.locator("#contribution-lines").get_by_text("冲销此笔缴款").last.click()
    _fits(page)
    _confirm(page, "冲销此笔缴款")
    expect(page.get_by_text("缴款已冲销")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(tmp_path / "contribution-reversed-360.png"), full_page=True)
    assert member_contribution_held(member) == Decimal("300.00")
    page.goto(f"{live_server.url}/members/{member.pk}/")
    expect(page.locator("#contribution-lines").get_by_text("已冲销")).to_be_visible()
    _fits(page)


def test_clerk_reverses_an_expense_from_the_expense_list(page, live_server, world, tmp_path):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    book = book_for_association(world.inside.association)
    today = timezone.localdate()
    capital_receive(
        book=book,
        source="government",
        contributor="榆中县财政局",
        into="cash",
        amount=Decimal("5000"),
        received_on=today,
        by=clerk,
    )
    expense = expense_record(
        book=book,
        category="office",
        payee="文具店",
        amount=Decimal("180"),
        spent_on=today,
        by=clerk,
    )
    expense = expense_decide(
        expense=expense, by=world.inside.users[Role.VILLAGE_BOARD], approve=True
    )
    _login(page, live_server, clerk)
    page.goto(f"{live_server.url}/funds/books/{book.pk}/expenses/")
    _fits(page)
    page.get_by_role("link", name="冲销此笔费用").click()
    _fits(page)
    _confirm(page, "冲销此笔费用")
    expect(page.get_by_text("费用已冲销")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(tmp_path / "expense-reversed-360.png"), full_page=True)
    assert expense_reversal(expense) is not None
    assert JournalEntry.objects.filter(reverses_id=expense.entry_id).count() == 1
