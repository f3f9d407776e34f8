"""Extensions (展期, DESIGN §5): the clerk requests one, the township committee grants or refuses
it from its inbox. At most one extension, before maturity, total term within the policy."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import User
from loans.domain.instalments import extension_check
from loans.exceptions import LoanRuleError
from loans.models import ExtensionRequest, ExtensionStatus, Loan
from loans.selectors.loans import loan_terms
from loans.selectors.policy import effective_policy
from loans.services.money import loan_extend
from loans.services.transitions import loan_lock_for
from loans.workflow import LENT_STATUSES


@transaction.atomic
def extension_request(
    *, loan: Loan, by: User, new_maturity: datetime.date, reason: str, on: datetime.date
) -> ExtensionRequest:
    """The clerk asks the committee for a new maturity. The extension rules are checked now,
    so a request the committee could never grant is not sent."""
    loan = loan_lock_for(loan, by=by, action="extension_request")
    if loan.status not in LENT_STATUSES:
        raise LoanRuleError(_("Only a loan being repaid can be extended."), "not_lent")
    if not reason.strip():
        raise LoanRuleError(_("Say why the household needs more time."), "reason")
    extension_check(
        loan_terms(loan),
        on=on,
        new_maturity=new_maturity,
        extensions_so_far=loan.extensions,
        max_term_months=effective_policy(loan.association).max_term_months,
    )
    try:
        with transaction.atomic():
            return ExtensionRequest.objects.create(
                loan=loan, new_maturity=new_maturity, reason=reason, requested_by=by
            )
    except IntegrityError:  # one_pending_extension_request
        raise LoanRuleError(
            _("An extension request for this loan already waits for the committee."), "pending"
        ) from None


def _pending(request: ExtensionRequest) -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionStatus.PENDING:
        raise LoanRuleError(_("This extension request is already decided."), "decided")
    return request


@transaction.atomic
def extension_grant(*, request: ExtensionRequest, by: User, on: datetime.date) -> ExtensionRequest:
    """The committee grants the request: the loan's last instalment moves to the new maturity."""
    loan_lock_for(request.loan, by=by, action="extend")
    request = _pending(request)
    if by.pk == request.requested_by_id:
        raise LoanRuleError(_("Whoever asked for an extension cannot grant it."), "four_eyes")
    loan_extend(loan=request.loan, by=by, on=on, new_maturity=request.new_maturity)
    return _decide(request, by=by, status=ExtensionStatus.GRANTED, reason="")


@transaction.atomic
def extension_refuse(*, request: ExtensionRequest, by: User, reason: str) -> ExtensionRequest:
    """The committee refuses, saying why; the loan keeps its maturity."""
    loan_lock_for(request.loan, by=by, action="extension_refuse")
    request = _pending(request)
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the refusal."), "reason")
    if by.pk == request.requested_by_id:
        raise LoanRuleError(_("Whoever asked for an extension cannot refuse it."), "four_eyes")
    return _decide(request, by=by, status=ExtensionStatus.REFUSED, reason=reason)


def _decide(request: ExtensionRequest, *, by: User, status: str, reason: str) -> ExtensionRequest:
    request.status, request.decided_by = status, by
    request.decided_at, request.decision_reason = timezone.now(), reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return request
