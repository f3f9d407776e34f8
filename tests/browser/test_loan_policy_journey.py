import pytest

from associations.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_office_narrows_a_township_and_the_clerk_sees_it(page, live_server, world, tmp_path):
    office = world.inside.users[Role.COUNTY_OFFICE]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(office.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.locator("summary", has_text="菜单").click()  # a phone's menu opens first
    page.get_by_role("link", name="借款政策").first.click()
    page.get_by_role("link", name=world.inside.county.name).click()
    page.goto(f"{live_server.url}/loans/policies/{world.inside.township.code}/edit/")
    page.get_by_label("最高借款金额").fill("30000")
    page.get_by_role("button", name="保存").click()
    assert "不能宽于系统默认值" in page.locator("article.message").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=tmp_path / "policy_edit_refused.png", full_page=False)

    page.get_by_label("最高借款金额").fill("15000")
    page.get_by_role("button", name="保存").click()
    assert "借款政策已保存" in page.content(), page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=tmp_path / "policy_detail.png", full_page=True)

    clerk = world.inside.users[Role.VILLAGE_CLERK]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(clerk.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/loans/policies/{world.inside.village.code}/")
    row = page.locator("tr", has_text="最高借款金额")
    assert "15000" in row.inner_text() and world.inside.township.name in row.inner_text()
