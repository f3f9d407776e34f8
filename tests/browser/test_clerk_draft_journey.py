"""The clerk's application on a 360 px phone (issue 13, items 1 and 2): a first loan above the
first-loan cap is refused beside the amount when the draft is saved, the clerk corrects it and
saves the draft, edits the draft (a second refused amount leaves it as it was), searches a
personal guarantor without losing what was typed, saves and submits. Screenshots go to
pytest's tmp_path (printed with -s)."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from associations.models import Role
from funds.journal import book_for_association
from funds.services import capital_receive
from loans.models import Loan, LoanPurpose
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The first-loan cap of the default policy, in Chinese, beside the amount field.
CAP_REFUSAL = re.compile(r"^借款金额必须在 [\d,.]+ 元到 10,000(\.00)? 元之间（首次借款）。\s*$")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px: {width}"


def _on_screen(locator) -> None:
    """The button can be reached at 360 px: not off to the right of the screen."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box


def _amount_error(page):
    # The message sits right after the amount field, not in a box above the form.
    return page.locator("#id_amount + small.error")


def test_clerk_corrects_a_refused_draft_and_keeps_the_form_across_a_guarantor_search(
    page, live_server, world, tmp_path
):
    association = world.inside.association
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0), tick=True):
        capital_receive(
            book=book_for_association(association),
            source="government",
            contributor="县财政局",
            into="cash",
            amount=Decimal("50000"),
            received_on=datetime.date(2026, 3, 1),
            by=factories.clerk_of(association),
        )
        group = factories.scoped_group(world)
        borrower = group.memberships.filter(role="household").first().member
        guarantor = factories.member(association, name="陈担保")
        factories.member(association, name="陈明")  # another 陈: the search must narrow

        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名或手机号").fill(clerk.username)
        page.get_by_label("密码").fill(factories.PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")

        # 1. A first loan of 20,000 where the first-loan cap is 10,000: refused at saving.
        page.goto(f"{live_server.url}/loans/new/?member={borrower.pk}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(borrower.name)
        page.get_by_label("金额（元）").fill("20000")
        page.get_by_label("用途").select_option(label="畜牧养殖")
        page.get_by_label("担保方式").select_option("group")
        page.locator("#id_group").select_option(str(group.pk))
        _fits(page)
        save = page.get_by_role("button", name="保存草稿")
        _on_screen(save)
        save.click()
        expect(_amount_error(page)).to_have_text(CAP_REFUSAL)
        assert not Loan.objects.exists()  # nothing saved
        # What was typed is still there to correct.
        expect(page.get_by_label("金额（元）")).to_have_value("20000")
        expect(page.locator("#id_group")).to_have_value(str(group.pk))
        _fits(page)
        page.screenshot(path=str(tmp_path / "draft-refused-amount-360.png"), full_page=True)

        page.get_by_label("金额（元）").fill("8000")
        page.get_by_role("button", name="保存草稿").click()
        page.wait_for_url(re.compile(r"/loans/\d+/$"))
        expect(page.get_by_text("申请已保存为草稿；填写完整后请提交。")).to_be_visible()
        loan = Loan.objects.get()
        assert (loan.status, loan.amount) == ("draft", Decimal("8000"))
        assert (loan.guarantee_kind, loan.group_id) == ("group", group.pk)
        _fits(page)

        # 2. The draft is edited: a second amount above the cap is refused beside the field
        # and the draft stays as it was.
        page.get_by_role("button", name="修改草稿").click()
        page.wait_for_url(f"{live_server.url}/loans/{loan.pk}/edit/")
        expect(page.get_by_label("金额（元）")).to_have_value("8000.00")
        page.get_by_label("金额（元）").fill("12000")
        page.get_by_role("button", name="保存草稿").click()
        expect(_amount_error(page)).to_have_text(CAP_REFUSAL)
        loan.refresh_from_db()
        assert (loan.status, loan.amount) == ("draft", Decimal("8000"))
        _fits(page)
        page.screenshot(path=str(tmp_path / "draft-edit-refused-360.png"), full_page=True)

        # 3. A valid amount, another purpose and a personal guarantee; the guarantor is searched.
        page.get_by_label("金额（元）").fill("9500")
        page.get_by_label("期限（月）").fill("10")
        page.get_by_label("用途").select_option(str(LoanPurpose.objects.get(code="crops").pk))
        page.get_by_label("担保方式").select_option("personal")
        purpose = page.get_by_label("用途").input_value()
        page.locator("#id_gq").fill("陈担")
        find = page.get_by_role("button", name="查找个人担保人")
        _on_screen(find)
        find.click()
        expect(page.get_by_text("尚未保存：请选择担保人，然后保存草稿。")).to_be_visible()
        # Everything typed before the search is still there after it.
        expect(page.get_by_label("金额（元）")).to_have_value("9500")
        expect(page.get_by_label("期限（月）")).to_have_value("10")
        expect(page.get_by_label("用途")).to_have_value(purpose)
        expect(page.get_by_label("担保方式")).to_have_value("personal")
        expect(page.locator("#id_gq")).to_have_value("陈担")
        # The one match is chosen; 陈明 is not offered.
        guarantor_select = page.get_by_label("个人担保人", exact=True)
        expect(guarantor_select).to_have_value(str(guarantor.pk))
        options = guarantor_select.locator("option").all_inner_texts()
        assert not any("陈明" in option for option in options), options
        assert page.locator("small.error").count() == 0  # a search shows no refusals
        loan.refresh_from_db()
        assert loan.amount == Decimal("8000")  # nothing saved by the search
        _fits(page)
        page.screenshot(path=str(tmp_path / "draft-guarantor-found-360.png"), full_page=True)

        save = page.get_by_role("button", name="保存草稿")
        _on_screen(save)
        save.click()
        page.wait_for_url(f"{live_server.url}/loans/{loan.pk}/")
        expect(page.get_by_text("草稿已保存；填写完整后请提交。")).to_be_visible()
        _fits(page)

        # 4. Submitted from the loan page, through its confirmation.
        page.get_by_role("button", name="提交", exact=True).click()
        expect(page.get_by_text("提交时将再次核对全部规则")).to_be_visible()
        _fits(page)
        confirm = page.get_by_role("button", name="确认：提交")
        _on_screen(confirm)
        confirm.click()
        page.wait_for_url(f"{live_server.url}/loans/{loan.pk}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("已提交")
        expect(page.get_by_text(f"{borrower.name} 的借款申请已提交")).to_be_visible()
        _fits(page)
        page.screenshot(path=str(tmp_path / "draft-submitted-360.png"), full_page=True)

    loan.refresh_from_db()
    assert loan.status == "submitted"
    assert loan.amount == Decimal("9500")
    assert loan.term_months == 10
    assert loan.purpose.code == "crops"
    assert (loan.guarantee_kind, loan.guarantor_id, loan.group_id) == (
        "personal",
        guarantor.pk,
        None,
    )
    print("screenshots in", tmp_path)
