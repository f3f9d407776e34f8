"""The township committee decides from its inbox on a 360 px phone (issue 13, items 3 and 9):
the clerk requests an extension of a loan being repaid (through the loan page), the board has
proposed a write-off of a loan overdue for more than a year; the committee finds each in its own
section of the inbox, grants the extension and approves the write-off through confirmation pages
that state the consequence, and reads a specific Chinese message after each. Approve is not
offered for a loan nobody proposed. Screenshots go to pytest's tmp_path (printed with -s)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from playwright.sync_api import expect

from associations.models import Role
from funds.journal import book_for_association
from funds.models import JournalLine
from funds.services import capital_receive
from loans.models import ExtensionRequest, Loan, WriteOff
from loans.services import money
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date
TODAY = datetime.datetime(2026, 6, 15, 9, 0)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px: {width}"


def _on_screen(locator) -> None:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box


def _login(page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def _lent(branch, name, guarantor, *, amount, on, clock):
    """A lump-sum loan of 12 months with a personal guarantee, paid out on `on` (each step on
    its own day, as the services date them)."""
    borrower = factories.member(branch.association, name=name)
    clock.move_to(datetime.datetime(on.year, on.month, on.day, 9, 0))
    return factories.loan_disbursed(
        branch,
        borrower,
        amount=amount,
        guarantee_kind="personal",
        guarantor=guarantor,
        approved_on=D(on.year, on.month, 1),
        notices_expire_on=on,
        on=on,
    )


def test_committee_grants_an_extension_and_approves_a_write_off_from_its_inbox(
    page, live_server, world, tmp_path
):
    branch = world.inside
    users = branch.users
    association = branch.association
    book = book_for_association(association)
    with time_machine.travel(datetime.datetime(2024, 5, 1, 9, 0), tick=True) as clock:
        capital_receive(
            book=book,
            source="government",
            contributor="县财政局",
            into="cash",
            amount=Decimal("50000"),
            received_on=D(2024, 5, 1),
            by=factories.clerk_of(association),
        )
        guarantor = factories.member(association, name="担保人")
        # Overdue since 2025-05-10, more than 12 months by 2026-06-15: eligible for a write-off.
        lost = _lent(branch, "牛失联", guarantor, amount="5000", on=D(2024, 5, 10), clock=clock)
        unproposed = _lent(
            branch, "羊未报", guarantor, amount="3000", on=D(2024, 5, 10), clock=clock
        )
        # Being repaid, due 2027-03-10: it may be extended up to 24 months after payment.
        extended = _lent(branch, "马展期", guarantor, amount="8000", on=D(2026, 3, 10), clock=clock)

        clock.move_to(TODAY)
        money.write_off_propose(
            loan=lost,
            by=users[Role.VILLAGE_BOARD],
            reason="借款人外出失联一年以上",
            on=TODAY.date(),
        )

        # The clerk requests the extension from the loan's page.
        _login(page, live_server, users[Role.VILLAGE_CLERK])
        page.goto(f"{live_server.url}/loans/{extended.pk}/")
        page.get_by_role("button", name="申请展期").click()
        expect(page.get_by_text("2027-03-10")).to_be_visible()  # the maturity now, in words
        page.get_by_label("新到期日").fill("2027-09-10")
        page.get_by_label("原因").fill("肉牛出栏推迟，需延后半年还款")
        _fits(page)
        page.get_by_role("button", name="确认：申请展期").click()
        page.wait_for_url(f"{live_server.url}/loans/{extended.pk}/")
        expect(
            page.get_by_text("已申请展期至 2027-09-10，由乡镇监督管理委员会决定。")
        ).to_be_visible()
        request = ExtensionRequest.objects.get()
        assert (request.loan_id, request.status, request.new_maturity) == (
            extended.pk,
            "pending",
            D(2027, 9, 10),
        )

        # The committee's inbox: each matter in its own section, none among the applications.
        _login(page, live_server, users[Role.TOWNSHIP_COMMITTEE])
        page.goto(f"{live_server.url}/loans/inbox/")
        expect(page.get_by_role("heading", level=1)).to_have_text("待审批")
        extensions = page.locator("#extensions + .table-wrap")
        write_offs = page.locator("#write-offs + .table-wrap")
        decide = page.locator("#decide + .table-wrap")
        expect(extensions).to_contain_text("马展期")
        expect(extensions).to_contain_text("2027-09-10")
        expect(extensions).to_contain_text("肉牛出栏推迟")
        expect(write_offs).to_contain_text("牛失联")
        expect(write_offs).to_contain_text("借款人外出失联一年以上")
        for text in ("马展期", "牛失联", "羊未报"):
            expect(decide).not_to_contain_text(text)
        expect(write_offs).not_to_contain_text("羊未报")
        _fits(page)
        page.screenshot(path=str(tmp_path / "inbox-360.png"), full_page=True)

        # The extension: its page offers the decision, and no write-off approval.
        extensions.get_by_role("link", name="马展期").click()
        page.wait_for_url(f"{live_server.url}/loans/{extended.pk}/")
        expect(page.get_by_role("button", name="批准核销")).to_have_count(0)
        grant = page.get_by_role("button", name="展期至新到期日")
        _on_screen(grant)
        _fits(page)
        grant.click()
        consequence = page.locator("article p").first
        expect(consequence).to_contain_text("马展期")
        expect(consequence).to_contain_text("2027-03-10")
        expect(consequence).to_contain_text("2027-09-10")
        expect(consequence).to_contain_text("8,000")
        _fits(page)
        page.screenshot(path=str(tmp_path / "extension-confirm-360.png"), full_page=True)
        confirm = page.get_by_role("button", name="确认：展期至新到期日")
        _on_screen(confirm)
        confirm.click()
        page.wait_for_url(f"{live_server.url}/loans/{extended.pk}/")
        expect(page.get_by_text("马展期 的借款已展期")).to_be_visible()
        _fits(page)

        # A loan overdue as long, but with no proposal: approve is not offered.
        page.goto(f"{live_server.url}/loans/{unproposed.pk}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("羊未报")
        expect(page.get_by_role("button", name="批准核销")).to_have_count(0)
        response = page.goto(f"{live_server.url}/loans/{unproposed.pk}/action/write_off_approve/")
        assert response is not None and response.status == 404

        # The write-off, from the inbox's own section.
        page.goto(f"{live_server.url}/loans/inbox/")
        expect(extensions).to_contain_text("没有等待决定的展期申请。")
        write_offs.get_by_role("link", name="牛失联").click()
        page.wait_for_url(f"{live_server.url}/loans/{lost.pk}/")
        approve = page.get_by_role("button", name="批准核销")
        _on_screen(approve)
        approve.click()
        consequence = page.locator("article p").first
        expect(consequence).to_contain_text("5,000")
        expect(consequence).to_contain_text("牛失联")
        # Approved knowing why the board proposed it (the reason was not on this page before).
        expect(page.locator("#write-off-proposal")).to_contain_text("借款人外出失联一年以上")
        expect(page.locator("#write-off-proposal")).to_contain_text("2026-06-15")
        _fits(page)
        page.screenshot(path=str(tmp_path / "write-off-confirm-360.png"), full_page=True)
        page.get_by_role("button", name="确认：批准核销").click()
        page.wait_for_url(f"{live_server.url}/loans/{lost.pk}/")
        expect(page.get_by_text("牛失联 的借款已核销")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("已核销")
        expect(page.locator("#write-off + dl")).to_contain_text("5,000.00")
        _fits(page)
        page.screenshot(path=str(tmp_path / "written-off-360.png"), full_page=True)

    # The extension as stated: the last instalment now falls on the new maturity.
    extended.refresh_from_db()
    assert extended.extensions == 1
    assert extended.instalments.order_by("-number").first().due_on == D(2027, 9, 10)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("granted", users[Role.TOWNSHIP_COMMITTEE])
    # The write-off as stated: 5,000 of principal off the receivable, in one balanced entry.
    write_off = WriteOff.objects.get(loan=lost)
    assert write_off.approved_by == users[Role.TOWNSHIP_COMMITTEE]
    assert write_off.principal == Decimal("5000")
    assert Loan.objects.get(pk=lost.pk).status == "written_off"
    lines = JournalLine.objects.filter(entry=write_off.entry)
    credited = {line.account.key: line.credit for line in lines if line.credit}
    debited = sum(line.debit for line in lines)
    assert credited == {"loans_receivable": Decimal("5000")}
    assert debited == Decimal("5000")
    assert write_off.from_reserve + (
        lines.filter(account__key="write_off_loss").aggregate(s=Sum("debit"))["s"] or 0
    ) == Decimal("5000")
    totals = JournalLine.objects.filter(book=book).aggregate(d=Sum("debit"), c=Sum("credit"))
    assert totals["d"] == totals["c"]
    # Nothing happened to the loan nobody proposed.
    assert Loan.objects.get(pk=unproposed.pk).status != "written_off"
    assert not WriteOff.objects.filter(loan=unproposed).exists()
    print("screenshots in", tmp_path)
