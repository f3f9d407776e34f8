"""The clerk imports a training's attendance list in Chromium at 360 px, without JavaScript:
upload, a preview of every row that does not scroll sideways, confirm. Screenshots go to
pytest's tmp_path."""

import datetime
from decimal import Decimal

import pytest

from associations.models import Role, TrainingAttendance
from associations.services.training import training_session_create
from tests import factories
from tests.factories import PASSWORD
from tests.xlsx import workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_imports_an_attendance_list_at_360(browser, live_server, world, tmp_path):
    inside = world.inside
    clerk = inside.users[Role.VILLAGE_CLERK]
    group = factories.village_group(inside.association, "一组")
    ma = factories.member(inside.association, name="马福海", village_group=group)
    factories.member(inside.association, name="李梅", village_group=group)
    session = training_session_create(
        area=inside.village,
        held_on=datetime.date.today() - datetime.timedelta(days=3),
        topic="养殖技术",
        trainer="畜牧站",
        hours=Decimal("2"),
        place="村委会",
        by=clerk,
    )
    upload = tmp_path / "attendance.xlsx"
    upload.write_bytes(
        workbook(
            ["姓名", "身份证号", "村", "村民小组"],
            [["", ma.id_number, "", ""], ["李梅", "", "", "一组"], ["马福海", "", "", "一组"]],
        )
    )
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名或手机号").fill(clerk.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/training/{session.pk}/")
        page.get_by_role("link", name="从 Excel 名单添加社员").click()
        page.set_input_files("input[type=file]", str(upload))
        page.get_by_role("button", name="检查文件").click()
        page.wait_for_selector("text=与第 2 行是同一户")
        assert page.get_by_text("将登记：2").is_visible()
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"the preview scrolls sideways at 360 px: {scroll}"
        page.screenshot(path=str(tmp_path / "training-import-preview-360.png"), full_page=True)
        page.get_by_role("button", name="确认导入").click()
        page.wait_for_url(f"{live_server.url}/training/{session.pk}/")
        assert page.get_by_text("已登记 2 人次参加培训。").is_visible()
        page.screenshot(path=str(tmp_path / "training-import-done-360.png"), full_page=True)
    finally:
        context.close()
    assert set(
        TrainingAttendance.objects.filter(session=session).values_list("member__name", flat=True)
    ) == {"马福海", "李梅"}
    print("screenshots in", tmp_path)
