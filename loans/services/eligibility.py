"""Every rule a loan must meet at submit, approval and disbursement (DESIGN §5), for one loan.
The rules themselves are pure, in loans.domain.eligibility; here their facts are read for one
loan (the committee inbox reads the same facts for a page at once, loans.selectors.inbox). The
first broken rule is raised as a `LoanRuleError` in the user's language. Cash is checked
apart: it waitlists."""

import datetime

from guarantees.models import GroupMembership
from loans.domain.eligibility import (
    GUARANTEE_FIELDS,
    EligibilityFacts,
    LentLoan,
    check_draft,
    check_eligibility,
    check_schedule,
)
from loans.models import GuaranteeKind, Loan
from loans.selectors.policy import effective_policy
from loans.workflow import ACTIVE_STATUSES, LENT_STATUSES

__all__ = [
    "GUARANTEE_FIELDS",
    "draft_check",
    "eligibility_check",
    "eligibility_facts",
    "schedule_check",
]


def eligibility_facts(loan: Loan) -> EligibilityFacts:
    """What the rules need about `loan` beyond its loaded relations, read for this one loan."""
    own = Loan.objects.filter(member=loan.member_id)
    memberships: tuple[GroupMembership, ...] = ()
    group_lent: tuple[LentLoan, ...] = ()
    if loan.guarantee_kind == GuaranteeKind.GROUP and loan.group_id is not None:
        memberships = tuple(
            GroupMembership.objects.filter(
                group_id=loan.group_id, left_on__isnull=True
            ).select_related("member")
        )
        group_lent = tuple(
            LentLoan(*row)
            for row in Loan.objects.filter(
                member_id__in=[m.member_id for m in memberships],
                status__in=sorted(LENT_STATUSES),
            ).values_list("pk", "created_at", "member__name", "oldest_unpaid_due_on")
        )
    return EligibilityFacts(
        policy=effective_policy(loan.association),
        active_loans=frozenset(
            own.filter(status__in=sorted(ACTIVE_STATUSES)).values_list("pk", flat=True)
        ),
        disbursed_loans=frozenset(
            own.filter(disbursed_on__isnull=False).values_list("pk", flat=True)
        ),
        memberships=memberships,
        group_lent=group_lent,
    )


def schedule_check(loan: Loan, *, on: datetime.date) -> None:
    """The repayment schedule must hold as if the loan were paid out on `on`. Checked when the
    draft is saved and at every step, not first at disbursement."""
    check_schedule(loan, on=on)


def eligibility_check(loan: Loan, *, on: datetime.date) -> None:
    """Every rule a loan must meet at submit, approval and disbursement; the first broken one
    is raised, named in the user's language. Cash is checked separately (it waitlists)."""
    check_schedule(loan, on=on)  # the first rule needs no reading
    check_eligibility(loan, eligibility_facts(loan), on=on)


def draft_check(loan: Loan, *, on: datetime.date) -> None:
    """The rules a clerk can meet while typing (amount and first-loan cap, term, purpose,
    guarantee), checked when a draft is saved: every broken one is raised at once in a
    `LoanDraftError`, keyed by the form field it belongs to. Submission re-checks them all."""
    check_schedule(loan, on=on)  # the first rule needs no reading
    check_draft(loan, eligibility_facts(loan), on=on)
