"""The eligibility rules are one set of pure functions (loans.domain.eligibility) on facts read
by the caller: the service reads them for one loan, the committee inbox for a page. Here the
rules on hand-built facts (no database), and the two readers: the same answers, the inbox in
eight queries whatever the page, the service in a number of queries that does not grow with the
group's loans (the group stop reads the stored oldest unpaid due date, no replay)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from associations.models import Member, MemberStatus
from guarantees.models import GroupMembership, GroupStatus, GuaranteeGroup
from loans.domain.eligibility import EligibilityFacts, LentLoan, check_draft, check_eligibility
from loans.domain.policy_rules import EffectivePolicy
from loans.exceptions import LoanDraftError, LoanRuleError
from loans.models import Loan, LoanPurpose
from loans.selectors.inbox import inbox_checks
from loans.services.eligibility import eligibility_check
from tests import factories
from tests.loans.conftest import apply_for

D = datetime.date
ON = D(2026, 6, 1)
INBOX_QUERIES = 8  # policies (2), active, disbursed, groups, lent, cash, promised


# --- the rules on hand-built facts --------------------------------------------------------


def _member(pk: int, name: str, *, leader: bool = False) -> Member:
    return Member(
        pk=pk, name=name, status=MemberStatus.ACTIVE, association_id=1, is_party_member=leader
    )


BORROWER = _member(1, "农户甲")
GROUP = GuaranteeGroup(pk=1, association_id=1, status=GroupStatus.ACTIVE, name="一组")
MEMBERSHIPS = (
    GroupMembership(group=GROUP, member=_member(2, "组长", leader=True), role="leader"),
    GroupMembership(group=GROUP, member=BORROWER, role="household"),
    GroupMembership(group=GROUP, member=_member(3, "农户乙"), role="household"),
    GroupMembership(group=GROUP, member=_member(4, "农户丙"), role="household"),
)


def _loan(amount: str = "8000", term: int = 12) -> Loan:
    return Loan(
        pk=10,
        association_id=1,
        member=BORROWER,
        amount=Decimal(amount),
        term_months=term,
        purpose=LoanPurpose(code="livestock"),
        schedule_kind="lump_sum",
        custom_rows=[],
        guarantee_kind="group",
        group=GROUP,
    )


def _facts(**changes) -> EligibilityFacts:
    values = {"policy": EffectivePolicy(), "memberships": MEMBERSHIPS, **changes}
    return EligibilityFacts(**values)


def _lent(pk: int, name: str, created_day: int, due: datetime.date | None) -> LentLoan:
    return LentLoan(pk, datetime.datetime(2026, 1, created_day, 9, 0), name, due)


def _problem(loan: Loan, facts: EligibilityFacts) -> tuple[str, str] | None:
    try:
        with translation.override("en"):
            check_eligibility(loan, facts, on=ON)
    except LoanRuleError as error:
        return error.code, str(error.message)
    return None


def test_a_valid_application_meets_every_rule():
    assert _problem(_loan(), _facts()) is None


def test_the_first_loan_cap_holds_until_another_loan_was_paid_out():
    code, message = _problem(_loan("15000"), _facts(disbursed_loans=frozenset({10})))
    assert code == "amount_limit"
    assert (
        message
        == "The amount must be between 1,000.00 and 10,000.00 yuan for a household's first loan."
    )
    assert _problem(_loan("15000"), _facts(disbursed_loans=frozenset({7}))) is None


def test_the_loan_itself_is_not_its_own_other_active_loan():
    assert _problem(_loan(), _facts(active_loans=frozenset({10}))) is None
    assert _problem(_loan(), _facts(active_loans=frozenset({10, 11}))) == (
        "active_loan",
        "The household already has an active loan.",
    )


def test_the_group_stop_names_the_newest_overdue_borrower_whatever_the_order_read():
    older = _lent(20, "农户乙", 5, ON - datetime.timedelta(days=30))
    newer = _lent(21, "农户丙", 9, ON - datetime.timedelta(days=1))
    due_today = _lent(22, "组长", 12, ON)  # due on the day: not overdue yet
    for lent in [(older, newer, due_today), (due_today, newer, older)]:
        code, message = _problem(_loan(), _facts(group_lent=lent))
        assert code == "group_stop" and message.startswith("农户丙 in the group is overdue")
    assert _problem(_loan(), _facts(group_lent=(due_today,))) is None
    no_stop = EffectivePolicy(group_stop=False)
    assert _problem(_loan(), _facts(policy=no_stop, group_lent=(older, newer))) is None


def test_concurrent_borrowers_count_the_others_only():
    policy = EffectivePolicy(concurrent_borrowers_per_group=2)
    two = (_lent(20, "农户乙", 5, None), _lent(21, "农户丙", 6, None))
    assert (
        _problem(_loan(), _facts(policy=policy, group_lent=(two[0], _lent(10, "农户甲", 7, None))))
        is None
    )
    assert _problem(_loan(), _facts(policy=policy, group_lent=two)) == (
        "group_concurrent",
        "The group already has 2 borrowers, the most allowed.",
    )


def test_a_borrower_outside_the_group_is_refused():
    assert _problem(_loan(), _facts(memberships=MEMBERSHIPS[:1] + MEMBERSHIPS[2:]))[0] == (
        "not_in_group"
    )


def test_a_draft_gets_every_broken_rule_by_its_field():
    with pytest.raises(LoanDraftError) as refused:
        facts = _facts(policy=EffectivePolicy(max_term_months=12), memberships=())
        check_draft(_loan("50000", term=18), facts, on=ON)
    assert set(refused.value.problems) == {"amount", "term_months", "group"}


# --- the two readers ----------------------------------------------------------------------


def _selected(*loans: Loan) -> list[Loan]:
    return list(
        Loan.objects.select_related(
            "member", "purpose", "association__area", "group", "guarantor", "placement"
        ).filter(pk__in=[loan.pk for loan in loans])
    )


def _service_answer(loan: Loan, on: datetime.date) -> str | None:
    try:
        eligibility_check(loan, on=on)
    except LoanRuleError as error:
        return str(error.message)
    return None


@pytest.mark.django_db
def test_service_and_inbox_agree_and_neither_grows_with_the_group(
    world, book, group, users, purposes
):
    households = [m.member for m in group.memberships.filter(role="household").order_by("pk")]
    loan = apply_for(world, households[0], group, users, purposes, amount="5000")
    outsider = factories.member(world.inside.association, name="组外户")
    apply_for(
        world, outsider, None, users, purposes, amount="3000",
        guarantee_kind="personal", guarantor=households[2],
    )  # fmt: skip
    [selected] = _selected(loan)
    with CaptureQueriesContext(connection) as alone:
        assert _service_answer(selected, ON) is None
    with CaptureQueriesContext(connection) as inbox_one:
        assert inbox_checks([selected], on=ON)[loan.pk].problem is None

    for n, member in enumerate(households[1:]):
        factories.loan_disbursed(
            world.inside, member, group=group, amount="2000",
            approved_on=D(2026, 1, 10 + n), on=D(2026, 1, 20 + n),
        )  # fmt: skip
    [selected] = _selected(loan)
    late = D(2027, 3, 1)  # both lump sums are past due: the group stops
    with CaptureQueriesContext(connection) as with_lent:
        answer = _service_answer(selected, late)
    assert answer is not None and households[2].name in answer  # the newest loan
    assert len(with_lent) == len(alone)  # no replay of the group's loans
    others = list(Loan.objects.exclude(pk=loan.pk))
    assert len(others) == 3  # the personal guarantee and the two lent loans
    loans = _selected(loan, *others)
    with CaptureQueriesContext(connection) as inbox_page:
        page = inbox_checks(loans, on=late)
    assert page[loan.pk].problem == answer
    assert len(inbox_one) == len(inbox_page) == INBOX_QUERIES
    for other in _selected(*others):
        assert page[other.pk].problem == _service_answer(other, late)
