"""From draft to ready: application, submit, board review, approval, public notice, objection,
rejection, withdrawal and the waitlist. Every status change goes through `loan_transition`."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, Member, PovertyStatus, User
from guarantees.models import GuaranteeGroup, Placement
from loans.domain import schedules
from loans.exceptions import LoanRuleError
from loans.models import GuaranteeKind, Loan, LoanPurpose
from loans.selectors.loans import lendable_cash
from loans.selectors.policy import effective_policy
from loans.services.eligibility import draft_check, eligibility_check, schedule_check
from loans.services.transitions import loan_lock, loan_lock_for, loan_transition
from loans.workflow import ACTIVE_STATUSES, LoanStatus, authorize, waitlist_resume_status
from mutualaid.money import to_fen

S = LoanStatus


@transaction.atomic
def loan_apply(
    *,
    association: Association,
    member: Member,
    amount: Decimal,
    term_months: int,
    purpose: LoanPurpose,
    schedule_kind: str,
    guarantee_kind: str,
    by: User,
    group: GuaranteeGroup | None = None,
    guarantor: Member | None = None,
    placement: Placement | None = None,
    custom_rows: Iterable[tuple[datetime.date, Decimal]] | None = None,
    expected_income: Decimal | None = None,
) -> Loan:
    """The clerk's draft. Saved only when every rule a clerk can meet while typing holds
    (`eligibility.draft_check`); the rest, and all of it again, at submit."""
    authorize(by, "apply", area_code=association.area_id)
    if member.association_id != association.pk:
        raise LoanRuleError(_("The borrower is not a member of this association."), "not_member")
    loan = Loan(association=association, member=member, entered_by=by)
    _draft_fill(
        loan,
        amount=amount,
        term_months=term_months,
        purpose=purpose,
        schedule_kind=schedule_kind,
        guarantee_kind=guarantee_kind,
        group=group,
        guarantor=guarantor,
        placement=placement,
        custom_rows=custom_rows,
        expected_income=expected_income,
    )
    loan.save()
    return loan


@transaction.atomic
def loan_draft_update(
    *,
    loan: Loan,
    amount: Decimal,
    term_months: int,
    purpose: LoanPurpose,
    schedule_kind: str,
    guarantee_kind: str,
    by: User,
    group: GuaranteeGroup | None = None,
    guarantor: Member | None = None,
    placement: Placement | None = None,
    custom_rows: Iterable[tuple[datetime.date, Decimal]] | None = None,
    expected_income: Decimal | None = None,
) -> Loan:
    """The clerk corrects a draft until it is submitted, under the same checks as a new one."""
    loan = loan_lock_for(loan, by=by, action="edit")
    if loan.status != S.DRAFT:
        raise LoanRuleError(
            _("Only a draft can be changed; this application is %(status)s.")
            % {"status": loan.get_status_display()},
            "not_draft",
        )
    _draft_fill(
        loan,
        amount=amount,
        term_months=term_months,
        purpose=purpose,
        schedule_kind=schedule_kind,
        guarantee_kind=guarantee_kind,
        group=group,
        guarantor=guarantor,
        placement=placement,
        custom_rows=custom_rows,
        expected_income=expected_income,
    )
    loan.save()
    return loan


def _draft_fill(
    loan: Loan,
    *,
    amount: Decimal,
    term_months: int,
    purpose: LoanPurpose,
    schedule_kind: str,
    guarantee_kind: str,
    group: GuaranteeGroup | None,
    guarantor: Member | None,
    placement: Placement | None,
    custom_rows: Iterable[tuple[datetime.date, Decimal]] | None,
    expected_income: Decimal | None,
) -> None:
    """Set a draft's terms and check them: shape first, then every rule checkable while typing
    (a `LoanDraftError` names each field that breaks one). Nothing is saved here."""
    targets: dict[str, object] = {
        GuaranteeKind.GROUP: group,
        GuaranteeKind.PERSONAL: guarantor,
        GuaranteeKind.PLACEMENT: placement,
    }
    if guarantee_kind not in targets or targets[guarantee_kind] is None:
        raise LoanRuleError(
            _("Every loan needs a guarantee: choose a group, a guarantor or a placement."),
            "no_guarantee",
        )
    if not 1 <= term_months <= schedules.ABSOLUTE_MAX_TERM_MONTHS:
        raise LoanRuleError(
            _("The term must be between 1 and %(max)s months.")
            % {"max": schedules.ABSOLUTE_MAX_TERM_MONTHS},
            "term",
        )
    if to_fen(amount) <= 0:
        raise LoanRuleError(_("The amount must be more than zero."), "amount")
    rows = [[str(d), str(a)] for d, a in (custom_rows or [])]
    loan.amount, loan.term_months, loan.purpose = to_fen(amount), term_months, purpose
    loan.schedule_kind, loan.custom_rows = schedule_kind, rows
    loan.guarantee_kind, loan.expected_income = guarantee_kind, expected_income
    loan.group = group if guarantee_kind == GuaranteeKind.GROUP else None
    loan.guarantor = guarantor if guarantee_kind == GuaranteeKind.PERSONAL else None
    loan.placement = placement if guarantee_kind == GuaranteeKind.PLACEMENT else None
    draft_check(loan, on=timezone.localdate())
    loan.custom_rows = [[day, str(to_fen(amount))] for day, amount in rows]


def _waitlist_or(loan: Loan, to: str, by: User, reason: str = "") -> Loan:
    """Move on to `to`, or wait for funds (unmet demand) when lendable cash does not cover it.
    A submitted application waits as submitted; an approval waits at the committee's stage."""
    if lendable_cash(loan.association, excluding=loan) >= loan.amount:
        return loan_transition(loan=loan, to=to, by=by, reason=reason)
    if loan.status == S.DRAFT:
        loan_transition(loan=loan, to=S.SUBMITTED, by=by, reason=reason)
    loan.waited_at = loan.status
    return loan_transition(
        loan=loan, to=S.WAITLISTED, by=by, reason=_("Not enough lendable cash: waiting for funds.")
    )


