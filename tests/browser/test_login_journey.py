import pytest

from associations.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_logs_in_and_sees_only_their_village(page, live_server, world):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_label("用户名或手机号").fill(clerk.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="我的管辖范围").is_visible()

    page.locator("summary", has_text="菜单").click()  # a phone's menu opens first
    page.get_by_role("link", name="协会", exact=True).first.click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert world.inside.village.name in rows.first.inner_text()
    assert world.outside.association.name not in page.content()

    # Nothing sideways: the other village's page answers 404.
    response = page.goto(f"{live_server.url}/associations/{world.outside.association.pk}/")
    assert response.status == 404
    # The layout fits a 360 px phone: no horizontal scrolling of the page itself.
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
