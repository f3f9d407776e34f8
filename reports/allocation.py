"""Allocation of new capital by need (issue 10, seed recommendation 2): a county (or city)
office proposes how to split `amount` of its pool among its associations, edits the amounts,
and approves; approval requests one transfer per line through funds.services.transfer_request
(which another officer approves: four eyes). Nothing here posts money.

The formula (also shown on the page, `FORMULA`), per association i on the day:

    weight_i = waitlisted_i × usage_i × repayment_i

* waitlisted_i: the amount of its applications waiting for funds (unmet demand);
* usage_i: its fund usage rate (outstanding principal ÷ capital), at most 1; 1 when it has no
  capital at all — an association lending little of what it has gets little more;
* repayment_i: its cumulative repayment rate (principal collected ÷ principal fallen due);
  1 when nothing has fallen due yet — an association with a poor record gets less.

The amount is shared in proportion to the weights, no association getting more than its
waitlisted amount (what a capped association does not take is shared again among the others),
each share rounded down to whole hundreds of yuan. What is left (rounding, or more capital than
the demand) stays in the pool. An association with no waiting application gets nothing.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Area, Association, User
from funds.journal import pool_book_open
from funds.models import ApprovalStatus, Book, Transfer, TransferKind
from funds.roles import may_on_book, pool_office_roles
from funds.selectors import balances_by_key
from funds.services import transfer_request
from mutualaid.money import ZERO, format_yuan, to_fen
from reports.models import AllocationLine, AllocationProposal, AllocationStatus
from reports.selectors.indicators import Figures, figures_by_village

HUNDRED = Decimal("100")
ONE = Decimal("1")

FORMULA = gettext_lazy(
    "Need weight = waitlisted amount × fund usage rate (at most 100 %; 100 % without capital) × "
    "cumulative repayment rate (100 % when nothing has fallen due). The amount is shared in "
    "proportion to the weights, no association getting more than its waitlisted amount, each "
    "share rounded down to hundreds of yuan; what is left stays in the pool."
)


class AllocationError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Need:
    """One association's figures and weight."""

    book: Book
    waitlisted: Decimal
    waiting_months: int | None
    cash: Decimal
    usage: Decimal | None
    repayment: Decimal | None
    weight: Decimal


def need_of(book: Book, figures: Figures) -> Need:
    usage = figures.fund_usage_rate
    repayment = figures.cumulative_repayment_rate
    usage_factor = ONE if usage is None else min(usage, ONE)
    repayment_factor = ONE if repayment is None else repayment
    weight = (figures.unmet_demand * usage_factor * repayment_factor).quantize(Decimal("0.0001"))
    return Need(
        book=book,
        waitlisted=figures.unmet_demand,
        waiting_months=figures.longest_wait_months,
        cash=figures.cash,
        usage=usage,
        repayment=repayment,
        weight=weight,
    )


def share(amount: Decimal, needs: list[Need]) -> list[Decimal]:
    """`amount` in proportion to the weights, capped at each waitlisted amount (the capped
    part shared again among the others), rounded down to hundreds of yuan."""
    exact = [ZERO] * len(needs)
    open_ = {i for i, need in enumerate(needs) if need.weight > 0}
    left = amount
    while open_ and left > 0:
        total = sum((needs[i].weight for i in open_), ZERO)
        capped = {i for i in open_ if left * needs[i].weight / total >= needs[i].waitlisted}
        if not capped:
            for i in open_:
                exact[i] = left * needs[i].weight / total
            break
        for i in capped:
            exact[i] = needs[i].waitlisted
            left -= needs[i].waitlisted
        open_ -= capped
    return [(e / HUNDRED).quantize(ONE, rounding=ROUND_DOWN) * HUNDRED for e in exact]


def _percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def reason_of(need: Need) -> str:
    if need.waitlisted <= 0:
        return _("No application waits for funds.")
    text = _(
        "%(amount)s yuan waiting (longest %(months)s months); fund usage %(usage)s; "
        "cumulative repayment %(repayment)s"
    ) % {
        "amount": format_yuan(need.waitlisted),
        "months": need.waiting_months if need.waiting_months is not None else 0,
        "usage": _percent(need.usage),
        "repayment": _percent(need.repayment),
    }
    if need.weight <= 0:
        text += _("; nothing repaid of what fell due: no share")
    return text


def pool_available(pool: Book) -> Decimal:
    """The pool's bank balance less the allocations requested and not yet decided."""
    bank = balances_by_key(book=pool).get("bank", ZERO)
    pending = sum(
        Transfer.objects.filter(
            pool=pool, kind=TransferKind.ALLOCATE, status=ApprovalStatus.REQUESTED
        ).values_list("amount", flat=True),
        ZERO,
    )
    return to_fen(bank - pending)


