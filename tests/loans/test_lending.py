"""The loan from application to closing, with the money to the fen (hand-computed figures)."""

import datetime
import uuid
from decimal import Decimal

import pytest

from associations.models import Role
from funds.journal import Cr, Dr, journal_post
from funds.models import EntryKind, JournalEntry
from funds.selectors import balances_by_key
from funds.services import capital_receive
from loans.exceptions import LoanRuleError
from loans.models import Loan, LoanTransition, Repayment
from loans.selectors import loans as loan_selectors
from loans.services import applications, money
from mutualaid.errors import RuleError
from tests import factories
from tests.loans.conftest import apply_for

D = datetime.date


# The clock stands at 09:00 on disbursement day; tests move it with `_today.move_to`.
pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))


def test_the_whole_path_is_recorded(lent):
    path = list(LoanTransition.objects.filter(loan=lent).values_list("to_status", flat=True))
    assert path == ["submitted", "board_reviewed", "approved", "in_notice", "ready", "disbursed"]
    assert lent.notice_ends_on == D(2026, 1, 13)
    assert (lent.fee_rate, lent.fee_method) == (Decimal("0.0600"), "declining")
    assert list(lent.instalments.values_list("due_on", "principal")) == [
        (D(2027, 1, 15), Decimal("10000.00"))
    ]


def test_disbursement_posts_the_loan(lent, book):
    balances = balances_by_key(book=book)
    assert balances["loans_receivable"] == Decimal("10000.00")
    assert balances["cash"] == Decimal("40000.00")


def test_repayment_splits_fee_then_principal(lent, book, users, _today):
    _today.move_to(datetime.datetime(2026, 4, 20))
    repayment = money.repayment_record(
        loan=lent,
        amount=Decimal("2000"),
        paid_on=D(2026, 4, 15),
        by=users[Role.VILLAGE_CLERK],
        token="t1",
    )
    # 01-15 -> 04-15: 16 + 28 + 31 + 15 = 90 days; 10000 x 6 % x 90 / 365 = 147.945.. -> 147.95
    assert (repayment.usage_fee, repayment.overdue_fee, repayment.principal) == (
        Decimal("147.95"),
        Decimal("0.00"),
        Decimal("1852.05"),
    )
    balances = balances_by_key(book=book)
    assert balances["loans_receivable"] == Decimal("8147.95")  # = outstanding principal
    assert balances["usage_fee_income"] == Decimal("147.95")
    lent.refresh_from_db()
    assert lent.status == "repaying"
    # The same form sent twice records once.
    again = money.repayment_record(
        loan=lent,
        amount=Decimal("2000"),
        paid_on=D(2026, 4, 15),
        by=users[Role.VILLAGE_CLERK],
        token="t1",
    )
    assert again.pk == repayment.pk and Repayment.objects.count() == 1


def test_overpayment_is_refused_with_the_amount_owed(lent, users, _today):
    _today.move_to(datetime.datetime(2026, 4, 20))
    with pytest.raises(LoanRuleError) as raised:
        money.repayment_record(
            loan=lent,
            amount=Decimal("10147.96"),
            paid_on=D(2026, 4, 15),
            by=users[Role.VILLAGE_CLERK],
            token="t2",
        )
    assert raised.value.code == "overpayment" and "10147.95" in raised.value.message
    assert not Repayment.objects.exists()
    money.repayment_record(
        loan=lent,
        amount=Decimal("10147.95"),
        paid_on=D(2026, 4, 15),
        by=users[Role.VILLAGE_CLERK],
        token="t3",
    )
    lent.refresh_from_db()
    assert lent.status == "closed"


def test_future_and_pre_disbursement_dates_are_refused(lent, users):
    for day in (D(2026, 1, 16), D(2026, 1, 14)):
        with pytest.raises(LoanRuleError) as raised:
            money.repayment_record(
                loan=lent,
                amount=Decimal("100"),
                paid_on=day,
                by=users[Role.VILLAGE_CLERK],
                token=str(day),
            )
        assert raised.value.code == "paid_on"


def test_reversal_by_a_second_person_rederives_the_loan(lent, book, users, _today):
    _today.move_to(datetime.datetime(2026, 4, 20))
    clerk, station = users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_STATION]
    repayment = money.repayment_record(
        loan=lent, amount=Decimal("2000"), paid_on=D(2026, 4, 15), by=clerk, token="r1"
    )
    factories.role_assign_extra(clerk, Role.TOWNSHIP_STATION, lent.association.area.parent)
    with pytest.raises(LoanRuleError) as raised:  # a station member who recorded it: no
        money.repayment_reverse(repayment=repayment, by=clerk, reason="录错", on=D(2026, 4, 20))
    assert raised.value.code == "four_eyes"
    money.repayment_reverse(repayment=repayment, by=station, reason="金额录错", on=D(2026, 4, 20))
    lent.refresh_from_db()
    assert lent.status == "disbursed"
    assert balances_by_key(book=book)["loans_receivable"] == Decimal("10000.00")
    assert balances_by_key(book=book)["usage_fee_income"] == Decimal("0.00")


