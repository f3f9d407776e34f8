"""Every rule a loan must meet at submit, approval and disbursement (DESIGN §5). The first broken
rule is raised as a `LoanRuleError` in the user's language. Cash is checked apart: it waitlists."""

import datetime
from collections.abc import Callable

from django.utils.translation import gettext as _

from associations.models import MemberStatus
from guarantees.models import GroupRole, GroupStatus
from guarantees.rules import GroupRules, composition_check
from loans.domain import schedules
from loans.exceptions import LoanDraftError, LoanRuleError
from loans.models import GuaranteeKind, Loan
from loans.selectors.loans import is_overdue
from loans.selectors.policy import EffectivePolicy, effective_policy
from loans.workflow import ACTIVE_STATUSES, LENT_STATUSES
from mutualaid.money import format_yuan

# The form field that names each kind of guarantee (its problems are shown beside it).
GUARANTEE_FIELDS: dict[str, str] = {
    GuaranteeKind.GROUP: "group",
    GuaranteeKind.PERSONAL: "guarantor",
    GuaranteeKind.PLACEMENT: "placement",
}


def schedule_check(loan: Loan, *, on: datetime.date) -> None:
    """The repayment schedule must hold as if the loan were paid out on `on`: custom rows
    positive, after that day, within the term and adding up to the amount. Checked when the
    draft is saved and at every step, not first at disbursement."""
    schedules.build(
        kind=loan.schedule_kind,
        principal=loan.amount,
        disbursed_on=on,
        term_months=loan.term_months,
        rows=schedules.stored_rows(loan.custom_rows),
    )


def eligibility_check(loan: Loan, *, on: datetime.date) -> None:
    """Every rule a loan must meet at submit, approval and disbursement; the first broken one
    is raised, named in the user's language. Cash is checked separately (it waitlists)."""
    schedule_check(loan, on=on)
    member, policy = loan.member, effective_policy(loan.association)
    if member.status != MemberStatus.ACTIVE or member.association_id != loan.association_id:
        raise LoanRuleError(
            _("The borrower is not an active member of this association."), "not_member"
        )
    if (
        Loan.objects.filter(
            member=member,
            status__in=sorted(ACTIVE_STATUSES),
        )
        .exclude(pk=loan.pk)
        .exists()
    ):
        raise LoanRuleError(_("The household already has an active loan."), "active_loan")
    for _field, check in _DRAFT_CHECKS:
        check(loan, policy, on)


def draft_check(loan: Loan, *, on: datetime.date) -> None:
    """The rules a clerk can meet while typing (amount and first-loan cap, term, purpose,
    guarantee), checked when a draft is saved: every broken one is raised at once in a
    `LoanDraftError`, keyed by the form field it belongs to. Submission re-checks them all."""
    schedule_check(loan, on=on)
    policy = effective_policy(loan.association)
    problems: dict[str, LoanRuleError] = {}
    for field, check in _DRAFT_CHECKS:
        try:
            check(loan, policy, on)
        except LoanRuleError as error:
            name = GUARANTEE_FIELDS[loan.guarantee_kind] if field == "guarantee" else field
            problems.setdefault(name, error)
    if problems:
        raise LoanDraftError(problems)


def _check_amount(loan: Loan, policy: EffectivePolicy, on: datetime.date) -> None:
    first = (
        not Loan.objects.filter(member=loan.member_id, disbursed_on__isnull=False)
        .exclude(pk=loan.pk)
        .exists()
    )
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


def _check_term(loan: Loan, policy: EffectivePolicy, on: datetime.date) -> None:
    if loan.term_months > policy.max_term_months:
        raise LoanRuleError(
            _("The term may be at most %(n)s months.") % {"n": policy.max_term_months}, "term_limit"
        )


def _check_purpose(loan: Loan, policy: EffectivePolicy, on: datetime.date) -> None:
    if policy.purposes and loan.purpose.code not in policy.purposes:
        raise LoanRuleError(
            _("The policy does not allow loans for %(purpose)s.") % {"purpose": loan.purpose},
            "purpose",
        )


def _check_guarantee(loan: Loan, policy: EffectivePolicy, on: datetime.date) -> None:
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
        return
    group = loan.group
    assert group is not None
    memberships = list(group.memberships.filter(left_on__isnull=True).select_related("member"))
    if group.status != GroupStatus.ACTIVE or group.association_id != loan.association_id:
        raise LoanRuleError(_("The guarantee group is not active."), "group_inactive")
    members = [m.member for m in memberships]
    if loan.member not in members:
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
    others = Loan.objects.filter(member__in=members, status__in=sorted(LENT_STATUSES)).exclude(
        pk=loan.pk
    )
    if policy.group_stop:
        for other in others:
            if is_overdue(other, on):
                raise LoanRuleError(
                    _(
                        "%(name)s in the group is overdue: no member of the group gets a new "
                        "loan until it is repaid."
                    )
                    % {"name": other.member.name},
                    "group_stop",
                )
    limit = policy.concurrent_borrowers_per_group
    if limit is not None and others.count() >= limit:
        raise LoanRuleError(
            _("The group already has %(n)s borrowers, the most allowed.") % {"n": limit},
            "group_concurrent",
        )


# The rules checked while typing, in the order submission raises them, each with the form field
# its message is shown beside ("guarantee": the field of the guarantee kind chosen).
_DRAFT_CHECKS: tuple[tuple[str, Callable[[Loan, EffectivePolicy, datetime.date], None]], ...] = (
    ("amount", _check_amount),
    ("term_months", _check_term),
    ("purpose", _check_purpose),
    ("guarantee", _check_guarantee),
)
