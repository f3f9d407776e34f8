"""The county officer's drill-down on the demo world, in Chromium at 1280 px and at 360 px:
county_yuzhong opens the county dashboard and reads PAR30, follows the table to 城关镇, then to
三角城村, then to its longest-overdue loan; then opens the county's duplicate-funding list and its
allocation by need, and proposes an allocation. At 360 px no page scrolls sideways. Screenshots of
every step are saved as test artefacts (pytest's tmp_path, or ARTEFACTS_DIR when it is set)."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from associations.models import Area
from loans.models import Loan
from reports.selectors.dashboards import overdue_loans
from reports.selectors.indicators import area_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-2026"
COUNTY, TOWNSHIP, VILLAGE = "620123", "620123100", "620123100201"


def _artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ARTEFACTS_DIR", tmp_path)) / "drilldown"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _no_sideways_scroll(page, width: int, where: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{where} scrolls sideways at {width} px: {scroll}"


def test_county_officer_drills_down_to_an_overdue_loan(browser, live_server, tmp_path, settings):
    # The demo without its two-year history (DEMO_HISTORY) still has loans overdue past 30 days
    # and a waiting list; the history itself is tested in tests/loans/test_demo_loans.py.
    settings.DEMO_HISTORY = False
    call_command("load_demo")
    from django.utils import timezone

    today = timezone.localdate()
    county = Area.objects.get(code=COUNTY)
    par30 = area_figures(area=county, on=today, start=today.replace(month=1, day=1)).par30
    assert par30 is not None and par30 > 0, "the demo county has loans at risk"
    par30_text = f"{par30 * 100:.2f}%"
    village = Area.objects.get(code=VILLAGE)
    overdue = overdue_loans(area=village, today=today)
    assert overdue, "the demo village has an overdue loan"
    oldest: Loan = overdue[0].loan
    folder = _artefacts(tmp_path)

    for width, height in ((1280, 900), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名或手机号").fill("county_yuzhong")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")

        # The county dashboard: PAR30 in its tile, as the selectors compute it.
        page.goto(f"{live_server.url}/reports/{COUNTY}/")
        tile = page.locator(".tile", has=page.locator("header", has_text="PAR30"))
        assert par30_text in tile.first.inner_text()
        _no_sideways_scroll(page, width, "the county dashboard")
        page.screenshot(path=str(folder / f"1-county-{width}.png"), full_page=True)

        # → the township, from the child table.
        page.locator("table.children").get_by_role("link", name="城关镇").click()
        page.wait_for_url(re.compile(rf"/reports/{TOWNSHIP}/"))
        assert page.get_by_role("heading", level=1).inner_text().startswith("城关镇")
        _no_sideways_scroll(page, width, "the township dashboard")
        page.screenshot(path=str(folder / f"2-township-{width}.png"), full_page=True)

        # → the village.
        page.locator("table.children").get_by_role("link", name="三角城村").click()
        page.wait_for_url(re.compile(rf"/reports/{VILLAGE}/"))
        overdue_table = page.locator("h2#overdue + .table-wrap table")
        first_row = overdue_table.locator("tbody tr").first
        assert oldest.member.name in first_row.inner_text()
        assert str(overdue[0].days_past_due) in first_row.inner_text()
        _no_sideways_scroll(page, width, "the village dashboard")
        page.screenshot(path=str(folder / f"3-village-{width}.png"), full_page=True)

        # → the longest-overdue loan.
        first_row.get_by_role("link", name=oldest.member.name).click()
        page.wait_for_url(re.compile(rf"/loans/{oldest.pk}/"))
        assert oldest.member.name in page.content()
        _no_sideways_scroll(page, width, "the loan page")
        page.screenshot(path=str(folder / f"4-loan-{width}.png"), full_page=True)

        # The county's duplicate-funding list and allocation by need, linked from its dashboard.
        for step, name in ((5, "duplicates"), (6, "allocation")):
            page.goto(f"{live_server.url}/reports/{COUNTY}/")
            page.locator(f"a[href='/reports/{COUNTY}/{name}/']").first.click()
            page.wait_for_url(re.compile(rf"/reports/{COUNTY}/{name}/"))
            _no_sideways_scroll(page, width, f"the {name} page")
            page.screenshot(path=str(folder / f"{step}-{name}-{width}.png"), full_page=True)
        # Propose 10,000 of the pool's capital: the proposal's lines, one per association.
        page.get_by_label("待分配金额（元）").fill("10000")
        page.get_by_role("button", name="提出", exact=True).click()
        page.wait_for_url(re.compile(r"/reports/allocations/\d+/"))
        assert "10,000.00" in page.get_by_role("heading", level=1).inner_text()
        _no_sideways_scroll(page, width, "the allocation proposal")
        page.screenshot(path=str(folder / f"7-proposal-{width}.png"), full_page=True)
        context.close()
    print("screenshots in", folder)
