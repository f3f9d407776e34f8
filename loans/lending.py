"""Writes of the loan itself: application, approvals, notice, disbursement, repayments,
reversals, extension, write-off and recovery. Money posts through funds.journal in the same
transaction as the loan's own records; every status change goes through `loan_transition`."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, Member, MemberStatus, PovertyStatus
from funds.journal import Cr, Dr, book_for_association, journal_post
from funds.models import EntryKind
from funds.selectors import balances_by_key
from guarantees.models import GroupRole, GroupStatus
from guarantees.rules import GroupRules, composition_check
from loans import schedules
from loans.exceptions import LoanRuleError
from loans.fees import LoanState, LoanTerms, amount_owed
from loans.lifecycle import days_past_due, write_off_check
from loans.lifecycle import extend as extend_terms
from loans.models import (
    GuaranteeKind,
    Instalment,
    Loan,
    LoanPurpose,
    LoanTransition,
    Repayment,
    WriteOff,
)
from loans.repayments import Payment, allocate, replay
from loans.selectors import effective_policy
from loans.workflow import (
    ACTIVE_STATUSES,
    LENT_STATUSES,
    LoanStatus,
    check_transition,
    waitlist_resume_status,
)
from mutualaid.money import ZERO, format_yuan, to_fen

S = LoanStatus
# Money promised but not yet out: it is not lendable any more.
COMMITTED = (S.APPROVED, S.IN_NOTICE, S.READY)


def loan_transition(*, loan: Loan, to: str, by, reason: str = "") -> Loan:
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


def _lock(loan: Loan) -> Loan:
    return Loan.objects.select_for_update().select_related("association", "member").get(pk=loan.pk)


# --- terms and state -------------------------------------------------------------------------


def loan_terms(loan: Loan) -> LoanTerms:
    instalments = tuple(
        schedules.Instalment(i.due_on, i.principal) for i in loan.instalments.order_by("number")
    )
    return LoanTerms(
        principal=loan.amount,
        disbursed_on=loan.disbursed_on,
        schedule=instalments,
        annual_rate=loan.fee_rate,
        method=loan.fee_method,
        overdue_multiplier=loan.overdue_multiplier,
    )


def standing_payments(loan: Loan) -> list[Payment]:
    return [
        Payment(r.paid_on, r.amount)
        for r in loan.repayments.filter(reversal_entry__isnull=True).order_by("paid_on", "id")
    ]


def loan_state(loan: Loan) -> tuple[LoanTerms, LoanState]:
    terms = loan_terms(loan)
    _allocations, state = replay(terms, standing_payments(loan))
    return terms, state


def is_overdue(loan: Loan, on: datetime.date) -> bool:
    if loan.status not in LENT_STATUSES:
        return False
    terms, state = loan_state(loan)
    return days_past_due(terms, state, on) > 0


# --- eligibility -----------------------------------------------------------------------------


def lendable_cash(association: Association, *, excluding: Loan | None = None) -> Decimal:
    """Cash and bank less the loans approved but not yet paid out."""
    balances = balances_by_key(book=book_for_association(association))
    committed = Loan.objects.filter(association=association, status__in=COMMITTED)
    if excluding is not None:
        committed = committed.exclude(pk=excluding.pk)
    promised = committed.aggregate(s=Sum("amount"))["s"] or ZERO
    return balances.get("cash", ZERO) + balances.get("bank", ZERO) - promised


def eligibility_check(loan: Loan, *, on: datetime.date) -> None:
    """Every rule a loan must meet at submit, approval and disbursement; the first broken one
    is raised, named in the user's language. Cash is checked separately (it waitlists)."""
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
    first = (
        not Loan.objects.filter(member=member, disbursed_on__isnull=False)
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
    if loan.term_months > policy.max_term_months:
        raise LoanRuleError(
            _("The term may be at most %(n)s months.") % {"n": policy.max_term_months}, "term_limit"
        )
    if policy.purposes and loan.purpose.code not in policy.purposes:
        raise LoanRuleError(
            _("The policy does not allow loans for %(purpose)s.") % {"purpose": loan.purpose},
            "purpose",
        )
    _check_guarantee(loan, policy, on)


def _check_guarantee(loan: Loan, policy, on: datetime.date) -> None:
    if loan.guarantee_kind == GuaranteeKind.PERSONAL:
        guarantor = loan.guarantor
        if (
            guarantor.pk == loan.member_id
            or guarantor.status != MemberStatus.ACTIVE
            or guarantor.association_id != loan.association_id
        ):
            raise LoanRuleError(_("The guarantor must be another active member."), "guarantor")
        return
    if loan.guarantee_kind == GuaranteeKind.PLACEMENT:
        if loan.placement.member_id != loan.member_id:
            raise LoanRuleError(_("The placement belongs to another household."), "placement")
        return
    group = loan.group
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


# --- application and approval ----------------------------------------------------------------


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
    by,
    group=None,
    guarantor=None,
    placement=None,
    custom_rows=None,
    expected_income: Decimal | None = None,
) -> Loan:
    """The clerk's draft. Shape is checked here, the rules at submit."""
    if member.association_id != association.pk:
        raise LoanRuleError(_("The borrower is not a member of this association."), "not_member")
    targets = {
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
    rows = [[str(d), str(to_fen(a))] for d, a in (custom_rows or [])]
    return Loan.objects.create(
        association=association,
        member=member,
        amount=to_fen(amount),
        term_months=term_months,
        purpose=purpose,
        schedule_kind=schedule_kind,
        custom_rows=rows,
        entered_by=by,
        guarantee_kind=guarantee_kind,
        expected_income=expected_income,
        group=group if guarantee_kind == GuaranteeKind.GROUP else None,
        guarantor=guarantor if guarantee_kind == GuaranteeKind.PERSONAL else None,
        placement=placement if guarantee_kind == GuaranteeKind.PLACEMENT else None,
    )


def _waitlist_or(loan: Loan, to: str, by, reason: str = "") -> Loan:
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
def loan_submit(*, loan: Loan, by) -> Loan:
    loan = _lock(loan)
    eligibility_check(loan, on=timezone.localdate())
    loan.submitted_by = by
    try:
        with transaction.atomic():
            return _waitlist_or(loan, S.SUBMITTED, by)
    except IntegrityError:  # a concurrent submit for the same household won the race
        raise LoanRuleError(_("The household already has an active loan."), "active_loan") from None


@transaction.atomic
def loan_board_review(*, loan: Loan, by, reason: str = "") -> Loan:
    loan = _lock(loan)
    return loan_transition(loan=loan, to=S.BOARD_REVIEWED, by=by, reason=reason)


@transaction.atomic
def loan_approve(*, loan: Loan, by, on: datetime.date | None = None) -> Loan:
    """The township committee approves; the public notice starts at once."""
    loan = _lock(loan)
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
def loan_reject(*, loan: Loan, by, reason: str) -> Loan:
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the rejection."), "reason")
    return loan_transition(loan=_lock(loan), to=S.REJECTED, by=by, reason=reason)


@transaction.atomic
def loan_withdraw(*, loan: Loan, by, reason: str = "") -> Loan:
    """The household or the clerk withdraws an application not yet paid out."""
    return loan_transition(loan=_lock(loan), to=S.WITHDRAWN, by=by, reason=reason)


@transaction.atomic
def loan_object(*, loan: Loan, by, reason: str) -> Loan:
    """An objection during the public notice sends the application back to the committee."""
    loan = _lock(loan)
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


# --- money -----------------------------------------------------------------------------------


@transaction.atomic
def loan_disburse(*, loan: Loan, by, on: datetime.date, into: str = "cash") -> Loan:
    """Pay the loan out: the schedule is built and Dr loans receivable / Cr cash or bank."""
    loan = _lock(loan)
    if loan.status != S.READY:
        raise LoanRuleError(
            _("Only a loan whose public notice has ended is paid out."), "not_ready"
        )
    eligibility_check(loan, on=on)
    if lendable_cash(loan.association, excluding=loan) < loan.amount:
        loan.waited_at = S.READY
        return loan_transition(
            loan=loan,
            to=S.WAITLISTED,
            by=by,
            reason=_("Not enough lendable cash: waiting for funds."),
        )
    rows = [(datetime.date.fromisoformat(d), Decimal(a)) for d, a in loan.custom_rows]
    plan = schedules.build(
        kind=loan.schedule_kind,
        principal=loan.amount,
        disbursed_on=on,
        term_months=loan.term_months,
        rows=rows,
    )
    Instalment.objects.bulk_create(
        Instalment(loan=loan, number=n, due_on=i.due_on, principal=i.principal)
        for n, i in enumerate(plan, start=1)
    )
    journal_post(
        book=book_for_association(loan.association),
        date=on,
        kind=EntryKind.DISBURSEMENT,
        by=by,
        source=loan,
        memo=_("Loan to %(name)s") % {"name": loan.member.name},
        lines=[Dr("loans_receivable", loan.amount), Cr(into, loan.amount)],
    )
    loan.disbursed_on = on
    return loan_transition(loan=loan, to=S.DISBURSED, by=by)


@transaction.atomic
def repayment_record(
    *, loan: Loan, amount: Decimal, paid_on: datetime.date, by, token: str
) -> Repayment:
    """Record a cash repayment: overdue fee → usage fee → principal, oldest first. The loan
    row is locked, so two clerks paying at once are applied one after the other."""
    existing = Repayment.objects.filter(token=token).first()
    if existing is not None:  # the same form submitted twice
        return existing
    loan = _lock(loan)
    if loan.status not in LENT_STATUSES:
        raise LoanRuleError(_("This loan takes no repayments."), "not_lent")
    if paid_on > timezone.localdate() or paid_on < loan.disbursed_on:
        raise LoanRuleError(
            _("The payment date must lie between the disbursement and today."), "paid_on"
        )
    last = loan.repayments.filter(reversal_entry__isnull=True).order_by("-paid_on").first()
    if last is not None and paid_on < last.paid_on:
        raise LoanRuleError(
            _(
                "A repayment on %(date)s is already recorded; record repayments in date order "
                "(reverse the later one first)."
            )
            % {"date": last.paid_on},
            "back_dated",
        )
    terms, state = loan_state(loan)
    split, after = allocate(terms, state, amount=to_fen(amount), paid_on=paid_on)
    lines = [Dr("cash", split.amount)]
    for key, part in (
        ("overdue_fee_income", split.overdue_fee),
        ("usage_fee_income", split.usage_fee),
        ("loans_receivable", split.principal),
    ):
        if part:
            lines.append(Cr(key, part))
    entry = journal_post(
        book=book_for_association(loan.association),
        date=paid_on,
        kind=EntryKind.REPAYMENT,
        by=by,
        source=loan,
        lines=lines,
        memo=_("Repayment by %(name)s") % {"name": loan.member.name},
    )
    repayment = Repayment.objects.create(
        loan=loan,
        paid_on=paid_on,
        amount=split.amount,
        overdue_fee=split.overdue_fee,
        usage_fee=split.usage_fee,
        principal=split.principal,
        token=token,
        entry=entry,
        recorded_by=by,
    )
    _follow_state(loan, after, by)
    return repayment


def _follow_state(loan: Loan, state: LoanState, by) -> None:
    settled = (
        state.principal_outstanding == ZERO
        and state.usage_fee_owed == ZERO
        and state.overdue_fee_owed == ZERO
    )
    paid_any = loan.repayments.filter(reversal_entry__isnull=True).exists()
    target = S.CLOSED if settled else (S.REPAYING if paid_any else S.DISBURSED)
    if target != loan.status:
        loan_transition(loan=loan, to=target, by=by)


@transaction.atomic
def repayment_reverse(*, repayment: Repayment, by, reason: str, on: datetime.date) -> Repayment:
    """Reverse a mistaken repayment (a second person, with the reason) and re-derive the loan."""
    repayment = Repayment.objects.select_for_update().get(pk=repayment.pk)
    loan = _lock(repayment.loan)
    if repayment.reversal_entry_id:
        raise LoanRuleError(_("This repayment is already reversed."), "reversed")
    if by.pk == repayment.recorded_by_id:
        raise LoanRuleError(_("Whoever recorded a repayment cannot reverse it."), "four_eyes")
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the reversal."), "reason")
    # Mirror the repayment's split as it stands now: a re-allocation after an earlier
    # reversal may have moved money between fee and principal since its first entry.
    lines = [Cr("cash", repayment.amount)] + [
        Dr(account, getattr(repayment, field))
        for field, account in SPLIT_ACCOUNTS
        if getattr(repayment, field)
    ]
    repayment.reversal_entry = journal_post(
        book=book_for_association(loan.association),
        date=on,
        kind=EntryKind.REVERSAL,
        by=by,
        source=loan,
        lines=lines,
        reverses=repayment.entry,
        memo=_("Reversal of the repayment of %(date)s: %(reason)s")
        % {"date": repayment.paid_on, "reason": reason.strip()},
    )
    repayment.reversed_by, repayment.reversal_reason = by, reason.strip()
    repayment.save()
    state = _reallocate(loan, by=by, on=on)
    _follow_state(loan, state, by)
    return repayment


SPLIT_ACCOUNTS = (
    ("overdue_fee", "overdue_fee_income"),
    ("usage_fee", "usage_fee_income"),
    ("principal", "loans_receivable"),
)


def _reallocate(loan: Loan, *, by, on: datetime.date) -> LoanState:
    """Re-derive the split of every repayment still standing. Taking out an earlier payment
    can move a later one's money between fee and principal; each change posts an adjusting
    entry, so the ledger keeps equal to the loan."""
    terms = loan_terms(loan)
    rows = list(loan.repayments.filter(reversal_entry__isnull=True).order_by("paid_on", "id"))
    allocations, state = replay(terms, [Payment(r.paid_on, r.amount) for r in rows])
    for row, allocation in zip(rows, allocations, strict=True):
        lines = []
        for field, account in SPLIT_ACCOUNTS:
            delta = getattr(allocation, field) - getattr(row, field)
            if delta > 0:
                lines.append(Cr(account, delta))
            elif delta < 0:
                lines.append(Dr(account, -delta))
            setattr(row, field, getattr(allocation, field))
        if lines:
            journal_post(
                book=book_for_association(loan.association),
                date=on,
                kind=EntryKind.REPAYMENT,
                by=by,
                source=loan,
                lines=lines,
                memo=_("Re-allocation of the repayment of %(date)s") % {"date": row.paid_on},
            )
            row.save(update_fields=["overdue_fee", "usage_fee", "principal"])
    return state


@transaction.atomic
def loan_extend(*, loan: Loan, by, on: datetime.date, new_maturity: datetime.date) -> Loan:
    """The committee extends once, before maturity, within the policy's maximum term."""
    loan = _lock(loan)
    if loan.status not in LENT_STATUSES:
        raise LoanRuleError(_("Only a loan being repaid can be extended."), "not_lent")
    policy = effective_policy(loan.association)
    terms = extend_terms(
        loan_terms(loan),
        on=on,
        new_maturity=new_maturity,
        extensions_so_far=loan.extensions,
        max_term_months=policy.max_term_months,
    )
    last = loan.instalments.order_by("-number").first()
    last.due_on = terms.maturity
    last.save(update_fields=["due_on"])
    loan.extensions += 1
    loan.save(update_fields=["extensions"])
    LoanTransition.objects.create(
        loan=loan,
        from_status=loan.status,
        to_status=loan.status,
        by=by,
        reason=_("Extended to %(date)s") % {"date": new_maturity},
    )
    return loan


@transaction.atomic
def write_off_propose(*, loan: Loan, by, reason: str, on: datetime.date) -> WriteOff:
    loan = _lock(loan)
    if loan.status not in LENT_STATUSES:
        raise LoanRuleError(_("Only an unpaid loan can be written off."), "not_lent")
    terms, state = loan_state(loan)
    write_off_check(
        terms, state, on, overdue_months=effective_policy(loan.association).write_off_overdue_months
    )
    if WriteOff.objects.filter(loan=loan).exists():
        raise LoanRuleError(_("A write-off is already proposed."), "proposed")
    return WriteOff.objects.create(loan=loan, reason=reason, proposed_by=by)


@transaction.atomic
def write_off_approve(*, write_off: WriteOff, by, on: datetime.date) -> WriteOff:
    """Dr risk reserve up to its balance, the rest Dr write-off loss, Cr loans receivable."""
    write_off = WriteOff.objects.select_for_update().get(pk=write_off.pk)
    loan = _lock(write_off.loan)
    if write_off.approved_by_id:
        raise LoanRuleError(_("This write-off is already approved."), "approved")
    if by.pk == write_off.proposed_by_id:
        raise LoanRuleError(_("Whoever proposed a write-off cannot approve it."), "four_eyes")
    _terms, state = loan_state(loan)
    principal = state.principal_outstanding
    book = book_for_association(loan.association)
    reserve = max(balances_by_key(book=book).get("risk_reserve", ZERO), ZERO)
    from_reserve = min(reserve, principal)
    lines = [Cr("loans_receivable", principal)]
    if from_reserve:
        lines.append(Dr("risk_reserve", from_reserve))
    if principal - from_reserve:
        lines.append(Dr("write_off_loss", principal - from_reserve))
    write_off.entry = journal_post(
        book=book,
        date=on,
        kind=EntryKind.WRITE_OFF,
        by=by,
        source=loan,
        lines=lines,
        memo=_("Write-off: %(name)s") % {"name": loan.member.name},
    )
    write_off.approved_by, write_off.principal, write_off.from_reserve = by, principal, from_reserve
    write_off.save()
    loan_transition(loan=loan, to=S.WRITTEN_OFF, by=by, reason=write_off.reason)
    return write_off


@transaction.atomic
def recovery_record(*, loan: Loan, amount: Decimal, on: datetime.date, by):
    """Money recovered after a write-off is income."""
    loan = _lock(loan)
    if loan.status != S.WRITTEN_OFF:
        raise LoanRuleError(_("Only a written-off loan has recoveries."), "not_written_off")
    amount = to_fen(amount)
    if amount <= 0:
        raise LoanRuleError(_("The amount must be more than zero."), "amount")
    return journal_post(
        book=book_for_association(loan.association),
        date=on,
        kind=EntryKind.RECOVERY,
        by=by,
        source=loan,
        memo=_("Recovery from %(name)s") % {"name": loan.member.name},
        lines=[Dr("cash", amount), Cr("other_income", amount)],
    )


def waitlist_release(*, association: Association, by=None) -> int:
    """When cash comes back, waiting applications move on in order: oldest first, or
    registered-poor households first when the policy says so (`poor_first`)."""
    moved = 0
    waiting = Loan.objects.filter(association=association, status=S.WAITLISTED)
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
            loan = _lock(loan)
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


def owed_today(loan: Loan, on: datetime.date):
    terms, state = loan_state(loan)
    return amount_owed(terms, state, on)


def member_exit_guard(member: Member) -> str | None:
    """settings.MEMBER_EXIT_GUARDS: a household with a loan not yet closed cannot leave."""
    if Loan.objects.filter(
        member=member,
        status__in=sorted(ACTIVE_STATUSES | {S.WRITTEN_OFF}),
    ).exists():
        return _("The household still has a loan with the association; settle it first.")
    return None


def ledger_mismatches(association: Association) -> tuple[Decimal, Decimal] | None:
    """(ledger, loans) when loans receivable in the books differs from the outstanding
    principal of the association's loans; None when they agree."""
    ledger = balances_by_key(book=book_for_association(association)).get("loans_receivable", ZERO)
    outstanding = sum(
        (
            loan_state(loan)[1].principal_outstanding
            for loan in Loan.objects.filter(
                association=association, status__in=sorted(LENT_STATUSES)
            )
        ),
        ZERO,
    )
    return None if ledger == outstanding else (ledger, outstanding)
