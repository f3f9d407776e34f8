"""The county dashboard in Chromium at 360 px and 1280 px: the charts draw (ECharts from the
app's static files, under the Content-Security-Policy), the tiles stack, the page does not
scroll sideways; screenshots go to pytest's tmp_path."""

import pytest

from associations.models import Role
from tests.factories import PASSWORD
from tests.reports.world import build_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_dashboard_at_360_and_1280(page, live_server, tmp_path):
    world = build_county()
    office = world.branches["A1"].users[Role.COUNTY_OFFICE]
    # No time travel here: the session cookie would expire at once. The dates are in the URL.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(office.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/reports/620123/?on=2026-06-30&start=2026-01-01")
    page.wait_for_selector("[data-chart=flows] canvas")
    assert page.locator("[data-chart] canvas").count() == 3
    assert page.get_by_text("34.34%").first.is_visible()  # PAR30 of the county
    assert not errors, errors
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 360, f"the page scrolls sideways at 360 px: {scroll}"
    tiles = page.locator(".tile").all()
    assert tiles[0].bounding_box()["x"] == tiles[1].bounding_box()["x"]  # stacked
    page.screenshot(path=str(tmp_path / "county-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(tmp_path / "county-1280.png"), full_page=True)
    print("screenshots in", tmp_path)