@transaction.atomic
def loan_submit(*, loan: Loan, by: User) -> Loan:
    loan = loan_lock_for(loan, by=by, action="submit")
    eligibility_check(loan, on=timezone.localdate())
    loan.submitted_by = by
    try:
        with transaction.atomic():
            return _waitlist_or(loan, S.SUBMITTED, by)
    except IntegrityError:  # a concurrent submit for the same household won the race
        raise LoanRuleError(_("The household already has an active loan."), "active_loan") from None


@transaction.atomic
def loan_board_review(*, loan: Loan, by: User, reason: str = "") -> Loan:
    loan = loan_lock_for(loan, by=by, action="review")
    schedule_check(loan, on=timezone.localdate())
    return loan_transition(loan=loan, to=S.BOARD_REVIEWED, by=by, reason=reason)


@transaction.atomic
def loan_send_back(*, loan: Loan, by: User, reason: str) -> Loan:
    """The board returns a submitted application to the clerk as a draft to correct, saying
    what to correct; the clerk edits it and submits it again."""
    if not reason.strip():
        raise LoanRuleError(_("Say what the clerk should correct."), "reason")
    return loan_transition(
        loan=loan_lock_for(loan, by=by, action="send_back"), to=S.DRAFT, by=by, reason=reason
    )


