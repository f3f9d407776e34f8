"""The one place a loan's status changes, and the row lock every loan service takes first."""

from associations.models import User
from loans.models import Loan, LoanTransition
from loans.workflow import authorize, check_transition


def loan_transition(*, loan: Loan, to: str, by: User | None, reason: str = "") -> Loan:
    """The one place a loan's status changes: checked against the table and recorded."""
    check_transition(loan.status, to)
    LoanTransition.objects.create(
        loan=loan, from_status=loan.status, to_status=to, by=by, reason=reason[:300]
    )
    loan.status = to
    loan.save(
        update_fields=[
            "status",
            "waited_at",
            "notice_ends_on",
            "fee_rate",
            "fee_method",
            "overdue_multiplier",
            "approved_by",
            "submitted_by",
            "disbursed_on",
            "extensions",
        ]
    )
    return loan


def loan_lock(loan: Loan) -> Loan:
    """The loan row locked (FOR UPDATE OF the loan only): its association and member come in the
    same query unlocked, so another clerk of the village, or any insert that refers to the
    association or the member, does not wait for this transaction."""
    return (
        Loan.objects.select_for_update(of=("self",))
        .select_related("association", "member")
        .get(pk=loan.pk)
    )


def loan_lock_for(loan: Loan, *, by: User, action: str) -> Loan:
    """Lock the loan row and check that `by` may take `action` at the loan's village (a role
    held elsewhere does not count). Every loan service that a person triggers starts here."""
    loan = loan_lock(loan)
    authorize(by, action, area_code=loan.association.area_id)
    return loan
