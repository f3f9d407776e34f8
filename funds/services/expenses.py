"""Expenses and staff advances: recorded, decided, reimbursed."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import User
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, journal_post, mirror_lines
from funds.models import (
    ApprovalStatus,
    Book,
    EntryKind,
    Expense,
    JournalEntry,
)
from funds.roles import (
    APPROVER_ROLES,
    RECORDERS,
    require_on_book,
)
from funds.services._common import _cash_account, _may_act, _positive
from funds.services.transfers import approver_level
from mutualaid.money import format_yuan


@transaction.atomic
def expense_record(
    *,
    book: Book,
    category: str,
    payee: str,
    amount: Decimal,
    spent_on: datetime.date,
    by: User,
    receipt_number: str = "",
    advanced_by: str = "",
    memo: str = "",
) -> Expense:
    if book.is_pool:
        raise FundsRuleError(_("Expenses are recorded in an association's books."), "pool")
    require_on_book(by, RECORDERS, book)
    amount = _positive(amount)
    if not payee.strip():
        raise FundsRuleError(_("Name the payee."), "payee")
    if spent_on > timezone.localdate():
        raise FundsRuleError(_("Money cannot be recorded on a future date."), "future_date")
    return Expense.objects.create(
        book=book,
        category=category,
        payee=payee.strip(),
        amount=amount,
        spent_on=spent_on,
        receipt_number=receipt_number.strip(),
        advanced_by=advanced_by.strip(),
        memo=memo,
        approver_level=approver_level(amount),
        recorded_by=by,
    )


@transaction.atomic
def expense_decide(*, expense: Expense, by: User, approve: bool) -> Expense:
    """Approve (posting the cost) or reject. Paid by the fund: Dr running costs / Cr cash.
    Advanced by a person: Dr running costs / Cr advances payable, settled by a reimbursement."""
    expense = Expense.objects.select_for_update().select_related("book").get(pk=expense.pk)
    if expense.status != ApprovalStatus.REQUESTED:
        raise FundsRuleError(_("This expense has already been decided."), "decided")
    if by.pk == expense.recorded_by_id:
        raise FundsRuleError(_("The person who recorded it cannot approve it."), "four_eyes")
    if not _may_act(by, expense.book, APPROVER_ROLES[expense.approver_level]):
        raise FundsRuleError(
            _("An expense of %(amount)s is approved by the %(level)s.")
            % {
                "amount": format_yuan(expense.amount),
                "level": expense.get_approver_level_display(),
            },
            "approver_level",
        )
    expense.decided_by, expense.decided_at = by, timezone.now()
    if approve:
        credit = "advances_payable" if expense.advanced_by else "cash"
        expense.entry = journal_post(
            book=expense.book,
            date=max(expense.spent_on, _first_open_day(expense.book)),
            kind=EntryKind.EXPENSE,
            by=by,
            source=expense,
            memo=f"{expense.get_category_display()}: {expense.payee}",
            lines=[Dr("running_costs", expense.amount), Cr(credit, expense.amount)],
        )
        expense.status = ApprovalStatus.APPROVED
    else:
        expense.status = ApprovalStatus.REJECTED
    expense.save()
    return expense


def _first_open_day(book: Book) -> datetime.date:
    if book.closed_through is None:
        return datetime.date.min
    return book.closed_through + datetime.timedelta(days=1)


@transaction.atomic
def expense_reimburse(
    *, expense: Expense, on: datetime.date, by: User, into: str = "cash"
) -> Expense:
    """Pay back the person who advanced an approved expense: its own entry."""
    expense = Expense.objects.select_for_update().select_related("book").get(pk=expense.pk)
    require_on_book(by, RECORDERS, expense.book)
    if not expense.advanced_by:
        raise FundsRuleError(_("The fund paid this expense; nobody is owed."), "not_advance")
    if expense.status != ApprovalStatus.APPROVED:
        raise FundsRuleError(_("Only an approved expense is reimbursed."), "not_approved")
    if expense.reimbursed_on:
        raise FundsRuleError(_("This advance has already been reimbursed."), "reimbursed")
    if expense_reversal(expense) is not None:
        raise FundsRuleError(
            _("This expense has been reversed; nobody is owed for it."), "expense_reversed"
        )
    expense.reimbursement_entry = journal_post(
        book=expense.book,
        date=on,
        kind=EntryKind.REIMBURSEMENT,
        by=by,
        source=expense,
        memo=_("Reimbursement to %(person)s") % {"person": expense.advanced_by},
        lines=[Dr("advances_payable", expense.amount), Cr(_cash_account(into), expense.amount)],
    )
    expense.reimbursed_on = on
    expense.save()
    return expense


def expense_reversal(expense: Expense) -> JournalEntry | None:
    """The entry that reversed this expense's cost, if any. An expense's "reversed" state is
    read off the journal, as a capital receipt's is: the cost entry can be reversed only once
    (`JournalEntry.reverses` is unique), so there is no second copy of the state to drift from
    the books, and no migration of the approval status that other records share."""
    if expense.entry_id is None:
        return None
    return JournalEntry.objects.filter(reverses_id=expense.entry_id).first()


def may_reverse_expense(user: User, expense: Expense) -> bool:
    """What the pages offer: the roles that record expenses, at the book's area, for an
    approved expense not yet reversed."""
    return (
        expense.status == ApprovalStatus.APPROVED
        and expense.entry_id is not None
        and _may_act(user, expense.book, RECORDERS)
    )


@transaction.atomic
def expense_reverse(*, expense: Expense, by: User, reason: str, on: datetime.date) -> JournalEntry:
    """Undo an approved expense recorded in error, in one transaction: a reimbursed advance's
    reimbursement is reversed first (the cash comes back, the person owes it again), then the
    cost (the running costs fall; an advance is owed no more). Each mirror entry points at the
    entry it reverses and is sourced to the expense. Who records expenses in the book's area
    reverses; a reason is required; the date is not before the entries and in an open month;
    once only (locked here, and the database refuses a second reversal of the same entry).
    Returns the reversal of the cost."""
    expense = (
        Expense.objects.select_for_update(of=("self",))
        .select_related("book__area", "entry", "reimbursement_entry")
        .get(pk=expense.pk)
    )
    require_on_book(by, RECORDERS, expense.book)
    reason = (reason or "").strip()
    if not reason:
        raise FundsRuleError(_("Give the reason for the reversal."), "reason")
    if expense.status != ApprovalStatus.APPROVED or expense.entry is None:
        raise FundsRuleError(
            _("Only an approved expense is in the books and can be reversed."), "not_approved"
        )
    if expense_reversal(expense) is not None:
        raise FundsRuleError(_("This expense has already been reversed."), "reversed")
    entries = [e for e in (expense.reimbursement_entry, expense.entry) if e is not None]
    if on < max(e.date for e in entries):
        raise FundsRuleError(
            _("A reversal cannot be dated before the entries it reverses."), "reverse_date"
        )
    memo = _("Reversal of expense #%(id)s (%(payee)s): %(reason)s")
    reversal: JournalEntry | None = None
    try:
        with transaction.atomic():
            for entry in entries:
                reversal = journal_post(
                    book=expense.book,
                    date=on,
                    kind=EntryKind.REVERSAL,
                    by=by,
                    source=expense,
                    reverses=entry,
                    memo=memo % {"id": expense.pk, "payee": expense.payee, "reason": reason},
                    lines=mirror_lines(entry),
                )
    except IntegrityError as error:  # a reversal committed meanwhile
        raise FundsRuleError(_("This expense has already been reversed."), "reversed") from error
    assert reversal is not None
    return reversal


# --- member contributions --------------------------------------------------------------------
