"""Money of a loan: disbursement, repayments (overdue fee → usage fee → principal), reversals,
extension, write-off and recovery. Each posts through funds.journal in the same transaction as
the loan's own record, with the loan row locked."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import User
from funds.journal import Cr, Dr, book_for_association, journal_post, mirror_lines
from funds.models import EntryKind, JournalEntry
from funds.selectors import balances_by_key
from loans.domain import schedules
from loans.domain.allocation import Payment, allocate, replay
from loans.domain.fees import LoanState
from loans.domain.instalments import extend as extend_terms
from loans.domain.instalments import write_off_check
from loans.exceptions import LoanRuleError
from loans.models import Instalment, Loan, LoanTransition, Repayment, WriteOff
from loans.selectors.loans import lendable_cash, loan_state, loan_terms
from loans.selectors.policy import effective_policy
from loans.services.eligibility import eligibility_check
from loans.services.figures import loan_figures_store
from loans.services.reversal_requests import reversal_request_close
from loans.services.transitions import loan_lock_for, loan_transition
from loans.workflow import LENT_STATUSES, LoanStatus
from mutualaid.money import ZERO, to_fen

S = LoanStatus


@transaction.atomic
def loan_disburse(*, loan: Loan, by: User, on: datetime.date, into: str = "cash") -> Loan:
    """Pay the loan out: the schedule is built and Dr loans receivable / Cr cash or bank."""
    loan = loan_lock_for(loan, by=by, action="disburse")
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
    rows = schedules.stored_rows(loan.custom_rows)
    plan = schedules.build(
        kind=loan.schedule_kind,
        principal=loan.amount,
        disbursed_on=on,
        term_months=loan.term_months,
        rows=rows,
    )
    Instalment.objects.bulk_create(
        Instalment(
            loan=loan,
            association_id=loan.association_id,
            number=n,
            due_on=i.due_on,
            principal=i.principal,
        )
        for n, i in enumerate(plan, start=1)
    )
    journal_post(
        association=loan.association,
        date=on,
        kind=EntryKind.DISBURSEMENT,
        by=by,
        source=loan,
        memo=_("Loan to %(name)s") % {"name": loan.member.name},
        lines=[Dr("loans_receivable", loan.amount), Cr(into, loan.amount)],
    )
    loan.disbursed_on = on
    loan = loan_transition(loan=loan, to=S.DISBURSED, by=by)
    loan_figures_store(loan=loan)
    return loan


@transaction.atomic
def loan_disbursement_reverse(
    *, loan: Loan, by: User, reason: str, on: datetime.date
) -> JournalEntry:
    """Undo a payout entered by mistake, before any repayment: the mirror of the disbursement
    entry (Dr cash or bank / Cr loans receivable) pointing at it, the schedule removed, and the
    loan back to ready for disbursement, in one transaction. By the township station of the
    loan's village, with the reason, on a day not before the payout in an open month."""
    loan = loan_lock_for(loan, by=by, action="disbursement_reverse")
    if loan.status != S.DISBURSED:
        raise LoanRuleError(
            _("Only a loan paid out and not yet repaid can have its disbursement reversed."),
            "not_disbursed",
        )
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the reversal."), "reason")
    if loan.repayments.filter(reversal_entry__isnull=True).exists():
        raise LoanRuleError(
            _("Reverse the loan's repayments first: a repaid loan's payout is not undone."),
            "repaid",
        )
    assert loan.disbursed_on is not None  # a disbursed loan
    if on < loan.disbursed_on or on > timezone.localdate():
        raise LoanRuleError(
            _("The reversal date must lie between the payout and today."), "reverse_date"
        )
    entry = (
        JournalEntry.objects.filter(
            kind=EntryKind.DISBURSEMENT,
            source_type=Loan._meta.label_lower,
            source_id=loan.pk,
            reversed_by__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    assert entry is not None  # every payout posted its entry
    mirror = journal_post(
        book=entry.book,
        date=on,
        kind=EntryKind.REVERSAL,
        by=by,
        source=loan,
        reverses=entry,
        memo=_("Payout to %(name)s reversed: %(reason)s")
        % {"name": loan.member.name, "reason": reason.strip()},
        lines=mirror_lines(entry),
    )
    Instalment.objects.filter(loan=loan).delete()
    loan.disbursed_on = None
    loan_transition(loan=loan, to=S.READY, by=by, reason=reason.strip())
    loan_figures_store(loan=loan)
    return mirror


# A repayment of the same amount on the same day recorded this recently is probably the same
# money entered twice (Back, then save again): it needs the clerk's explicit confirmation.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


@transaction.atomic
def repayment_record(
    *,
    loan: Loan,
    amount: Decimal,
    paid_on: datetime.date,
    by: User,
    token: str,
    confirmed: bool = False,
) -> Repayment:
    """Record a cash repayment: overdue fee → usage fee → principal, oldest first. The loan
    row is locked, so two clerks paying at once are applied one after the other; the form's
    one-time token is checked under that lock, so a form sent twice records once. One equal to
    a repayment recorded in the last ten minutes needs `confirmed`."""
    loan = loan_lock_for(loan, by=by, action="repay")
    # One read serves the token check, the order check, the twin check, the replay and the
    # stored figures (a repayment is the busiest write of the product): the loan's standing
    # repayments and any repayment that carries this form's token.
    rows: list[Any] = list(
        Repayment.objects.filter(Q(loan_id=loan.pk, reversal_entry__isnull=True) | Q(token=token))
        .order_by("paid_on", "id")
        .values_list(
            "id",
            "loan_id",
            "token",
            "paid_on",
            "amount",
            "principal",
            "recorded_at",
            "reversal_entry_id",
            named=True,
        )
    )
    used = next((r for r in rows if r.token == token), None)
    if used is not None:  # the same form submitted twice
        if used.loan_id != loan.pk:
            raise LoanRuleError(_("This form was already used for another loan."), "token")
        return Repayment.objects.get(pk=used.id)
    if loan.status not in LENT_STATUSES:
        raise LoanRuleError(_("This loan takes no repayments."), "not_lent")
    assert loan.disbursed_on is not None  # every lent loan was disbursed
    if paid_on > timezone.localdate() or paid_on < loan.disbursed_on:
        raise LoanRuleError(
            _("The payment date must lie between the disbursement and today."), "paid_on"
        )
    standing = [r for r in rows if r.loan_id == loan.pk and r.reversal_entry_id is None]
    last = standing[-1] if standing else None
    if last is not None and paid_on < last.paid_on:
        raise LoanRuleError(
            _(
                "A repayment on %(date)s is already recorded; record repayments in date order "
                "(reverse the later one first)."
            )
            % {"date": last.paid_on},
            "back_dated",
        )
    if not confirmed and _recent_twin(standing, amount=amount, paid_on=paid_on):
        raise LoanRuleError(
            _(
                "A repayment of %(amount)s yuan on %(date)s was recorded for this loan a few "
                "minutes ago. If this is a second payment, tick the box to confirm it."
            )
            % {"amount": to_fen(amount), "date": paid_on},
            "possible_duplicate",
        )
    instalments = list(Instalment.objects.filter(loan=loan).order_by("number"))
    terms = loan_terms(loan, instalments=instalments)
    _replayed, state = replay(terms, [Payment(r.paid_on, r.amount) for r in standing])
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
        association=loan.association,
        date=paid_on,
        kind=EntryKind.REPAYMENT,
        by=by,
        source=loan,
        lines=lines,
        memo=_("Repayment by %(name)s") % {"name": loan.member.name},
        savepoint=False,  # a refusal ends this transaction: nothing to go on with
    )
    repayment = Repayment.objects.create(
        loan=loan,
        association_id=loan.association_id,
        paid_on=paid_on,
        amount=split.amount,
        overdue_fee=split.overdue_fee,
        usage_fee=split.usage_fee,
        principal=split.principal,
        token=token,
        entry=entry,
        recorded_by=by,
    )
    loan_figures_store(
        loan=loan,
        state=after,
        instalments=instalments,
        payments=[(r.paid_on, r.principal) for r in standing] + [(paid_on, split.principal)],
    )
    _follow_state(loan, after, by, paid_any=True)
    return repayment


def _recent_twin(standing: list[Any], *, amount: Decimal, paid_on: datetime.date) -> bool:
    """An equal standing repayment of the same day recorded in the last few minutes."""
    since = timezone.now() - DUPLICATE_WINDOW
    return any(
        r.amount == to_fen(amount) and r.paid_on == paid_on and r.recorded_at >= since
        for r in standing
    )


def _follow_state(loan: Loan, state: LoanState, by: User, *, paid_any: bool | None = None) -> None:
    settled = (
        state.principal_outstanding == ZERO
        and state.usage_fee_owed == ZERO
        and state.overdue_fee_owed == ZERO
    )
    if paid_any is None:
        paid_any = loan.repayments.filter(reversal_entry__isnull=True).exists()
    target = S.CLOSED if settled else (S.REPAYING if paid_any else S.DISBURSED)
    if target != loan.status:
        loan_transition(loan=loan, to=target, by=by)


@transaction.atomic
def repayment_reverse(
    *, repayment: Repayment, by: User, reason: str, on: datetime.date
) -> Repayment:
    """Reverse a mistaken repayment (a second person, with the reason) and re-derive the loan."""
    repayment = Repayment.objects.select_for_update().get(pk=repayment.pk)
    loan = loan_lock_for(repayment.loan, by=by, action="reverse_repayment")
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
        association=loan.association,
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
    reversal_request_close(repayment=repayment, by=by)
    state = _reallocate(loan, by=by, on=on)
    _follow_state(loan, state, by)
    return repayment


SPLIT_ACCOUNTS = (
    ("overdue_fee", "overdue_fee_income"),
    ("usage_fee", "usage_fee_income"),
    ("principal", "loans_receivable"),
)


def _reallocate(loan: Loan, *, by: User, on: datetime.date) -> LoanState:
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
                association=loan.association,
                date=on,
                kind=EntryKind.REPAYMENT,
                by=by,
                source=loan,
                lines=lines,
                memo=_("Re-allocation of the repayment of %(date)s") % {"date": row.paid_on},
            )
            row.save(update_fields=["overdue_fee", "usage_fee", "principal"])
    loan_figures_store(loan=loan, state=state)
    return state