def test_four_eyes_on_approval(world, book, borrower, group, users, purposes):
    loan = apply_for(world, borrower, group, users, purposes)
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    with pytest.raises(LoanRuleError) as raised:  # the clerk holds no committee role
        applications.loan_approve(loan=loan, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == "role"
    # A clerk who also sits on the township committee entered it: four eyes still refuse.
    clerk = factories.role_assign_extra(
        users[Role.VILLAGE_CLERK], Role.TOWNSHIP_COMMITTEE, world.inside.township
    )
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_approve(loan=loan, by=clerk)
    assert raised.value.code == "four_eyes"
    assert Loan.objects.get(pk=loan.pk).status == "board_reviewed"


def test_no_step_is_skipped(world, book, borrower, group, users, purposes):
    loan = apply_for(world, borrower, group, users, purposes)
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE])
    assert raised.value.code == "transition"
    with pytest.raises(LoanRuleError):
        money.loan_disburse(loan=loan, by=users[Role.TOWNSHIP_STATION], on=D(2026, 1, 15))
    assert not JournalEntry.objects.filter(kind=EntryKind.DISBURSEMENT).exists()


def test_an_objection_sends_it_back_to_the_committee(world, book, borrower, group, users, purposes):
    loan = apply_for(world, borrower, group, users, purposes)
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 1, 14))
    applications.loan_object(loan=loan, by=users[Role.VILLAGE_BOARD], reason="村民反映其已外出务工")
    assert applications.notices_expire(today=D(2026, 1, 20)) == 0
    loan.refresh_from_db()
    assert loan.status == "board_reviewed"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": "10000.01"}, "amount_limit"),  # first loan capped at 10,000
        ({"amount": "999.99"}, "amount_limit"),
        ({"term_months": 25}, "term"),
    ],
)
def test_policy_limits_are_refused_at_submit(
    world, book, borrower, group, users, purposes, change, code
):
    with pytest.raises(LoanRuleError) as raised:
        loan = apply_for(world, borrower, group, users, purposes, **change)
        applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == code
    assert not Loan.objects.exclude(status="draft").exists()
    assert not LoanTransition.objects.exists()


def test_borrower_outside_the_group_is_refused(world, book, group, users, purposes):
    outsider = factories.member(world.inside.association, name="王外")
    with pytest.raises(LoanRuleError) as raised:  # refused when the draft is saved
        apply_for(world, outsider, group, users, purposes)
    assert raised.value.code == "not_in_group"
    assert not Loan.objects.filter(member=outsider).exists()