def needs_of(area: Area, on: datetime.date) -> list[Need]:
    """Every association of the area with its need on `on`, in code order."""
    figures = figures_by_village(area=area, on=on, start=on.replace(month=1, day=1))
    books = Book.objects.filter(
        association__in=Association.objects.filter(area__code__startswith=area.prefix)
    ).select_related("area", "association")
    return [
        need_of(book, figures.get(book.area_id, Figures(on=on, start=on)))
        for book in sorted(books, key=lambda b: b.area_id)
    ]


def _require_office(by: User, pool: Book) -> None:
    if not may_on_book(by, pool_office_roles(pool), pool):
        raise AllocationError(_("Only the office owning the pool decides."), "office")


def pool_of(area: Area) -> Book | None:
    return Book.objects.filter(area=area, association__isnull=True).first()


@transaction.atomic
def allocation_propose(
    *, area: Area, amount: Decimal, by: User, on: datetime.date | None = None
) -> AllocationProposal:
    """A draft proposal splitting `amount` of the area's pool by need."""
    if area.level not in ("county", "city"):
        raise AllocationError(_("Only a county or a city keeps a capital pool."), "pool_level")
    pool = pool_of(area)
    if pool is None:
        pool = pool_book_open(area=area)
    _require_office(by, pool)
    on = on or timezone.localdate()
    amount = to_fen(amount) if amount is not None else ZERO
    if amount <= 0:
        raise AllocationError(_("The amount must be more than zero."), "amount")
    available = pool_available(pool)
    if amount > available:
        raise AllocationError(
            _("The pool holds %(available)s yuan not yet requested; allocate no more.")
            % {"available": format_yuan(available)},
            "available",
        )
    needs = needs_of(area, on)
    if not needs:
        raise AllocationError(_("No association keeps books in this area."), "no_association")
    proposal = AllocationProposal.objects.create(
        area=area, pool=pool, amount=amount, on=on, created_by=by
    )
    AllocationLine.objects.bulk_create(
        AllocationLine(
            proposal=proposal,
            target=need.book,
            waitlisted=need.waitlisted,
            waiting_months=need.waiting_months,
            cash=need.cash,
            fund_usage_rate=need.usage,
            repayment_rate=need.repayment,
            weight=need.weight,
            proposed=part,
            amount=part,
            reason=reason_of(need),
        )
        for need, part in zip(needs, share(amount, needs), strict=True)
    )
    return proposal


def _draft(proposal: AllocationProposal) -> AllocationProposal:
    locked = AllocationProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != AllocationStatus.DRAFT:
        raise AllocationError(_("This proposal has already been approved."), "approved")
    return locked


@transaction.atomic
def allocation_update(
    *, proposal: AllocationProposal, amounts: dict[int, Decimal], by: User
) -> AllocationProposal:
    """The office settles the amount of each line (by line id); together they may not exceed
    the proposal's amount."""
    proposal = _draft(proposal)
    _require_office(by, proposal.pool)
    lines = {line.pk: line for line in proposal.lines.all()}
    if set(amounts) - set(lines):
        raise AllocationError(_("A line is not part of this proposal."), "line")
    for line_id, value in amounts.items():
        if value is None or to_fen(value) < 0:
            raise AllocationError(_("An amount may not be negative."), "negative")
        lines[line_id].amount = to_fen(value)
    total = sum((line.amount for line in lines.values()), ZERO)
    if total > proposal.amount:
        raise AllocationError(
            _("The lines add up to %(total)s yuan, more than the %(amount)s yuan to allocate.")
            % {"total": format_yuan(total), "amount": format_yuan(proposal.amount)},
            "total",
        )
    AllocationLine.objects.bulk_update(list(lines.values()), ["amount"])
    return proposal


@transaction.atomic
def allocation_approve(*, proposal: AllocationProposal, by: User) -> list[Transfer]:
    """Request one allocation transfer per line with an amount (funds.services); another
    officer approves each transfer. Approving twice is refused."""
    proposal = _draft(proposal)
    _require_office(by, proposal.pool)
    lines = [line for line in proposal.lines.select_related("target") if line.amount > 0]
    if not lines:
        raise AllocationError(_("No line has an amount to transfer."), "empty")
    total = sum((line.amount for line in lines), ZERO)
    available = pool_available(proposal.pool)
    if total > available:
        raise AllocationError(
            _("The pool holds %(available)s yuan not yet requested; allocate no more.")
            % {"available": format_yuan(available)},
            "available",
        )
    today = timezone.localdate()
    transfers = []
    for line in lines:
        line.transfer = transfer_request(
            pool=proposal.pool,
            target=line.target,
            kind=TransferKind.ALLOCATE,
            amount=line.amount,
            on=today,
            reason=_("Allocation by need: %(reason)s") % {"reason": line.reason},
            by=by,
        )
        line.save(update_fields=["transfer"])
        transfers.append(line.transfer)
    proposal.status = AllocationStatus.APPROVED
    proposal.approved_by, proposal.approved_at = by, timezone.now()
    proposal.save(update_fields=["status", "approved_by", "approved_at"])
    return transfers