@transaction.atomic
def loan_approve(*, loan: Loan, by: User, on: datetime.date | None = None) -> Loan:
    """The township committee approves; the public notice starts at once."""
    loan = loan_lock_for(loan, by=by, action="approve")
    on = on or timezone.localdate()
    if by.pk in (loan.entered_by_id, loan.submitted_by_id):
        raise LoanRuleError(
            _("Whoever entered or submitted an application cannot approve it."), "four_eyes"
        )
    eligibility_check(loan, on=on)
    policy = effective_policy(loan.association)
    loan.fee_rate, loan.fee_method = policy.fee_rate, policy.fee_method
    loan.overdue_multiplier, loan.approved_by = policy.overdue_multiplier, by
    loan = _waitlist_or(loan, S.APPROVED, by)
    if loan.status == S.APPROVED:
        loan.notice_ends_on = policy.notice_ends(on)
        loan_transition(
            loan=loan,
            to=S.IN_NOTICE,
            by=by,
            reason=_("Public notice until %(date)s") % {"date": loan.notice_ends_on},
        )
    return loan


@transaction.atomic
def loan_reject(*, loan: Loan, by: User, reason: str) -> Loan:
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the rejection."), "reason")
    return loan_transition(
        loan=loan_lock_for(loan, by=by, action="reject"), to=S.REJECTED, by=by, reason=reason
    )


@transaction.atomic
def loan_withdraw(*, loan: Loan, by: User, reason: str = "") -> Loan:
    """The household or the clerk withdraws an application not yet paid out."""
    return loan_transition(
        loan=loan_lock_for(loan, by=by, action="withdraw"), to=S.WITHDRAWN, by=by, reason=reason
    )


@transaction.atomic
def loan_object(*, loan: Loan, by: User, reason: str) -> Loan:
    """An objection during the public notice sends the application back to the committee."""
    loan = loan_lock_for(loan, by=by, action="object")
    if loan.status != S.IN_NOTICE:
        raise LoanRuleError(_("Objections are recorded during the public notice."), "no_notice")
    if not reason.strip():
        raise LoanRuleError(_("Record what the objection says."), "reason")
    loan.notice_ends_on = None
    return loan_transition(
        loan=loan, to=S.BOARD_REVIEWED, by=by, reason=_("Objection: %(text)s") % {"text": reason}
    )


def notices_expire(*, today: datetime.date) -> int:
    """Move loans whose notice has ended to `ready`. Idempotent: safe to run twice."""
    moved = 0
    for loan_id in Loan.objects.filter(status=S.IN_NOTICE, notice_ends_on__lte=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            loan = Loan.objects.select_for_update().get(pk=loan_id)
            if loan.status == S.IN_NOTICE:
                loan_transition(loan=loan, to=S.READY, by=None, reason=_("Notice ended"))
                moved += 1
    return moved


def waitlist_release(*, association: Association, by: User | None = None) -> int:
    """When cash comes back, waiting applications move on in order: oldest first, or
    registered-poor households first when the policy says so (`poor_first`)."""
    moved = 0
    waiting: QuerySet[Loan] = Loan.objects.filter(association=association, status=S.WAITLISTED)
    order = ["created_at", "pk"]
    if effective_policy(association).poor_first:
        waiting = waiting.annotate(
            poor=Case(
                When(member__poverty_status=PovertyStatus.REGISTERED_POOR, then=Value(0)),
                default=Value(1),
            )
        )
        order = ["poor", *order]
    for loan in waiting.order_by(*order):
        with transaction.atomic():
            loan = loan_lock(loan)
            if lendable_cash(association, excluding=loan) < loan.amount:
                break
            to = waitlist_resume_status(loan.waited_at)
            loan_transition(loan=loan, to=to, by=by, reason=_("Funds available again"))
            if to == S.APPROVED:  # the committee had approved: its public notice starts now
                policy = effective_policy(association)
                loan.notice_ends_on = policy.notice_ends(timezone.localdate())
                loan_transition(loan=loan, to=S.IN_NOTICE, by=by)
            moved += 1
    return moved


def member_exit_guard(member: Member) -> str | None:
    """An exit guard (associations.hooks): a household with a loan not yet closed cannot leave."""
    if Loan.objects.filter(
        member=member,
        status__in=sorted(ACTIVE_STATUSES | {S.WRITTEN_OFF}),
    ).exists():
        return _("The household still has a loan with the association; settle it first.")
    return None