def test_one_active_loan_per_household(world, book, borrower, group, users, purposes):
    first = apply_for(world, borrower, group, users, purposes)
    applications.loan_submit(loan=first, by=users[Role.VILLAGE_CLERK])
    second = apply_for(world, borrower, group, users, purposes, amount="2000")
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_submit(loan=second, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == "active_loan"


def test_one_active_loan_is_also_a_database_rule(world, book, borrower, group, users, purposes):
    from django.db import IntegrityError, transaction

    first = apply_for(world, borrower, group, users, purposes)
    applications.loan_submit(loan=first, by=users[Role.VILLAGE_CLERK])
    second = apply_for(world, borrower, group, users, purposes, amount="2000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=second.pk).update(status="submitted")


def test_group_stop_while_a_member_is_overdue(world, lent, group, users, purposes, _today):
    other = group.memberships.filter(role="household").exclude(member=lent.member).first().member
    loan = apply_for(world, other, group, users, purposes, amount="3000")  # nobody overdue yet
    _today.move_to(datetime.datetime(2027, 2, 1))  # the lump sum fell due on 2027-01-15
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == "group_stop"


def test_no_cash_waitlists_and_release_resumes(world, book, borrower, group, users, purposes):
    journal_post(
        book=book,
        date=D(2026, 1, 3),
        memo="存入银行",
        kind=EntryKind.OTHER,
        by=None,
        lines=[Dr("bank", Decimal("45000")), Cr("cash", Decimal("45000"))],
    )
    journal_post(
        book=book,
        date=D(2026, 1, 4),
        memo="支出",
        kind=EntryKind.OTHER,
        by=None,
        lines=[Dr("running_costs", Decimal("44000")), Cr("bank", Decimal("44000"))],
    )
    loan = apply_for(world, borrower, group, users, purposes)  # 10,000 wanted, 6,000 lendable
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    loan.refresh_from_db()
    assert (loan.status, loan.waited_at) == ("waitlisted", "submitted")
    assert applications.waitlist_release(association=world.inside.association) == 0
    capital_receive(
        book=book,
        source="paired_unit",
        contributor="帮扶单位",
        amount=Decimal("5000"),
        received_on=D(2026, 1, 10),
        by=factories.clerk_of(book.association),
    )
    assert applications.waitlist_release(association=world.inside.association) == 1
    loan.refresh_from_db()
    assert loan.status == "submitted"


def test_extension_once_within_24_months(lent, users, _today):
    _today.move_to(datetime.datetime(2026, 12, 1))
    committee = users[Role.TOWNSHIP_COMMITTEE]
    with pytest.raises(LoanRuleError) as raised:
        money.loan_extend(loan=lent, by=committee, on=D(2026, 12, 1), new_maturity=D(2028, 1, 16))
    assert raised.value.code == "extension_too_long"
    money.loan_extend(loan=lent, by=committee, on=D(2026, 12, 1), new_maturity=D(2027, 7, 15))
    assert lent.instalments.get().due_on == D(2027, 7, 15)
    with pytest.raises(LoanRuleError) as raised:
        money.loan_extend(loan=lent, by=committee, on=D(2026, 12, 2), new_maturity=D(2027, 8, 15))
    assert raised.value.code == "extension_twice"


def test_write_off_charges_the_risk_reserve_first_then_recovery_is_income(
    lent, book, users, _today
):
    _today.move_to(datetime.datetime(2026, 4, 20))
    money.repayment_record(
        loan=lent,
        amount=Decimal("2000"),
        paid_on=D(2026, 4, 15),
        by=users[Role.VILLAGE_CLERK],
        token="w1",
    )
    journal_post(
        book=book,
        date=D(2026, 4, 16),
        memo="提取风险准备金",
        kind=EntryKind.OTHER,
        by=None,
        lines=[Dr("cash", Decimal("3000")), Cr("risk_reserve", Decimal("3000"))],
    )
    _today.move_to(datetime.datetime(2027, 6, 1))
    board, committee = users[Role.VILLAGE_BOARD], users[Role.TOWNSHIP_COMMITTEE]
    with pytest.raises(LoanRuleError) as raised:  # overdue since 2027-01-15: under 12 months
        money.write_off_propose(loan=lent, by=board, reason="外出失联", on=D(2027, 6, 1))
    assert raised.value.code == "write_off_too_early"
    _today.move_to(datetime.datetime(2028, 1, 20))
    proposal = money.write_off_propose(loan=lent, by=board, reason="外出失联", on=D(2028, 1, 20))
    done = money.write_off_approve(write_off=proposal, by=committee, on=D(2028, 1, 20))
    # Outstanding 8,147.95: 3,000.00 from the reserve, 5,147.95 loss.
    assert (done.principal, done.from_reserve) == (Decimal("8147.95"), Decimal("3000.00"))
    balances = balances_by_key(book=book)
    assert balances["loans_receivable"] == Decimal("0.00")
    assert balances["risk_reserve"] == Decimal("0.00")
    assert balances["write_off_loss"] == Decimal("5147.95")
    money.recovery_record(
        loan=lent, amount=Decimal("500"), on=D(2028, 1, 20), by=users[Role.VILLAGE_CLERK]
    )
    assert balances_by_key(book=book)["other_income"] == Decimal("500.00")


def test_a_borrower_cannot_leave_the_association(lent, users):
    from associations.exceptions import MemberRuleError
    from associations.services.members import member_exit

    with pytest.raises(MemberRuleError) as raised:
        member_exit(
            member=lent.member,
            by=users[Role.VILLAGE_CLERK],
            on=D(2026, 1, 15),
            reason="迁出",
            refund=False,
        )
    assert raised.value.code in ("exit_guard",)


def test_ledger_equals_outstanding_principal_after_payments(lent, book, users, _today):
    _today.move_to(datetime.datetime(2027, 3, 1))
    for day, amount in [
        (D(2026, 3, 1), "500"),
        (D(2026, 9, 30), "3000.33"),
        (D(2027, 2, 20), "1234.56"),
    ]:
        money.repayment_record(
            loan=lent,
            amount=Decimal(amount),
            paid_on=day,
            by=users[Role.VILLAGE_CLERK],
            token=uuid.uuid4().hex,
        )
    _terms, state = loan_selectors.loan_state(lent)
    assert balances_by_key(book=book)["loans_receivable"] == state.principal_outstanding


def test_reversing_an_earlier_payment_reallocates_the_later_one(lent, book, users, _today):
    _today.move_to(datetime.datetime(2026, 1, 20))
    clerk, station = users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_STATION]
    first = money.repayment_record(
        loan=lent, amount=Decimal("0.01"), paid_on=D(2026, 1, 16), by=clerk, token="p1"
    )
    second = money.repayment_record(
        loan=lent, amount=Decimal("3.28"), paid_on=D(2026, 1, 17), by=clerk, token="p2"
    )
    # Day 1: 10000 x 6 % / 365 = 1.64; 0.01 paid, 1.63 owed. Day 2: 1.63 + 1.64 = 3.27 fee,
    # so 0.01 of the 3.28 is principal.
    assert (second.usage_fee, second.principal) == (Decimal("3.27"), Decimal("0.01"))
    with pytest.raises(LoanRuleError) as raised:  # a back-dated payment would re-split others
        money.repayment_record(
            loan=lent, amount=Decimal("1"), paid_on=D(2026, 1, 16), by=clerk, token="p3"
        )
    assert raised.value.code == "back_dated"
    money.repayment_reverse(repayment=first, by=station, reason="录错", on=D(2026, 1, 20))
    # Without the first: two days at once = 3.2877 -> 3.29 fee; 3.28 is all fee, none principal.
    second.refresh_from_db()
    assert (second.usage_fee, second.principal) == (Decimal("3.28"), Decimal("0.00"))
    balances = balances_by_key(book=book)
    assert balances["loans_receivable"] == Decimal("10000.00")
    assert balances["usage_fee_income"] == Decimal("3.28")


def test_reversing_a_reallocated_repayment_reverses_its_current_split(lent, book, users, _today):
    _today.move_to(datetime.datetime(2026, 1, 20))
    clerk, station = users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_STATION]
    first = money.repayment_record(
        loan=lent, amount=Decimal("0.01"), paid_on=D(2026, 1, 16), by=clerk, token="q1"
    )
    second = money.repayment_record(
        loan=lent, amount=Decimal("3.28"), paid_on=D(2026, 1, 17), by=clerk, token="q2"
    )
    money.repayment_reverse(repayment=first, by=station, reason="录错", on=D(2026, 1, 20))
    money.repayment_reverse(repayment=second, by=station, reason="录错", on=D(2026, 1, 20))
    balances = balances_by_key(book=book)
    assert balances["loans_receivable"] == Decimal("10000.00")
    assert balances["usage_fee_income"] == Decimal("0.00")
    assert balances["cash"] == Decimal("40000.00")


