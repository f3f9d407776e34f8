"""The committee inbox's checks for one page of applications in a constant number of queries.

The rules are loans.domain.eligibility's, the same functions `eligibility_check`
(loans.services.eligibility) calls for one loan; only the reading differs. Here the facts the
rules need are read for a whole page at once: the policies on every path, the households' other
loans, the groups and their members' lent loans (overdue from the stored oldest unpaid due
date), the cash and bank of the books and the loans promised from them; then each loan's
`EligibilityFacts` is cut from them. tests/worldgen/test_inbox_checks.py checks that both give
the same answer for every loan of a generated world.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from funds.models import JournalLine
from guarantees.models import GroupMembership
from loans.domain.eligibility import EligibilityFacts, LentLoan, check_eligibility
from loans.domain.policy_rules import EffectivePolicy, combine
from loans.models import GuaranteeKind, Loan, LoanPolicy
from loans.selectors.loans import COMMITTED
from loans.selectors.policy import _depth, all_purpose_codes, layer_of, path_codes
from loans.workflow import ACTIVE_STATUSES, LENT_STATUSES
from mutualaid.errors import RuleError
from mutualaid.money import ZERO


@dataclass(frozen=True)
class InboxCheck:
    problem: str | None  # the first broken rule, as eligibility_check words it
    cash_ok: bool  # lendable cash covers the amount


@dataclass
class _Page:
    """What the rules need about the page's loans, read in eight queries."""

    policies: dict[int, EffectivePolicy]  # by association
    active: dict[int, set[int]]  # member -> their loans in an active status
    disbursed: dict[int, set[int]]  # member -> their loans ever disbursed
    groups: dict[int, list[GroupMembership]]  # group -> its current memberships
    lent: dict[int, list[LentLoan]]  # member -> their lent loans
    cash: dict[int, Decimal]  # association -> cash and bank
    promised: dict[int, list[tuple[int, Decimal]]]  # association -> (loan, amount) committed

    def facts(self, loan: Loan) -> EligibilityFacts:
        """The facts of one loan of the page, as `eligibility_facts` reads them alone."""
        memberships: tuple[GroupMembership, ...] = ()
        if loan.guarantee_kind == GuaranteeKind.GROUP and loan.group_id is not None:
            memberships = tuple(self.groups.get(loan.group_id, ()))
        return EligibilityFacts(
            policy=self.policies[loan.association_id],
            active_loans=frozenset(self.active.get(loan.member_id, ())),
            disbursed_loans=frozenset(self.disbursed.get(loan.member_id, ())),
            memberships=memberships,
            group_lent=tuple(
                other for m in memberships for other in self.lent.get(m.member_id, ())
            ),
        )


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


def _read(loans: Sequence[Loan]) -> _Page:
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
    lent: dict[int, list[LentLoan]] = defaultdict(list)
    for member, pk, created_at, name, oldest in Loan.objects.filter(
        member_id__in=in_groups, status__in=sorted(LENT_STATUSES)
    ).values_list("member_id", "pk", "created_at", "member__name", "oldest_unpaid_due_on"):
        lent[member].append(LentLoan(pk, created_at, name, oldest))
    cash: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in (
        JournalLine.objects.filter(
            book__association_id__in=associations, account__key__in=["cash", "bank"]
        )
        .values("book__association_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    ):
        cash[line["book__association_id"]] = (line["d"] or ZERO) - (line["c"] or ZERO)
    promised: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for association, pk, amount in Loan.objects.filter(
        association_id__in=associations, status__in=COMMITTED
    ).values_list("association_id", "pk", "amount"):
        promised[association].append((pk, amount))
    return _Page(_policies(loans), active, disbursed, groups, lent, cash, promised)


def inbox_checks(loans: Sequence[Loan], *, on: datetime.date) -> dict[int, InboxCheck]:
    """Per loan of the page: the first broken eligibility rule (or None) and whether lendable
    cash covers it. The loans come with member, purpose, association, group, guarantor and
    placement selected; eight queries whatever their number."""
    if not loans:
        return {}
    page = _read(loans)
    result = {}
    for loan in loans:
        try:
            check_eligibility(loan, page.facts(loan), on=on)
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