@transaction.atomic
def loan_extend(*, loan: Loan, by: User, on: datetime.date, new_maturity: datetime.date) -> Loan:
    """The committee extends once, before maturity, within the policy's maximum term."""
    loan = loan_lock_for(loan, by=by, action="extend")
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
    assert last is not None  # a lent loan has its schedule
    last.due_on = terms.maturity
    last.save(update_fields=["due_on"])
    loan.extensions += 1
    loan.save(update_fields=["extensions"])
    loan_figures_store(loan=loan)
    LoanTransition.objects.create(
        loan=loan,
        from_status=loan.status,
        to_status=loan.status,
        by=by,
        reason=_("Extended to %(date)s") % {"date": new_maturity},
    )
    return loan


@transaction.atomic
def write_off_propose(*, loan: Loan, by: User, reason: str, on: datetime.date) -> WriteOff:
    if not reason.strip():
        raise LoanRuleError(_("Give the reason for the write-off."), "reason")
    loan = loan_lock_for(loan, by=by, action="write_off_propose")
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
def write_off_approve(*, write_off: WriteOff, by: User, on: datetime.date) -> WriteOff:
    """Dr risk reserve up to its balance, the rest Dr write-off loss, Cr loans receivable."""
    write_off = WriteOff.objects.select_for_update().get(pk=write_off.pk)
    loan = loan_lock_for(write_off.loan, by=by, action="write_off_approve")
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
    loan_figures_store(loan=loan)
    return write_off


@transaction.atomic
def recovery_record(*, loan: Loan, amount: Decimal, on: datetime.date, by: User) -> JournalEntry:
    """Money recovered after a write-off is income."""
    loan = loan_lock_for(loan, by=by, action="recovery")
    if loan.status != S.WRITTEN_OFF:
        raise LoanRuleError(_("Only a written-off loan has recoveries."), "not_written_off")
    amount = to_fen(amount)
    if amount <= 0:
        raise LoanRuleError(_("The amount must be more than zero."), "amount")
    return journal_post(
        association=loan.association,
        date=on,
        kind=EntryKind.RECOVERY,
        by=by,
        source=loan,
        memo=_("Recovery from %(name)s") % {"name": loan.member.name},
        lines=[Dr("cash", amount), Cr("other_income", amount)],
    )