def test_a_purpose_the_policy_leaves_out_is_refused(world, book, borrower, group, users, purposes):
    from loans.services.policy import policy_save

    loan = apply_for(world, borrower, group, users, purposes)  # livestock, then the policy narrows
    policy_save(
        target=world.inside.county,
        values={},
        purposes=[purposes["crops"]],
        by=users[Role.COUNTY_OFFICE],
    )
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == "purpose"


def test_concurrent_borrowers_per_group_limit(world, lent, group, users, purposes):
    from loans.services.policy import policy_save

    other = group.memberships.filter(role="household").exclude(member=lent.member).first().member
    loan = apply_for(world, other, group, users, purposes, amount="3000")
    policy_save(  # narrowed after the draft was saved: submission re-checks
        target=world.inside.county,
        values={"concurrent_borrowers_per_group": 1},
        by=users[Role.COUNTY_OFFICE],
    )
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == "group_concurrent"


def test_a_borrower_cannot_guarantee_themself(world, book, borrower, group, users, purposes):
    with pytest.raises(LoanRuleError) as raised:
        apply_for(
            world,
            borrower,
            None,
            users,
            purposes,
            guarantee_kind="personal",
            guarantor=borrower,
        )
    assert raised.value.code == "guarantor"
    assert raised.value.problems == {"guarantor": raised.value.message}
    assert not Loan.objects.exists()


def test_a_loan_without_a_guarantee_is_not_even_saved(world, book, borrower, users, purposes):
    with pytest.raises(LoanRuleError) as raised:
        apply_for(world, borrower, None, users, purposes)
    assert raised.value.code == "no_guarantee"
    assert not Loan.objects.exists()


