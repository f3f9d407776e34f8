"""The rules a loan must meet at submit, approval and disbursement (DESIGN §5), as pure
functions: no database. They take the loan with its relations loaded (member, purpose, group,
guarantor, placement) and an `EligibilityFacts` of everything else they need, read by the caller:
loans.services.eligibility reads it for one loan, loans.selectors.inbox for a page of loans in a
constant number of queries. Both call these functions, so the rules and their messages live
here only. Cash is checked apart: it waitlists."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from associations.models import MemberStatus
from guarantees.models import GroupMembership, GroupRole, GroupStatus
from guarantees.rules import GroupRules, composition_check
from loans.domain import schedules
from loans.domain.policy_rules import EffectivePolicy
from loans.exceptions import LoanDraftError, LoanRuleError
from loans.models import GuaranteeKind, Loan
from mutualaid.money import format_yuan

# The form field that names each kind of guarantee (its problems are shown beside it).
GUARANTEE_FIELDS: dict[str, str] = {
    GuaranteeKind.GROUP: "group",
    GuaranteeKind.PERSONAL: "guarantor",
    GuaranteeKind.PLACEMENT: "placement",
}


@dataclass(frozen=True)
class LentLoan:
    """A lent loan of a guarantee group's member, as the group rules see it."""

    pk: int
    created_at: datetime.datetime
    borrower_name: str
    oldest_unpaid_due_on: datetime.date | None  # stored with each repayment (DESIGN §6)


@dataclass(frozen=True)
class EligibilityFacts:
    """What the rules need beyond the loan itself. The loan's own pk may be in the sets: the
    rules leave it out (an application re-checked at approval is not its own "other loan")."""

    policy: EffectivePolicy  # in force for the loan's association
    active_loans: frozenset[int] = frozenset()  # the household's loans in an active status
    disbursed_loans: frozenset[int] = frozenset()  # the household's loans ever paid out
    memberships: tuple[GroupMembership, ...] = ()  # the group's current ones, member loaded
    group_lent: tuple[LentLoan, ...] = ()  # the lent loans of the group's current members


def check_schedule(loan: Loan, *, on: datetime.date) -> None:
    """The repayment schedule must hold as if the loan were paid out on `on`: custom rows
    positive, after that day, within the term and adding up to the amount."""
    schedules.build(
        kind=loan.schedule_kind,
        principal=loan.amount,
        disbursed_on=on,
        term_months=loan.term_months,
        rows=schedules.stored_rows(loan.custom_rows),
    )


def check_eligibility(loan: Loan, facts: EligibilityFacts, *, on: datetime.date) -> None:
    """Every rule, in order; the first broken one is raised, in the user's language."""
    check_schedule(loan, on=on)
    member = loan.member
    if member.status != MemberStatus.ACTIVE or member.association_id != loan.association_id:
        raise LoanRuleError(
            _("The borrower is not an active member of this association."), "not_member"
        )
    if facts.active_loans - {loan.pk}:
        raise LoanRuleError(_("The household already has an active loan."), "active_loan")
    for _field, check in DRAFT_CHECKS:
        check(loan, facts, on)


def check_draft(loan: Loan, facts: EligibilityFacts, *, on: datetime.date) -> None:
    """The rules a clerk can meet while typing (amount and first-loan cap, term, purpose,
    guarantee): every broken one at once in a `LoanDraftError`, keyed by its form field."""
    check_schedule(loan, on=on)
    problems: dict[str, LoanRuleError] = {}
    for field, check in DRAFT_CHECKS:
        try:
            check(loan, facts, on)
        except LoanRuleError as error:
            name = GUARANTEE_FIELDS[loan.guarantee_kind] if field == "guarantee" else field
            problems.setdefault(name, error)
    if problems:
        raise LoanDraftError(problems)


def _check_amount(loan: Loan, facts: EligibilityFacts, on: datetime.date) -> None:
    policy = facts.policy
    first = not (facts.disbursed_loans - {loan.pk})
    limit = min(policy.max_amount, policy.first_loan_max_amount) if first else policy.max_amount
    if not policy.min_amount <= loan.amount <= limit:
        raise LoanRuleError(
            _("The amount must be between %(min)s and %(max)s yuan%(first)s.")
            % {
                "min": format_yuan(policy.min_amount),
                "max": format_yuan(limit),
                "first": _(" for a household's first loan") if first else "",
            },
            "amount_limit",
        )


