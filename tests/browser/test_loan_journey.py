"""Clerk enters an application, the board and the committee approve it, the public notice
passes (time travel), the station disburses, and the clerk records a repayment."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from associations.models import Role
from funds.journal import book_for_association
from funds.services import capital_receive
from loans.models import Loan
from loans.tasks import expire_notices
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_loan_from_application_to_repayment(page, live_server, world):
    users = world.inside.users
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0), tick=True) as clock:
        capital_receive(
            book=book_for_association(world.inside.association),
            source="government",
            contributor="县财政局",
            into="cash",
            amount=Decimal("50000"),
            received_on=datetime.date(2026, 3, 1),
            by=factories.clerk_of(world.inside.association),
        )
        group = factories.scoped_group(world)
        borrower = group.memberships.filter(role="household").first().member

        _login(page, live_server, users[Role.VILLAGE_CLERK])
        page.goto(f"{live_server.url}/loans/new/?q={borrower.name}")
        page.get_by_role("link", name=borrower.name).click()
        expect(page.get_by_text("适用额度与期限")).to_be_visible()
        page.get_by_label("金额（元）").fill("6000")
        page.get_by_label("用途").select_option(label="畜牧养殖")
        page.get_by_label("还款计划").select_option("monthly")
        page.locator("#id_group").select_option(str(group.pk))
        page.get_by_role("button", name="保存草稿").click()
        page.get_by_role("button", name="提交", exact=True).click()  # a link to its page
        expect(page.get_by_text("提交时将再次核对全部规则")).to_be_visible()
        page.get_by_role("button", name="确认：提交").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("已提交")

        loan = Loan.objects.get()
        _login(page, live_server, users[Role.VILLAGE_BOARD])
        page.goto(f"{live_server.url}/loans/{loan.pk}/")
        page.get_by_role("button", name="理事会初审通过").click()
        page.get_by_role("button", name="确认：理事会初审通过").click()

        _login(page, live_server, users[Role.TOWNSHIP_COMMITTEE])
        page.goto(f"{live_server.url}/loans/inbox/")
        page.get_by_role("link", name=borrower.name).click()
        page.get_by_role("button", name="批准", exact=True).click()
        expect(page.get_by_text("6,000")).to_be_visible()  # the consequence, in words
        page.get_by_role("button", name="确认：批准").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("公示中")

        clock.move_to(datetime.datetime(2026, 3, 6, 9, 0))  # the 3-day notice has passed
        assert expire_notices() == 1
        _login(page, live_server, users[Role.TOWNSHIP_STATION])
        page.goto(f"{live_server.url}/loans/{loan.pk}/")
        page.get_by_role("button", name="发放", exact=True).click()
        page.get_by_label("发放日期").fill("2026-03-06")
        page.get_by_role("button", name="确认：发放").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("已放款")

        clock.move_to(datetime.datetime(2026, 4, 6, 9, 0))
        _login(page, live_server, users[Role.VILLAGE_CLERK])
        page.goto(f"{live_server.url}/loans/{loan.pk}/repay/")
        due = page.locator("dt:has-text('当前应还') + dd").inner_text()
        # 6000 x 6 % x 31 / 365 = 30.58 fee + 500.00 principal = 530.58 due on 04-06.
        assert due == "530.58"
        page.get_by_label("收到金额（元）").fill(due)
        page.get_by_role("button", name="登记", exact=True).click()
        expect(page.get_by_text("还款已登记")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("还款中")
        rows = page.locator("table").first.locator("tbody tr")
        assert re.search(r"500\.00\s+500\.00", rows.first.inner_text().replace("\t", " "))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
