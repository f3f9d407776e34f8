"""A clerk asks the township station to reverse a repayment recorded by mistake (the clerk who
recorded it may not reverse it: four eyes); the station reverses it through
`loans.services.money.repayment_reverse`, which closes the request, or refuses with a reason."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import User
from loans.exceptions import LoanRuleError
from loans.models import Repayment, ReversalRequest, ReversalStatus
from loans.services.transitions import loan_lock_for


@transaction.atomic
def reversal_request(*, repayment: Repayment, by: User, reason: str) -> ReversalRequest:
    """Ask for the reversal: by a clerk of the loan's village, with the reason, once."""
    loan_lock_for(repayment.loan, by=by, action="reversal_request")
    repayment = Repayment.objects.get(pk=repayment.pk)
    if repayment.reversal_entry_id:
        raise LoanRuleError(_("This repayment is already reversed."), "reversed")
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the reversal."), "reason")
    if repayment.reversal_requests.filter(status=ReversalStatus.PENDING).exists():
        raise LoanRuleError(
            _("The reversal of this repayment is already requested."), "already_requested"
        )
    try:
        with transaction.atomic():
            return ReversalRequest.objects.create(
                repayment=repayment, reason=reason.strip()[:300], requested_by=by
            )
    except IntegrityError:  # a second request at the same moment
        raise LoanRuleError(
            _("The reversal of this repayment is already requested."), "already_requested"
        ) from None


@transaction.atomic
def reversal_request_refuse(*, request: ReversalRequest, by: User, reason: str) -> ReversalRequest:
    """The station declines the request, with its reason for the clerk."""
    loan_lock_for(request.repayment.loan, by=by, action="reverse_repayment")
    request = ReversalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ReversalStatus.PENDING:
        raise LoanRuleError(_("This request is already decided."), "decided")
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the refusal."), "reason")
    request.status, request.refusal = ReversalStatus.REFUSED, reason.strip()[:300]
    request.decided_by, request.decided_at = by, timezone.now()
    request.save(update_fields=["status", "refusal", "decided_by", "decided_at"])
    return request


def reversal_request_close(*, repayment: Repayment, by: User) -> None:
    """The repayment is reversed: its pending request, if any, is done (the reversal's own
    transaction)."""
    ReversalRequest.objects.filter(repayment=repayment, status=ReversalStatus.PENDING).update(
        status=ReversalStatus.DONE, decided_by=by, decided_at=timezone.now()
    )
