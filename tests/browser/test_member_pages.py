"""A member household on a 360×740 phone (issue 12): every member page under 50 KB transferred
on first load (HTML, CSS, scripts, images; headers included) and under 10 KB on a repeat
visit, measured from Chromium's network events; and the activation from the clerk's code to
the member's own home. Screenshots and the figures are kept in the test's tmp_path."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from associations.models import Role
from tests import factories
from tests.scoping_registry import _loan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_LOAD_BUDGET = 50 * 1024
REPEAT_BUDGET = 10 * 1024
PHONE = {"width": 360, "height": 740}


def _logged_in_context(browser, live_server, user):
    """A phone with an empty cache, logged in without loading any other page first."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


class Transfer:
    """Bytes on the wire per page load, from the DevTools protocol: `encodedDataLength` counts
    the response headers and the (compressed, if so served) body; a resource served from the
    browser's cache transfers nothing."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        self.sizes[event["requestId"]] = int(event["encodedDataLength"])

    def _failed(self, event) -> None:
        self.sizes[event["requestId"]] = 0

    def measure(self, page, url: str) -> tuple[int, dict[str, int]]:
        self.urls.clear()
        self.sizes.clear()
        page.goto(url, wait_until="load")
        # Every request the page made has finished (a page without JavaScript asks for nothing
        # after its load event): the same figures as waiting for network idle, without its
        # half-second pause per page.
        for _ in range(250):
            if self.urls and set(self.urls) <= set(self.sizes):
                break
            page.wait_for_timeout(20)
        else:
            open_requests = set(self.urls) - set(self.sizes)
            raise AssertionError(f"requests still open on {url}: {open_requests}")
        per_url = {self.urls.get(rid, rid): size for rid, size in self.sizes.items()}
        return sum(per_url.values()), per_url


def test_each_member_page_is_light_on_first_load_and_on_a_repeat_visit(
    browser, live_server, world, tmp_path
):
    loan = _loan(world)  # the inside household's loan, paid out and partly repaid
    repayment = loan.repayments.first()
    pages = {
        "home": reverse("home"),
        "schedule": reverse("loans:member_schedule"),
        "repayments": reverse("loans:member_repayments"),
        "receipt": reverse("loans:member_receipt", args=[repayment.pk]),
        "statement": reverse("loans:member_statement"),
        "notices": reverse("loans:member_notices"),
        "account": reverse("loans:member_account"),
    }
    figures = {}
    for name, path in pages.items():
        context = _logged_in_context(browser, live_server, world.inside.users[Role.MEMBER])
        page = context.new_page()
        transfer = Transfer(context, page)
        first, first_parts = transfer.measure(page, live_server.url + path)
        assert page.url == live_server.url + path, f"{name}: sent to {page.url}"
        page.screenshot(path=str(tmp_path / f"member-{name}.png"), full_page=True)
        repeat, repeat_parts = transfer.measure(page, live_server.url + path)
        figures[name] = {"first": first, "repeat": repeat, "first_parts": first_parts}
        assert not [u for u in first_parts if u.endswith(".js")], f"{name} loads JavaScript"
        assert not [u for u in first_parts if "pico" in u], f"{name} loads the staff CSS"
        assert first < FIRST_LOAD_BUDGET, f"{name}: {first} bytes on first load {first_parts}"
        assert repeat < REPEAT_BUDGET, f"{name}: {repeat} bytes on a repeat visit {repeat_parts}"
        # The page fits the phone: nothing wider than the screen, nothing to scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        # Body text at least 16 px, every link and button at least 44 px tall.
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
        small_targets = page.evaluate(
            """[...document.querySelectorAll('nav a, a.button, a.row, button')]
                .filter(e => e.getBoundingClientRect().height < 44).map(e => e.textContent)"""
        )
        assert not small_targets, f"{name}: tap targets under 44 px: {small_targets}"
        context.close()
    (tmp_path / "member-page-weights.json").write_text(json.dumps(figures, indent=2))
    print("\nmember page weights (bytes, first load / repeat):")
    for name, row in figures.items():
        print(f"  {name:10} {row['first']:6} / {row['repeat']:5}")
    print(f"screenshots and figures in {tmp_path}")


def test_clerk_gives_a_code_and_the_member_sets_a_password_on_the_phone(
    browser, live_server, world, tmp_path
):
    household = factories.member(world.inside.association, name="王大山", mobile="13912345678")
    clerk_context = _logged_in_context(browser, live_server, world.inside.users[Role.VILLAGE_CLERK])
    clerk = clerk_context.new_page()
    clerk.goto(live_server.url + reverse("associations:member_detail", args=[household.pk]))
    clerk.get_by_role("button", name="社员账号").click()
    clerk.get_by_role("button", name="开通账号并发放激活码").click()
    code = clerk.locator(".access-code").inner_text().strip()
    assert re.fullmatch(r"\d{8}", code)
    clerk.screenshot(path=str(tmp_path / "clerk-activation-slip.png"), full_page=True)
    clerk_context.close()

    phone_context = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone = phone_context.new_page()
    phone.goto(live_server.url + reverse("member_activate"))
    phone.get_by_label("手机号").fill("13912345678")
    phone.get_by_label("激活码").fill(code)
    phone.get_by_label("新密码", exact=True).fill("gansu-farm-2026")
    phone.get_by_label("再输一遍新密码").fill("gansu-farm-2026")
    phone.screenshot(path=str(tmp_path / "member-activate.png"), full_page=True)
    phone.get_by_role("button", name="设置密码并登录").click()
    phone.wait_for_url(live_server.url + "/")
    expect(phone.get_by_role("heading", name="王大山 户")).to_be_visible()
    expect(phone.get_by_text("你现在没有借款")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(tmp_path / "member-first-home.png"), full_page=True)
    # Log out everywhere: the phone is sent to the login page afterwards.
    phone.get_by_role("link", name="我的账户").click()
    phone.get_by_role("button", name="退出所有手机").click()
    expect(phone.get_by_role("heading", name="已退出所有手机")).to_be_visible()
    phone.goto(live_server.url + "/")
    assert "/accounts/login/" in phone.url
    phone_context.close()
