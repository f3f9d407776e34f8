"""Writes of the books: capital, transfers, expenses and advances, contributions, year-end.

Every money movement here posts through `funds.journal.journal_post` in the same transaction as
its business record. The loans app posts disbursements and repayments through the same function.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import may_act
from associations.models import Association, Member, MemberStatus, User
from funds.chart import AccountType
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, Line, book_for_association, journal_post
from funds.models import (
    ZERO,
    ApprovalStatus,
    ApproverLevel,
    Book,
    CapitalContribution,
    CapitalSource,
    EntryKind,
    Expense,
    JournalEntry,
    JournalLine,
    SurplusAllocation,
    Transfer,
    TransferKind,
)
from funds.roles import (
    APPROVER_ROLES,
    RECORDERS,
    SURPLUS_DECIDERS,
    SURPLUS_PROPOSERS,
    may_on_book,
    pool_office_roles,
    recorder_roles,
    require_on_book,
)
from mutualaid.money import format_yuan, to_fen

# Which account a source of capital is credited to.
CAPITAL_ACCOUNT: dict[str, str] = {
    CapitalSource.GOVERNMENT: "government_capital",
    CapitalSource.BANK_LOAN: "bank_borrowings",
    CapitalSource.ENTERPRISE: "donated_capital",
    CapitalSource.PAIRED_UNIT: "donated_capital",
    CapitalSource.SOCIAL: "donated_capital",
    CapitalSource.MEMBER: "member_contributions",
    CapitalSource.RETAINED: "accumulation",
}


def _positive(amount: Decimal) -> Decimal:
    amount = to_fen(amount)
    if amount <= 0:
        raise FundsRuleError(_("The amount must be more than zero."), "amount")
    return amount


def _cash_account(into: str) -> str:
    if into not in ("cash", "bank"):
        raise FundsRuleError(_("Choose cash or bank."), "into")
    return into


@transaction.atomic
def capital_receive(
    *,
    book: Book,
    source: str,
    contributor: str,
    amount: Decimal,
    received_on: datetime.date,
    by: User,
    into: str = "bank",
    memo: str = "",
    annual_rate: Decimal | None = None,
    term_months: int | None = None,
    subsidy_rate: Decimal | None = None,
    subsidy_payer: str = "",
) -> CapitalContribution:
    require_on_book(by, recorder_roles(book), book)
    if source not in CapitalSource.values:
        raise FundsRuleError(_("Unknown source of capital."), "source")
    amount = _positive(amount)
    if not contributor.strip():
        raise FundsRuleError(_("Name who provided the capital."), "contributor")
    if source == CapitalSource.BANK_LOAN:
        if annual_rate is None or term_months is None or annual_rate < 0 or term_months <= 0:
            raise FundsRuleError(
                _("A bank loan needs its annual rate and its term in months."), "bank_terms"
            )
        if subsidy_rate is not None and not 0 <= subsidy_rate <= annual_rate:
            raise FundsRuleError(
                _("The interest subsidy cannot exceed the loan's rate."), "subsidy_rate"
            )
    capital = CapitalContribution(
        book=book,
        source=source,
        contributor=contributor.strip(),
        amount=amount,
        received_on=received_on,
        into=_cash_account(into),
        memo=memo,
        created_by=by,
        annual_rate=annual_rate,
        term_months=term_months,
        subsidy_rate=subsidy_rate,
        subsidy_payer=subsidy_payer if source == CapitalSource.BANK_LOAN else "",
    )
    capital.entry = journal_post(
        book=book,
        date=received_on,
        kind=EntryKind.CAPITAL,
        by=by,
        memo=f"{CapitalSource(source).label}: {contributor.strip()} {memo}".strip(),
        lines=[Dr(into, amount), Cr(CAPITAL_ACCOUNT[source], amount)],
    )
    capital.save()
    return capital


def capital_reversal(receipt: CapitalContribution) -> JournalEntry | None:
    """The entry that reversed this capital receipt, if any. The receipt's state is read off
    the journal (its entry can be reversed only once: `JournalEntry.reverses` is unique), so
    there is no second copy of "reversed" to drift from the books."""
    return JournalEntry.objects.filter(reverses_id=receipt.entry_id).first()


def may_reverse_capital(user: User, receipt: CapitalContribution) -> bool:
    """What the page offers: the same roles that record capital in this book, at its area."""
    return _may_act(user, receipt.book, recorder_roles(receipt.book))


@transaction.atomic
def capital_reverse(
    *, receipt: CapitalContribution, by: User, reason: str, on: datetime.date
) -> JournalEntry:
    """Undo a capital receipt recorded in error: post the mirror of its entry, pointing at it
    and sourced to the receipt, in one transaction. Who may record capital in the book may
    reverse it; a reason is required; a receipt is reversed at most once (locked here, and
    the database refuses a second entry reversing the same one). The journal refuses it when
    the cash or bank it came into has already been spent."""
    receipt = (
        CapitalContribution.objects.select_for_update()
        .select_related("book__area", "entry")
        .get(pk=receipt.pk)
    )
    require_on_book(by, recorder_roles(receipt.book), receipt.book)
    reason = (reason or "").strip()
    if not reason:
        raise FundsRuleError(_("Give the reason for the reversal."), "reason")
    if capital_reversal(receipt) is not None:
        raise FundsRuleError(_("This capital receipt has already been reversed."), "reversed")
    if on < receipt.received_on:
        raise FundsRuleError(
            _("A reversal cannot be dated before the receipt it reverses."), "reverse_date"
        )
    mirror = [
        Line(line.account, debit=line.credit, credit=line.debit)
        for line in receipt.entry.lines.select_related("account")
    ]
    try:
        with transaction.atomic():
            return journal_post(
                book=receipt.book,
                date=on,
                kind=EntryKind.REVERSAL,
                by=by,
                source=receipt,
                reverses=receipt.entry,
                memo=_("Reversal of capital receipt #%(id)s: %(reason)s")
                % {"id": receipt.entry_id, "reason": reason},
                lines=mirror,
            )
    except IntegrityError as error:  # a reversal committed meanwhile
        raise FundsRuleError(
            _("This capital receipt has already been reversed."), "reversed"
        ) from error


# --- transfers between a county/city pool and village associations ---------------------------


def _may_act(user: User, book: Book, roles: Iterable[str]) -> bool:
    return may_on_book(user, roles, book)


def _may_record(by: User, association: Association) -> None:
    require_on_book(by, RECORDERS, book_for_association(association))


@transaction.atomic
def transfer_request(
    *,
    pool: Book,
    target: Book,
    kind: str,
    amount: Decimal,
    on: datetime.date,
    reason: str,
    by: User,
) -> Transfer:
    if not pool.is_pool or target.is_pool:
        raise FundsRuleError(_("Transfers go between a pool and an association."), "books")
    if not target.area.code.startswith(pool.area.prefix):
        raise FundsRuleError(_("The association is outside this pool's area."), "outside_pool")
    if kind not in TransferKind.values:
        raise FundsRuleError(_("Unknown kind of transfer."), "kind")
    if not reason.strip():
        raise FundsRuleError(_("Give the reason for the transfer."), "reason")
    if not _may_act(by, pool, pool_office_roles(pool)):
        raise FundsRuleError(_("Only the office owning the pool decides."), "office")
    return Transfer.objects.create(
        pool=pool,
        target=target,
        kind=kind,
        amount=_positive(amount),
        on=on,
        reason=reason.strip(),
        requested_by=by,
    )


@transaction.atomic
def transfer_decide(*, transfer: Transfer, by: User, approve: bool) -> Transfer:
    """The owning office approves (posting both books) or rejects. Four eyes."""
    transfer = Transfer.objects.select_for_update().select_related("pool__area").get(pk=transfer.pk)
    if transfer.status != ApprovalStatus.REQUESTED:
        raise FundsRuleError(_("This transfer has already been decided."), "decided")
    if by.pk == transfer.requested_by_id:
        raise FundsRuleError(_("The person who asked for it cannot approve it."), "four_eyes")
    if not _may_act(by, transfer.pool, pool_office_roles(transfer.pool)):
        raise FundsRuleError(_("Only the office owning the pool decides."), "office")
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    if approve:
        amount, memo = transfer.amount, f"{transfer.get_kind_display()}: {transfer.reason}"
        if transfer.kind == TransferKind.ALLOCATE:
            pool_lines = [Dr("allocated_capital", amount), Cr("bank", amount)]
            target_lines = [Dr("bank", amount), Cr("government_capital", amount)]
        else:
            pool_lines = [Dr("bank", amount), Cr("allocated_capital", amount)]
            target_lines = [Dr("government_capital", amount), Cr("bank", amount)]
        common: dict[str, Any] = {
            "date": transfer.on,
            "memo": memo,
            "kind": EntryKind.TRANSFER,
            "by": by,
            "source": transfer,
        }
        transfer.pool_entry = journal_post(book=transfer.pool, lines=pool_lines, **common)
        transfer.target_entry = journal_post(book=transfer.target, lines=target_lines, **common)
        transfer.status = ApprovalStatus.APPROVED
    else:
        transfer.status = ApprovalStatus.REJECTED
    transfer.save()
    return transfer


# --- expenses and advances -------------------------------------------------------------------


def approver_level(amount: Decimal) -> str:
    """DESIGN §5: ≤ 200 the finance officer, ≤ 1,000 the chair, above that the board."""
    limits = settings.EXPENSE_APPROVAL_LIMITS
    if amount <= limits["finance_officer"]:
        return ApproverLevel.FINANCE_OFFICER
    if amount <= limits["chair"]:
        return ApproverLevel.CHAIR
    return ApproverLevel.BOARD


# Who may approve at each level: the clerk is the finance officer; chair and board sit on the
# village board (理事会). The township station may approve any level.


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


# --- member contributions --------------------------------------------------------------------


def _contribution_entry(
    *,
    association: Association,
    kind: str,
    memo: str,
    debit: str,
    credit: str,
    amount: Decimal,
    on: datetime.date,
    by: User,
    source: Member,
) -> JournalEntry:
    amount = _positive(amount)
    return journal_post(
        book=book_for_association(association),
        date=on,
        kind=kind,
        by=by,
        source=source,
        memo=memo,
        lines=[Dr(debit, amount), Cr(credit, amount)],
    )


def member_contribution_receive(
    *,
    member: Member,
    amount: Decimal,
    on: datetime.date,
    by: User,
    association: Association | None = None,
) -> JournalEntry:
    """A household pays its contribution (互助金), a liability of the fund. The entry's source
    is the member, so what the books hold for each household is read off the journal: the only
    record of a contribution (the member has no typed figure). A recorder of the household's
    village receives it, from an active member, on a day that is not in the future."""
    association = association or member.association
    if member.association_id != association.pk:
        raise FundsRuleError(_("The household belongs to another association."), "member")
    _may_record(by, association)
    if member.status != MemberStatus.ACTIVE:
        raise FundsRuleError(
            _("%(name)s has left the association; no contribution is received.")
            % {"name": member.name},
            "member_exited",
        )
    if on > timezone.localdate():
        raise FundsRuleError(_("Money cannot be recorded on a future date."), "future_date")
    return _contribution_entry(
        association=association,
        kind=EntryKind.CONTRIBUTION,
        debit="cash",
        credit="member_contributions",
        amount=amount,
        on=on,
        by=by,
        source=member,
        memo=_("Contribution of %(name)s") % {"name": member.name},
    )


def may_receive_contribution(user: User, member: Member) -> bool:
    """What the member page offers: a recorder of the household's village (the service's
    own check), for an active household."""
    # The book's area is the association's: asked without opening a book on a page view.
    return member.status == MemberStatus.ACTIVE and may_act(
        user, RECORDERS, member.association.area_id
    )


def member_contribution_refund(
    *, member: Member, amount: Decimal, on: datetime.date, by: User
) -> None:
    """Refund a leaving household's own contribution: the exit's `hooks.refund_posters`. Never
    more than the books hold for that household. Only a recorder of the household's village
    moves the money, even when called directly rather than through the exit."""
    _may_record(by, member.association)
    held = member_contribution_held(member)
    if _positive(amount) > held:
        raise FundsRuleError(
            _("The books hold only %(held)s yuan of this household's contribution.")
            % {"held": format_yuan(held)},
            "refund_exceeds",
        )
    _contribution_entry(
        association=member.association,
        kind=EntryKind.REFUND,
        debit="member_contributions",
        credit="cash",
        amount=amount,
        on=on,
        by=by,
        source=member,
        memo=_("Contribution refund to %(name)s") % {"name": member.name},
    )


def member_contribution_held(member: Member) -> Decimal:
    """What the books hold for this household: contributions received less refunds."""
    totals = JournalLine.objects.filter(
        entry__source_type="associations.member",
        entry__source_id=member.pk,
        account__key="member_contributions",
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (totals["c"] or ZERO) - (totals["d"] or ZERO)


def member_contributions_held(member_ids: Iterable[int]) -> dict[int, Decimal]:
    """`member_contribution_held` for many households: one grouped query per 2,000 ids."""
    ids = list(member_ids)
    held: dict[int, Decimal] = {}
    for start in range(0, len(ids), 2000):
        rows = (
            JournalLine.objects.filter(
                entry__source_type="associations.member",
                entry__source_id__in=ids[start : start + 2000],
                account__key="member_contributions",
            )
            .values("entry__source_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        for row in rows:
            member_id = row["entry__source_id"]
            if member_id is not None:  # never null: filtered by id above
                held[member_id] = (row["c"] or ZERO) - (row["d"] or ZERO)
    return held


# --- year-end --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    accumulation_bp: int
    welfare_bp: int
    risk_reserve_bp: int
    running_costs_bp: int
    dividends_bp: int = 0

    def check(self) -> None:
        parts = (
            self.accumulation_bp,
            self.welfare_bp,
            self.risk_reserve_bp,
            self.running_costs_bp,
            self.dividends_bp,
        )
        if any(p < 0 for p in parts) or sum(parts) != 10000:
            raise FundsRuleError(
                _("The shares must be zero or more and total 100 %% (now %(total)s %%).")
                % {"total": Decimal(sum(parts)) / 100},
                "split_total",
            )


DEFAULT_SPLIT = Split(4000, 2000, 1000, 3000, 0)


def year_surplus(book: Book, year: int) -> Decimal:
    """Income less expenses of the year, in one aggregate query."""
    totals = (
        JournalLine.objects.filter(
            book=book,
            date__year=year,
            account__type__in=[AccountType.INCOME, AccountType.EXPENSE],
        )
        .exclude(entry__kind=EntryKind.SURPLUS)
        .aggregate(
            income=Sum("credit", filter=Q(account__type=AccountType.INCOME))
            - Sum("debit", filter=Q(account__type=AccountType.INCOME)),
            expense=Sum("debit", filter=Q(account__type=AccountType.EXPENSE))
            - Sum("credit", filter=Q(account__type=AccountType.EXPENSE)),
        )
    )
    return (totals["income"] or ZERO) - (totals["expense"] or ZERO)


@transaction.atomic
def surplus_propose(
    *, book: Book, year: int, split: Split = DEFAULT_SPLIT, by: User
) -> SurplusAllocation:
    split.check()
    if not _may_act(by, book, SURPLUS_PROPOSERS):
        raise FundsRuleError(
            _("The clerk or the township station of this association proposes the allocation."),
            "proposer",
        )
    if year >= timezone.localdate().year:
        raise FundsRuleError(_("A year is allocated after it has ended."), "year_open")
    surplus = year_surplus(book, year)
    if surplus <= 0:
        raise FundsRuleError(
            _("The year %(year)s closed without a surplus (%(amount)s); nothing to allocate.")
            % {"year": year, "amount": format_yuan(surplus)},
            "no_surplus",
        )
    if (
        SurplusAllocation.objects.filter(book=book, year=year)
        .exclude(status=ApprovalStatus.REJECTED)
        .exists()
    ):
        raise FundsRuleError(_("This year's surplus is already allocated."), "allocated")
    return SurplusAllocation.objects.create(
        book=book, year=year, surplus=surplus, proposed_by=by, **split.__dict__
    )


def surplus_shares(allocation: SurplusAllocation) -> list[tuple[str, Decimal]]:
    """Each share rounded to the fen; the accumulation fund takes the rounding remainder."""
    shares = [
        ("welfare", allocation.welfare_bp),
        ("risk_reserve", allocation.risk_reserve_bp),
        ("running_cost_fund", allocation.running_costs_bp),
        ("dividends_payable", allocation.dividends_bp),
    ]
    amounts = [(key, to_fen(allocation.surplus * bp / 10000)) for key, bp in shares if bp]
    rest = allocation.surplus - sum((a for _k, a in amounts), ZERO)
    return [("accumulation", rest), *amounts] if rest else amounts


@transaction.atomic
def surplus_decide(
    *, allocation: SurplusAllocation, by: User, approve: bool, on: datetime.date
) -> SurplusAllocation:
    """Approve and post: close the year's income and expense accounts into the funds."""
    allocation = SurplusAllocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != ApprovalStatus.REQUESTED:
        raise FundsRuleError(_("This allocation has already been decided."), "decided")
    if by.pk == allocation.proposed_by_id:
        raise FundsRuleError(_("The person who proposed it cannot approve it."), "four_eyes")
    if not _may_act(by, allocation.book, SURPLUS_DECIDERS):
        raise FundsRuleError(
            _("The village board or the township station of this association decides."),
            "decider",
        )
    allocation.decided_by = by
    if not approve:
        allocation.status = ApprovalStatus.REJECTED
        allocation.save()
        return allocation
    if year_surplus(allocation.book, allocation.year) != allocation.surplus:
        raise FundsRuleError(
            _("The year's figures changed since the proposal; propose again."), "stale"
        )
    lines = _closing_lines(allocation.book, allocation.year)
    lines += [Cr(key, amount) for key, amount in surplus_shares(allocation)]
    allocation.entry = journal_post(
        book=allocation.book,
        date=on,
        kind=EntryKind.SURPLUS,
        by=by,
        source=allocation,
        memo=_("Surplus allocation %(year)s") % {"year": allocation.year},
        lines=lines,
    )
    allocation.status = ApprovalStatus.APPROVED
    allocation.save()
    return allocation


def _closing_lines(book: Book, year: int) -> list[Line]:
    rows = (
        JournalLine.objects.filter(
            book=book, date__year=year, account__type__in=[AccountType.INCOME, AccountType.EXPENSE]
        )
        .exclude(entry__kind=EntryKind.SURPLUS)
        .values("account__key")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    lines = []
    for row in rows:
        balance = (row["c"] or ZERO) - (row["d"] or ZERO)  # credit-positive
        if balance > 0:
            lines.append(Dr(row["account__key"], balance))
        elif balance < 0:
            lines.append(Cr(row["account__key"], -balance))
    return lines