def test_admin_ledger_check_reports_agreement_and_a_mismatch(admin_client, world, lent, book):
    from django.urls import reverse

    url = reverse("admin:loans_loan_changelist")
    ok = admin_client.post(
        url, {"action": "check_ledger", "_selected_action": [lent.pk]}, follow=True
    )
    assert "每个协会的借出互助金都等于" in ok.content.decode()
    journal_post(
        book=book,
        date=D(2026, 1, 15),
        memo="错账",
        kind=EntryKind.OTHER,
        by=None,
        lines=[Dr("loans_receivable", Decimal("1")), Cr("cash", Decimal("1"))],
    )
    bad = admin_client.post(
        url, {"action": "check_ledger", "_selected_action": [lent.pk]}, follow=True
    )
    assert "10001.00" in bad.content.decode()


def test_poor_households_leave_the_waitlist_first_when_the_policy_says_so(
    world, book, group, users, purposes
):
    from guarantees.services import group_member_add
    from loans.services.policy import policy_save

    policy_save(
        target=world.inside.county, values={"poor_first": True}, by=users[Role.COUNTY_OFFICE]
    )
    clerk = users[Role.VILLAGE_CLERK]
    general = factories.member(world.inside.association, name="一般户甲", poverty_status="general")
    poor = factories.member(
        world.inside.association, name="贫困户甲", poverty_status="registered_poor"
    )
    for member in (general, poor):
        group_member_add(
            group=group,
            member=member,
            role="household",
            on=D(2026, 1, 10),
            reason="新入组",
            by=clerk,
        )
    journal_post(
        book=book,
        date=D(2026, 1, 3),
        memo="支出",
        kind=EntryKind.OTHER,
        by=None,
        lines=[Dr("running_costs", Decimal("50000")), Cr("cash", Decimal("50000"))],
    )
    waiting_general = apply_for(world, general, group, users, purposes, amount="3000")
    waiting_poor = apply_for(world, poor, group, users, purposes, amount="3000")
    for loan in (waiting_general, waiting_poor):  # the general household asked first
        applications.loan_submit(loan=loan, by=clerk)
        loan.refresh_from_db()
        assert loan.status == "waitlisted"
    capital_receive(
        book=book,
        source="social",
        contributor="捐赠",
        into="cash",
        amount=Decimal("3000"),
        received_on=D(2026, 1, 12),
        by=factories.clerk_of(book.association),
    )
    assert applications.waitlist_release(association=world.inside.association) == 2
    released = list(
        LoanTransition.objects.filter(from_status="waitlisted")
        .order_by("pk")
        .values_list("loan_id", flat=True)
    )
    assert released == [waiting_poor.pk, waiting_general.pk]  # the poor household first


def test_a_repayment_into_a_closed_month_is_refused(lent, book, users, _today):
    from funds.journal import month_close

    _today.move_to(datetime.datetime(2026, 3, 5))
    month_close(book=book, month=D(2026, 2, 1), by=users[Role.TOWNSHIP_STATION])
    with pytest.raises(RuleError) as raised:
        money.repayment_record(
            loan=lent,
            amount=Decimal("100"),
            paid_on=D(2026, 2, 20),
            by=users[Role.VILLAGE_CLERK],
            token="closed",
        )
    assert raised.value.code == "closed_month"
    assert not Repayment.objects.exists()


def test_a_dissolved_group_guarantees_nothing(world, book, borrower, group, users, purposes):
    from guarantees.services import group_dissolve

    loan = apply_for(world, borrower, group, users, purposes)
    group_dissolve(group=group, by=users[Role.VILLAGE_CLERK], on=D(2026, 1, 14), reason="解散")
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == "group_inactive"
    assert Loan.objects.get(pk=loan.pk).status == "draft"


def test_a_group_too_small_for_the_policy_is_refused(world, book, borrower, group, users, purposes):
    from loans.services.policy import policy_save

    loan = apply_for(world, borrower, group, users, purposes)  # the group has 3 households
    policy_save(
        target=world.inside.county, values={"min_households": 4}, by=users[Role.COUNTY_OFFICE]
    )
    with pytest.raises(LoanRuleError) as raised:
        applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    assert raised.value.code == "group_composition"


def test_another_households_placement_is_refused(world, book, borrower, users, purposes):
    from guarantees.services import placement_create

    other = factories.member(world.inside.association, name="合作社社员")
    placement = placement_create(
        member=other,
        partner_kind="cooperative",
        partner_name="兴隆养殖合作社",
        agreed_on=D(2026, 1, 5),
        dividend_terms="年分红 8%",
        by=users[Role.VILLAGE_CLERK],
    )
    with pytest.raises(LoanRuleError) as raised:
        apply_for(
            world, borrower, None, users, purposes, guarantee_kind="placement", placement=placement
        )
    assert raised.value.code == "placement"
