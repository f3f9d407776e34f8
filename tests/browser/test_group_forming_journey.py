"""A clerk on a 360 px phone forms a group when no free household can lead yet: the page says
so up front, the clerk marks a wealth leader without leaving it, and forms the group (issue 13).
Screenshots go to pytest's tmp_path (printed with -s)."""

import re

import pytest
from playwright.sync_api import expect

from associations.models import Role
from guarantees.models import GuaranteeGroup
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_clerk_marks_a_leader_inline_and_forms_a_group(page, live_server, world, tmp_path):
    association = world.inside.association
    for name in ("王富贵", "张三", "李四", "赵五"):
        factories.member(association, name=name)
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(clerk.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/groups/new/")
    # Up front, before anyone is added: the limits, and that nobody free can lead.
    expect(page.locator("#limits")).to_contain_text("1–2")
    expect(page.get_by_text("没有空闲的党员或致富带头人")).to_be_visible()
    expect(page.locator("#composition")).to_contain_text("还需 1 名组长")
    _fits(page)
    page.get_by_label("小组名称").fill("富贵联保小组")
    page.get_by_label("搜索社员").fill("张三")
    page.get_by_role("button", name="搜索", exact=True).click()
    card = page.locator("ul.picks li", has_text="张三")
    add = card.get_by_role("button", name="加为成员")
    # The 加为成员 button sits on the screen at 360 px, not off to the right inside a table.
    add.scroll_into_view_if_needed()
    expect(add).to_be_in_viewport()
    box = add.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    add.click()
    expect(page.locator("ul.chosen li")).to_have_count(1)

    page.get_by_label("搜索社员").fill("wfg")  # pinyin initials of 王富贵
    page.get_by_role("button", name="搜索", exact=True).click()
    page.locator("ul.picks li", has_text="王富贵").get_by_role(
        "button", name="标记为致富带头人"
    ).click()
    expect(page.get_by_text("王富贵 现在可以担任组长。")).to_be_visible()
    # Still on the page, with what was typed and picked.
    expect(page.get_by_label("小组名称")).to_have_value("富贵联保小组")
    expect(page.locator("ul.chosen li")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "group-marked-leader-360.png"), full_page=True)
    _fits(page)

    page.locator("#can-lead").locator("..").locator("ul.picks li", has_text="王富贵").get_by_role(
        "button", name="设为组长"
    ).click()
    expect(page.locator("ul.chosen li")).to_have_count(2)
    page.get_by_label("搜索社员").fill("")
    page.get_by_role("button", name="搜索", exact=True).click()
    for count, name in enumerate(("李四", "赵五"), start=3):
        page.locator("ul.picks li", has_text=name).get_by_role("button", name="加为成员").click()
        expect(page.locator("ul.chosen li")).to_have_count(count)
    expect(page.locator("#composition")).to_contain_text("可以组建小组")
    _fits(page)
    page.screenshot(path=str(tmp_path / "group-ready-360.png"), full_page=True)
    page.get_by_role("button", name="组建小组").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    group = GuaranteeGroup.objects.get(name="富贵联保小组")
    leader = group.memberships.get(role="leader").member
    assert (leader.name, leader.is_wealth_leader) == ("王富贵", True)
    assert group.memberships.filter(role="household").count() == 3
    _fits(page)
    print("screenshots in", tmp_path)


def test_clerk_records_and_ends_a_placement_on_a_phone(page, live_server, world, tmp_path):
    association = world.inside.association
    factories.member(association, name="马合作")
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(clerk.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/placements/")
    page.get_by_role("button", name="登记带资入股").click()
    page.get_by_label("企业或合作社", exact=True).fill("高原夏菜专业合作社")
    page.get_by_label("搜索社员").fill("mhz")  # pinyin initials of 马合作
    page.get_by_label("搜索社员").press("Enter")  # Enter searches, it does not save
    page.get_by_label(re.compile("马合作")).check()
    expect(page.get_by_label("企业或合作社", exact=True)).to_have_value("高原夏菜专业合作社")
    page.get_by_label("带动模式").select_option("cooperative")
    page.get_by_label("分红约定").fill("每年按入社资金的8%分红")
    _fits(page)
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(f"{live_server.url}/placements/")
    card = page.locator("#placements li", has_text="马合作")
    expect(card).to_contain_text("高原夏菜专业合作社")
    _fits(page)
    page.screenshot(path=str(tmp_path / "placements-360.png"), full_page=True)
    card.get_by_role("button", name="终止带资入股").click()
    page.get_by_label("终止原因").fill("资金退回")
    page.get_by_role("button", name="终止带资入股").click()
    page.wait_for_url(f"{live_server.url}/placements/")
    expect(page.locator("#placements li", has_text="马合作")).to_contain_text("资金退回")
    _fits(page)
