"""On a 360 px phone, without scrolling sideways: the clerk receives a household's contribution
from its member page and sees the books' figure; the clerk reverses a capital receipt from its
entry's page after ticking the confirmation (issue 9). Screenshots go to pytest's tmp_path."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from associations.models import Role
from funds.journal import book_for_association
from funds.models import JournalEntry
from funds.services import capital_receive, capital_reversal, member_contribution_held
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _font_px(page, selector: str) -> float:
    size = page.eval_on_selector(selector, "e => getComputedStyle(e).fontSize")
    return float(size.removesuffix("px"))


def _login(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_clerk_receives_a_contribution_on_a_phone(page, live_server, world, tmp_path):
    member = factories.member(world.inside.association, name="马福海")
    _login(page, live_server, world.inside.users[Role.VILLAGE_CLERK])
    page.goto(f"{live_server.url}/members/{member.pk}/")
    _fits(page)
    amount = page.get_by_label("收取金额（元）")
    assert _font_px(page, "#contribution label") >= 16
    amount.fill("350.50")
    page.get_by_role("button", name="收取股金/互助金").click()
    expect(page.get_by_text("账上现有 350.50 元")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(tmp_path / "member-contribution-360.png"), full_page=True)
    assert member_contribution_held(member) == Decimal("350.50")


def test_clerk_reverses_a_capital_receipt_on_a_phone(page, live_server, world, tmp_path):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    receipt = capital_receive(
        book=book_for_association(world.inside.association),
        source="government",
        contributor="榆中县财政局",
        amount=Decimal("5000"),
        received_on=timezone.localdate(),
        by=clerk,
    )
    _login(page, live_server, clerk)
    page.goto(f"{live_server.url}/funds/books/{receipt.book_id}/entries/{receipt.entry_id}/")
    _fits(page)
    page.get_by_text("冲销此笔资金收款").click()  # opens the <details>
    page.get_by_label("原因").fill("重复登记")
    page.get_by_role("button", name="冲销资金收款").click()
    expect(page.get_by_text("请勾选以确认冲销")).to_be_visible()  # not done without the tick
    assert capital_reversal(receipt) is None
    page.get_by_label("我确认").check()
    page.get_by_role("button", name="冲销资金收款").click()
    expect(page.get_by_text("资金收款已冲销")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(tmp_path / "capital-reversed-360.png"), full_page=True)
    assert JournalEntry.objects.filter(reverses_id=receipt.entry_id).count() == 1