def _check_term(loan: Loan, facts: EligibilityFacts, on: datetime.date) -> None:
    if loan.term_months > facts.policy.max_term_months:
        raise LoanRuleError(
            _("The term may be at most %(n)s months.") % {"n": facts.policy.max_term_months},
            "term_limit",
        )


def _check_purpose(loan: Loan, facts: EligibilityFacts, on: datetime.date) -> None:
    if facts.policy.purposes and loan.purpose.code not in facts.policy.purposes:
        raise LoanRuleError(
            _("The policy does not allow loans for %(purpose)s.") % {"purpose": loan.purpose},
            "purpose",
        )


def _check_guarantee(loan: Loan, facts: EligibilityFacts, on: datetime.date) -> None:
    # The database requires the guarantee the kind names (loan_exactly_one_guarantee).
    if loan.guarantee_kind == GuaranteeKind.PERSONAL:
        guarantor = loan.guarantor
        assert guarantor is not None
        if (
            guarantor.pk == loan.member_id
            or guarantor.status != MemberStatus.ACTIVE
            or guarantor.association_id != loan.association_id
        ):
            raise LoanRuleError(_("The guarantor must be another active member."), "guarantor")
        return
    if loan.guarantee_kind == GuaranteeKind.PLACEMENT:
        assert loan.placement is not None
        if loan.placement.member_id != loan.member_id:
            raise LoanRuleError(_("The placement belongs to another household."), "placement")
        if loan.placement.ended_on is not None:
            # Ended by guarantees.services.placement_end: the funds are no longer placed.
            raise LoanRuleError(
                _("The placement with %(partner)s has ended; choose another guarantee.")
                % {"partner": loan.placement.partner_name},
                "placement_ended",
            )
        return
    _check_group(loan, facts, on)


def _check_group(loan: Loan, facts: EligibilityFacts, on: datetime.date) -> None:
    group, policy, memberships = loan.group, facts.policy, facts.memberships
    assert group is not None
    if group.status != GroupStatus.ACTIVE or group.association_id != loan.association_id:
        raise LoanRuleError(_("The guarantee group is not active."), "group_inactive")
    if loan.member_id not in {m.member_id for m in memberships}:
        raise LoanRuleError(_("The borrower is not in the guarantee group."), "not_in_group")
    rules = GroupRules(
        policy.min_leaders, policy.max_leaders, policy.min_households, policy.max_households
    )
    try:
        composition_check(
            leaders=[m.member for m in memberships if m.role == GroupRole.LEADER],
            households=[m.member for m in memberships if m.role == GroupRole.HOUSEHOLD],
            rules=rules,
        )
    except Exception as error:
        raise LoanRuleError(getattr(error, "message", str(error)), "group_composition") from error
    # Newest first, so the message names the same household whoever reads the facts.
    others = sorted(
        (other for other in facts.group_lent if other.pk != loan.pk),
        key=lambda other: (other.created_at, other.pk),
        reverse=True,
    )
    if policy.group_stop:
        for other in others:
            if other.oldest_unpaid_due_on is not None and other.oldest_unpaid_due_on < on:
                raise LoanRuleError(
                    _(
                        "%(name)s in the group is overdue: no member of the group gets a new "
                        "loan until it is repaid."
                    )
                    % {"name": other.borrower_name},
                    "group_stop",
                )
    limit = policy.concurrent_borrowers_per_group
    if limit is not None and len(others) >= limit:
        raise LoanRuleError(
            _("The group already has %(n)s borrowers, the most allowed.") % {"n": limit},
            "group_concurrent",
        )


# The rules checked while typing, in the order submission raises them, each with the form field
# its message is shown beside ("guarantee": the field of the guarantee kind chosen).
DRAFT_CHECKS: tuple[tuple[str, Callable[[Loan, EligibilityFacts, datetime.date], None]], ...] = (
    ("amount", _check_amount),
    ("term_months", _check_term),
    ("purpose", _check_purpose),
    ("guarantee", _check_guarantee),
)
