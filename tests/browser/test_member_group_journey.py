"""A clerk imports a small roster, fixes a bad row, then forms a guarantee group."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from associations.models import Member, Role
from associations.services.member_import import HEADERS
from guarantees.models import GuaranteeGroup
from tests import factories
from tests.xlsx import workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [("王党员", "是"), ("张三", "否"), ("李四", "否"), ("赵五", "否"), ("孙六", "否")]


def _roster(path, *, broken: bool):
    rows = []
    for index, (name, party) in enumerate(PEOPLE):
        number = factories.id_number(5000 + index)
        if broken and index == 2:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit
        rows.append(
            [
                name,
                number,
                "",
                "一组",
                4,
                2,
                "建档立卡贫困户",
                party,
                "否",
                datetime.date(2023, 3, 1),
                200,
            ]
        )
    path.write_bytes(workbook(list(HEADERS.values()), rows))
    return path


def test_clerk_imports_fixes_a_row_and_forms_a_group(page, live_server, world, tmp_path):
    factories.village_group(world.inside.association, "一组")
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(clerk.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.locator("summary", has_text="菜单").click()  # a phone's menu opens first
    page.get_by_role("link", name="社员", exact=True).first.click()
    page.get_by_role("button", name="从 Excel 导入").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(
        str(_roster(tmp_path / "bad.xlsx", broken=True))
    )
    page.get_by_role("button", name="检查文件").click()
    expect(page.get_by_role("alert")).to_be_visible()
    problem = page.locator("table tbody tr")
    assert problem.count() == 1
    assert "4" in problem.first.inner_text() and "校验位错误" in problem.first.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert not Member.objects.exists()

    page.get_by_label("Excel 文件（.xlsx）").set_input_files(
        str(_roster(tmp_path / "fixed.xlsx", broken=False))
    )
    page.get_by_role("button", name="检查文件").click()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(f"{live_server.url}/members/")
    assert page.locator("table tbody tr").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"{live_server.url}/groups/new/")
    page.get_by_label("小组名称").fill("一组联保小组")
    page.get_by_label("搜索社员").fill("wdy")  # pinyin initials of 王党员
    page.get_by_role("button", name="搜索", exact=True).click()
    # The free party member is offered up front (who can lead) and among the search results.
    expect(page.locator("ul.picks li", has_text="王党员")).to_have_count(2)
    offered = page.locator("ul.picks li", has_text="王党员").first
    offered.get_by_role("button", name="设为组长").click()
    expect(page.locator("ul.chosen li")).to_have_count(1)
    page.get_by_label("搜索社员").fill("")
    page.get_by_role("button", name="搜索", exact=True).click()
    for count, name in enumerate(("张三", "李四", "赵五"), start=2):
        page.locator("ul.picks li", has_text=name).get_by_role("button", name="加为成员").click()
        # Each press reloads the page; wait for it before pressing the next one.
        expect(page.locator("ul.chosen li")).to_have_count(count)
    expect(page.get_by_text("已选组长 1 名、成员 3 户")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="组建小组").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    expect(page.get_by_role("heading", name="一组联保小组")).to_be_visible()
    assert page.locator("table tbody tr").count() == 4
    group = GuaranteeGroup.objects.get()
    assert group.memberships.filter(role="leader").get().member.name == "王党员"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The member page fits a phone too, and everything reads in English on request.
    member = group.memberships.filter(role="household").first().member
    page.goto(f"{live_server.url}/members/{member.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("summary", has_text="菜单").click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Joint-liability group")).to_be_visible()
    page.goto(f"{live_server.url}/groups/new/")
    assert page.get_by_role("heading", name="Form a group").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
