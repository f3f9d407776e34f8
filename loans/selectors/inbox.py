"""The committee inbox's checks for one page of applications in a constant number of queries.

`eligibility_check` (loans.services.eligibility) and `lendable_cash` (loans.selectors.loans)
answer for one loan with a dozen queries each, and the group stop replays every other loan of
the group. Here the same rules, in the same order and with the same messages, are read for a
whole page at once: the policies on every path, the members' other loans, the groups and their
members' lent loans (overdue from the stored oldest unpaid due date), the cash and bank of the
books and the loans promised from them. tests/worldgen/test_inbox_checks.py checks that both
give the same answer for every loan of a generated world.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from associations.models import MemberStatus
from funds.models import JournalLine
from guarantees.models import GroupMembership, GroupRole, GroupStatus
from guarantees.rules import GroupRules, composition_check
from loans.domain.policy_rules import EffectivePolicy, combine
from loans.exceptions import LoanRuleError
from loans.models import GuaranteeKind, Loan, LoanPolicy
from loans.selectors.loans import COMMITTED
from loans.selectors.policy import _depth, all_purpose_codes, layer_of, path_codes
from loans.services.eligibility import schedule_check
from loans.workflow import ACTIVE_STATUSES, LENT_STATUSES
from mutualaid.errors import RuleError
from mutualaid.money import ZERO, format_yuan


@dataclass(frozen=True)
class InboxCheck:
    problem: str | None  # the first broken rule, as eligibility_check words it
    cash_ok: bool  # lendable cash covers the amount


@dataclass
class _Page:
    """What the rules need about the page's loans, read in nine queries."""

    on: datetime.date
    policies: dict[int, EffectivePolicy]  # by association
    active: dict[int, set[int]]  # member -> their loans in an active status
    disbursed: dict[int, set[int]]  # member -> their loans ever disbursed
    groups: dict[int, list[GroupMembership]]  # group -> its current memberships
    lent: dict[int, list[Loan]]  # member -> their lent loans, newest first
    cash: dict[int, Decimal]  # association -> cash and bank
    promised: dict[int, list[tuple[int, Decimal]]]  # association -> (loan, amount) committed


def _policies(loans: Sequence[Loan]) -> dict[int, EffectivePolicy]:
    codes = set().union(*(path_codes(loan.association.area_id) for loan in loans))
    policies = list(
        LoanPolicy.objects.filter(scope_code__in=codes)
        .select_related("area", "association")
        .prefetch_related("purposes")
    )
    purposes = all_purpose_codes()
    result = {}
    for loan in loans:
        if loan.association_id in result:
            continue
        path = path_codes(loan.association.area_id)
        mine = sorted((p for p in policies if p.scope_code in path), key=_depth)
        result[loan.association_id] = combine([layer_of(p) for p in mine], all_purposes=purposes)
    return result


def _read(loans: Sequence[Loan], on: datetime.date) -> _Page:
    members = {loan.member_id for loan in loans}
    associations = {loan.association_id for loan in loans}
    active: dict[int, set[int]] = defaultdict(set)
    for member, pk in Loan.objects.filter(
        member_id__in=members, status__in=sorted(ACTIVE_STATUSES)
    ).values_list("member_id", "pk"):
        active[member].add(pk)
    disbursed: dict[int, set[int]] = defaultdict(set)
    for member, pk in Loan.objects.filter(
        member_id__in=members, disbursed_on__isnull=False
    ).values_list("member_id", "pk"):
        disbursed[member].add(pk)
    groups: dict[int, list[GroupMembership]] = defaultdict(list)
    group_ids = {loan.group_id for loan in loans if loan.guarantee_kind == GuaranteeKind.GROUP}
    for membership in GroupMembership.objects.filter(
        group_id__in=group_ids, left_on__isnull=True
    ).select_related("member"):
        groups[membership.group_id].append(membership)
    in_groups = {m.member_id for memberships in groups.values() for m in memberships}
    lent: dict[int, list[Loan]] = defaultdict(list)
    for other in (
        Loan.objects.filter(member_id__in=in_groups, status__in=sorted(LENT_STATUSES))
        .select_related("member")
        .order_by("-created_at", "-id")
    ):
        lent[other.member_id].append(other)
    cash: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        JournalLine.objects.filter(
            book__association_id__in=associations, account__key__in=["cash", "bank"]
        )
        .values("book__association_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    ):
        cash[row["book__association_id"]] = (row["d"] or ZERO) - (row["c"] or ZERO)
    promised: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for association, pk, amount in Loan.objects.filter(
        association_id__in=associations, status__in=COMMITTED
    ).values_list("association_id", "pk", "amount"):
        promised[association].append((pk, amount))
    return _Page(on, _policies(loans), active, disbursed, groups, lent, cash, promised)


def _check(loan: Loan, page: _Page) -> None:
    """eligibility_check's rules, in its order, on what the page read."""
    schedule_check(loan, on=page.on)
    member, policy = loan.member, page.policies[loan.association_id]
    if member.status != MemberStatus.ACTIVE or member.association_id != loan.association_id:
        raise LoanRuleError(
            _("The borrower is not an active member of this association."), "not_member"
        )
    if page.active[member.pk] - {loan.pk}:
        raise LoanRuleError(_("The household already has an active loan."), "active_loan")
    first = not (page.disbursed[member.pk] - {loan.pk})
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
    if loan.term_months > policy.max_term_months:
        raise LoanRuleError(
            _("The term may be at most %(n)s months.") % {"n": policy.max_term_months}, "term_limit"
        )
    if policy.purposes and loan.purpose.code not in policy.purposes:
        raise LoanRuleError(
            _("The policy does not allow loans for %(purpose)s.") % {"purpose": loan.purpose},
            "purpose",
        )
    _check_guarantee(loan, policy, page)


def _check_guarantee(loan: Loan, policy: EffectivePolicy, page: _Page) -> None:
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
    memberships = page.groups[group.pk]
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
    others = sorted(
        (other for m in members for other in page.lent[m.pk] if other.pk != loan.pk),
        key=lambda other: (other.created_at, other.pk),
        reverse=True,
    )
    if policy.group_stop:
        for other in others:
            if other.oldest_unpaid_due_on is not None and other.oldest_unpaid_due_on < page.on:
                raise LoanRuleError(
                    _(
                        "%(name)s in the group is overdue: no member of the group gets a new "
                        "loan until it is repaid."
                    )
                    % {"name": other.member.name},
                    "group_stop",
                )
    limit = policy.concurrent_borrowers_per_group
    if limit is not None and len(others) >= limit:
        raise LoanRuleError(
            _("The group already has %(n)s borrowers, the most allowed.") % {"n": limit},
            "group_concurrent",
        )


def inbox_checks(loans: Sequence[Loan], *, on: datetime.date) -> dict[int, InboxCheck]:
    """Per loan of the page: the first broken eligibility rule (or None) and whether lendable
    cash covers it. The loans come with member, purpose, association, group, guarantor and
    placement selected; nine queries whatever their number."""
    if not loans:
        return {}
    page = _read(loans, on)
    result = {}
    for loan in loans:
        try:
            _check(loan, page)
            problem = None
        except RuleError as error:
            problem = error.message
        promised = sum(
            (amount for pk, amount in page.promised[loan.association_id] if pk != loan.pk), ZERO
        )
        result[loan.pk] = InboxCheck(
            problem, page.cash[loan.association_id] - promised >= loan.amount
        )
    return result
