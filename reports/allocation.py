"""Allocation by need (issue 10, seed recommendation 2): a county (or city) office proposes
how to move capital to its associations by need, from two sources: `amount` of new money in its
pool, and the idle capital recalled from associations that lend little of what they have. It
edits the amounts and approves; approval requests one transfer per line (RECALL or ALLOCATE)
through funds.services.transfer_request, which another officer approves (four eyes). Nothing
here posts money.

Per association the figures (`needs_of`, a constant number of queries for the whole area):
lendable cash (cash and bank less the loans approved and not yet paid out, as
loans.selectors.loans.lendable_cash), fund usage rate, waitlisted amount and longest wait,
on-time and cumulative repayment rates, and its average monthly disbursement over the last
`RECENT_MONTHS` months.

Recall (also on the page, `RECALL_RULE`): an association whose fund usage rate is below
`LOW_USAGE` gives back its idle capital,

    idle_i = lendable_i − waitlisted_i − reserve_i,   reserve_i = RESERVE_MONTHS × monthly_i

rounded down to hundreds of yuan, when that is at least 100, and no more than its bank
balance (a transfer goes from bank to bank; cash in the till is not transferred). Its waitlist
stays because it is lent now; the reserve (three months of its own recent lending) stays so the
applications that arrive before the next quarterly allocation round are served without
waiting. A recall never takes more than `idle_i` (the office's edits included), so no
association is left below its reserve. An association with no capital has no usage rate and
is never recalled from.

Allocation (`FORMULA`), per association i that is not recalled from:

    weight_i = waitlisted_i × usage_i × repayment_i

* waitlisted_i: the amount of its applications waiting for funds (unmet demand);
* usage_i: its fund usage rate (outstanding principal ÷ capital), at most 1; 1 when it has no
  capital at all — an association lending little of what it has gets little more;
* repayment_i: its cumulative repayment rate (principal collected ÷ principal fallen due);
  1 when nothing has fallen due yet — an association with a poor record gets less.

`amount` plus the recalled total is shared in proportion to the weights, no association getting
more than its waitlisted amount (what a capped association does not take is shared again among
the others), each share rounded down to whole hundreds of yuan. What is left (rounding, or more
capital than the demand) stays in the pool. An association with no waiting application gets
nothing.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Area, Association, User
from funds.journal import pool_book_open
from funds.models import ApprovalStatus, Book, JournalLine, Transfer, TransferKind
from funds.roles import may_on_book, pool_office_roles
from funds.selectors import balances_by_key
from funds.services import transfer_request
from loans.models import Loan
from loans.selectors.loans import COMMITTED
from mutualaid.money import ZERO, format_yuan, to_fen
from reports.models import (
    AllocationLine,
    AllocationLineKind,
    AllocationProposal,
    AllocationStatus,
)
from reports.selectors.indicators import Figures, figures_by_village

HUNDRED = Decimal("100")
ONE = Decimal("1")

LOW_USAGE = Decimal("0.50")  # below this fund usage rate an association's idle capital is recalled
RECENT_MONTHS = 6  # the average monthly disbursement is taken over these months
RESERVE_MONTHS = 3  # months of that average an association keeps (a quarterly round)

FORMULA = gettext_lazy(
    "Need weight = waitlisted amount × fund usage rate (at most 100 %; 100 % without capital) × "
    "cumulative repayment rate (100 % when nothing has fallen due). The amount plus the recalled "
    "capital is shared in proportion to the weights, no association getting more than its "
    "waitlisted amount, each share rounded down to hundreds of yuan; what is left stays in the "
    "pool."
)
RECALL_RULE = gettext_lazy(
    "Recall: an association whose fund usage rate is below %(threshold)s gives back its idle "
    "capital = lendable cash − waitlisted amount − a reserve of %(reserve)s months of its "
    "average monthly disbursement over the last %(recent)s months, rounded down to hundreds of "
    "yuan, and no more than its bank balance (transfers go by bank). Its waitlist stays "
    "because it is lent now; the reserve stays so the applications that arrive before the "
    "next quarterly round are served. No recall takes more than the idle capital, so no "
    "association is left below its reserve."
)


def recall_rule() -> str:
    return str(RECALL_RULE) % {
        "threshold": f"{LOW_USAGE * 100:.0f}%",
        "reserve": RESERVE_MONTHS,
        "recent": RECENT_MONTHS,
    }


class AllocationError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Need:
    """One association's figures, its weight and its idle capital."""

    book: Book
    waitlisted: Decimal
    waiting_months: int | None
    cash: Decimal  # lendable cash
    usage: Decimal | None
    repayment: Decimal | None
    weight: Decimal
    on_time: Decimal | None = None
    monthly: Decimal = ZERO  # average monthly disbursement over RECENT_MONTHS
    reserve: Decimal = ZERO
    recall: Decimal = ZERO  # proposed recall, whole hundreds
    bank: Decimal | None = None  # bank balance less recalls requested; None: not capped

    @property
    def idle(self) -> Decimal:
        return self.cash - self.waitlisted - self.reserve

    @property
    def low_usage(self) -> bool:
        return self.usage is not None and self.usage < LOW_USAGE


def _hundreds(amount: Decimal) -> Decimal:
    return (amount / HUNDRED).quantize(ONE, rounding=ROUND_DOWN) * HUNDRED


def need_of(
    book: Book,
    figures: Figures,
    *,
    committed: Decimal = ZERO,
    recent: Decimal = ZERO,
    bank: Decimal | None = None,
) -> Need:
    """The need of one association from its figures, the loans it has approved and not yet
    paid out and the recalls requested of it (`committed`), and what it disbursed over the last
    RECENT_MONTHS (`recent`); a recall takes no more than `bank`."""
    usage = figures.fund_usage_rate
    repayment = figures.cumulative_repayment_rate
    lendable = to_fen(figures.cash - committed)
    monthly = to_fen(recent / RECENT_MONTHS)
    reserve = to_fen(recent * RESERVE_MONTHS / RECENT_MONTHS)
    idle = lendable - figures.unmet_demand - reserve
    movable = idle if bank is None else min(idle, bank)
    recall = _hundreds(movable) if usage is not None and usage < LOW_USAGE and movable > 0 else ZERO
    if recall > 0:
        weight = ZERO  # its own idle cash serves its waitlist
    else:
        usage_factor = ONE if usage is None else min(usage, ONE)
        repayment_factor = ONE if repayment is None else repayment
        weight = (figures.unmet_demand * usage_factor * repayment_factor).quantize(
            Decimal("0.0001")
        )
    return Need(
        book=book,
        waitlisted=figures.unmet_demand,
        waiting_months=figures.longest_wait_months,
        cash=lendable,
        usage=usage,
        repayment=repayment,
        weight=weight,
        on_time=figures.on_time_repayment_rate,
        monthly=monthly,
        reserve=reserve,
        recall=recall,
        bank=bank,
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
    return [_hundreds(e) for e in exact]


def _percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def reason_of(need: Need) -> str:
    """Why the line is what it is, in the user's language (Chinese by default)."""
    if need.recall > 0:
        return _(
            "Fund usage %(usage)s, below %(threshold)s; lendable %(cash)s yuan, of which idle "
            "%(idle)s yuan beyond its waitlist of %(waitlisted)s yuan and its reserve of "
            "%(reserve)s yuan (%(months)s months of its average monthly disbursement of "
            "%(monthly)s yuan over the last %(recent)s months): recall %(recall)s yuan"
        ) % {
            "usage": _percent(need.usage),
            "threshold": f"{LOW_USAGE * 100:.0f}%",
            "cash": format_yuan(need.cash),
            "idle": format_yuan(need.idle),
            "waitlisted": format_yuan(need.waitlisted),
            "reserve": format_yuan(need.reserve),
            "months": RESERVE_MONTHS,
            "monthly": format_yuan(need.monthly),
            "recent": RECENT_MONTHS,
            "recall": format_yuan(need.recall),
        } + (
            _(" (no more than its %(bank)s yuan in the bank)") % {"bank": format_yuan(need.bank)}
            if need.bank is not None and need.bank < need.idle
            else ""
        )
    parts = []
    if need.low_usage and need.bank is not None and need.bank < 100 <= need.idle:
        parts.append(
            _(
                "Fund usage %(usage)s is below %(threshold)s and %(idle)s yuan is idle, but "
                "its bank holds %(bank)s yuan: nothing to recall by transfer"
            )
            % {
                "usage": _percent(need.usage),
                "threshold": f"{LOW_USAGE * 100:.0f}%",
                "idle": format_yuan(need.idle),
                "bank": format_yuan(need.bank),
            }
        )
    elif need.low_usage:
        parts.append(
            _(
                "Fund usage %(usage)s is below %(threshold)s, but its lendable %(cash)s yuan "
                "leaves less than 100 yuan beyond its waitlist and its reserve of %(reserve)s "
                "yuan: nothing to recall"
            )
            % {
                "usage": _percent(need.usage),
                "threshold": f"{LOW_USAGE * 100:.0f}%",
                "cash": format_yuan(need.cash),
                "reserve": format_yuan(need.reserve),
            }
        )
    if need.waitlisted <= 0:
        parts.append(_("No application waits for funds."))
        return "; ".join(parts)
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
    parts.append(text)
    return "; ".join(parts)


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
    """Every association of the area with its need on `on`, in code order: the grouped
    indicator queries plus five (books, loans committed, recalls requested, bank balances,
    recent disbursement), whatever the number of associations. Lendable cash (and the bank) is
    also less the recalls requested and not yet decided, so a second proposal does not recall
    the same cash."""
    figures = figures_by_village(area=area, on=on, start=on.replace(month=1, day=1))
    associations = Association.objects.filter(area__code__startswith=area.prefix)
    books = Book.objects.filter(association__in=associations).select_related("area", "association")
    committed: dict[int | None, Decimal] = dict(
        Loan.objects.filter(association__in=associations, status__in=COMMITTED)
        .values_list("association_id")
        .annotate(s=Sum("amount"))
        .values_list("association_id", "s")
    )
    # Recalls requested and not yet decided will leave: they are no longer lendable.
    recalling: dict[int | None, Decimal] = dict(
        Transfer.objects.filter(
            target__association__in=associations,
            kind=TransferKind.RECALL,
            status=ApprovalStatus.REQUESTED,
        )
        .values_list("target__association_id")
        .annotate(s=Sum("amount"))
        .values_list("target__association_id", "s")
    )
    banks: dict[int | None, Decimal] = dict(
        JournalLine.objects.filter(
            book__association__in=associations, account__key="bank", date__lte=on
        )
        .values_list("book__association_id")
        .annotate(s=Sum("debit") - Sum("credit"))
        .values_list("book__association_id", "s")
    )
    since = on - relativedelta(months=RECENT_MONTHS)
    recent: dict[int | None, Decimal] = dict(
        Loan.objects.filter(
            association__in=associations, disbursed_on__gt=since, disbursed_on__lte=on
        )
        .values_list("association_id")
        .annotate(s=Sum("amount"))
        .values_list("association_id", "s")
    )
    return [
        need_of(
            book,
            figures.get(book.area_id, Figures(on=on, start=on)),
            committed=(committed.get(book.association_id) or ZERO)
            + (recalling.get(book.association_id) or ZERO),
            recent=recent.get(book.association_id) or ZERO,
            bank=(banks.get(book.association_id) or ZERO)
            - (recalling.get(book.association_id) or ZERO),
        )
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
    """A draft proposal recalling the idle capital of low-usage associations and sharing it,
    with `amount` of new money from the area's pool, by need."""
    if area.level not in ("county", "city"):
        raise AllocationError(_("Only a county or a city keeps a capital pool."), "pool_level")
    pool = pool_of(area)
    if pool is None:
        pool = pool_book_open(area=area)
    _require_office(by, pool)
    on = on or timezone.localdate()
    amount = to_fen(amount) if amount is not None else ZERO
    if amount < 0:
        raise AllocationError(_("The amount may not be negative."), "amount")
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
    recalled = sum((need.recall for need in needs), ZERO)
    if amount == 0 and recalled == 0:
        raise AllocationError(
            _("No association has idle capital to recall: give an amount more than zero."),
            "amount",
        )
    proposal = AllocationProposal.objects.create(
        area=area, pool=pool, amount=amount, on=on, created_by=by
    )
    AllocationLine.objects.bulk_create(
        AllocationLine(
            proposal=proposal,
            target=need.book,
            kind=AllocationLineKind.RECALL if need.recall > 0 else AllocationLineKind.ALLOCATE,
            waitlisted=need.waitlisted,
            waiting_months=need.waiting_months,
            cash=need.cash,
            fund_usage_rate=need.usage,
            repayment_rate=need.repayment,
            on_time_rate=need.on_time,
            monthly_disbursed=need.monthly,
            reserve=need.reserve,
            bank=need.bank if need.bank is not None else ZERO,
            weight=need.weight,
            proposed=need.recall or part,
            amount=need.recall or part,
            reason=reason_of(need)[:300],
        )
        for need, part in zip(needs, share(amount + recalled, needs), strict=True)
    )
    return proposal


def _draft(proposal: AllocationProposal) -> AllocationProposal:
    locked = AllocationProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != AllocationStatus.DRAFT:
        raise AllocationError(_("This proposal has already been approved."), "approved")
    return locked


def _totals(lines) -> tuple[Decimal, Decimal]:
    """(allocated, recalled) of the lines."""
    allocated = sum((x.amount for x in lines if x.kind == AllocationLineKind.ALLOCATE), ZERO)
    recalled = sum((x.amount for x in lines if x.kind == AllocationLineKind.RECALL), ZERO)
    return allocated, recalled


@transaction.atomic
def allocation_update(
    *, proposal: AllocationProposal, amounts: dict[int, Decimal], by: User
) -> AllocationProposal:
    """The office settles the amount of each line (by line id): a recall takes no more than
    the association's idle capital, and the allocations together no more than the proposal's
    amount plus the recalls."""
    proposal = _draft(proposal)
    _require_office(by, proposal.pool)
    lines = {line.pk: line for line in proposal.lines.select_related("target__area")}
    if set(amounts) - set(lines):
        raise AllocationError(_("A line is not part of this proposal."), "line")
    for line_id, value in amounts.items():
        if value is None or to_fen(value) < 0:
            raise AllocationError(_("An amount may not be negative."), "negative")
        line = lines[line_id]
        line.amount = to_fen(value)
        if line.kind == AllocationLineKind.RECALL and line.amount > line.recallable:
            raise AllocationError(
                _(
                    "%(name)s: a recall of %(amount)s yuan would leave it below its waitlist "
                    "and reserve, or take more than its bank holds; recall at most %(most)s "
                    "yuan."
                )
                % {
                    "name": line.target.area.name,
                    "amount": format_yuan(line.amount),
                    "most": format_yuan(line.recallable),
                },
                "recall",
            )
    allocated, recalled = _totals(lines.values())
    if allocated > proposal.amount + recalled:
        raise AllocationError(
            _(
                "The allocations add up to %(total)s yuan, more than the %(amount)s yuan "
                "to allocate plus the %(recalled)s yuan recalled."
            )
            % {
                "total": format_yuan(allocated),
                "amount": format_yuan(proposal.amount),
                "recalled": format_yuan(recalled),
            },
            "total",
        )
    AllocationLine.objects.bulk_update(list(lines.values()), ["amount"])
    return proposal


@transaction.atomic
def allocation_approve(*, proposal: AllocationProposal, by: User) -> list[Transfer]:
    """Request one transfer per line with an amount (funds.services): the recalls first, then
    the allocations; another officer approves each transfer. Approving twice is refused."""
    proposal = _draft(proposal)
    _require_office(by, proposal.pool)
    lines = [line for line in proposal.lines.select_related("target") if line.amount > 0]
    if not lines:
        raise AllocationError(_("No line has an amount to transfer."), "empty")
    allocated, recalled = _totals(lines)
    available = pool_available(proposal.pool)
    if allocated > available + recalled:
        raise AllocationError(
            _(
                "The pool holds %(available)s yuan not yet requested and %(recalled)s yuan "
                "are recalled; allocate no more."
            )
            % {"available": format_yuan(available), "recalled": format_yuan(recalled)},
            "available",
        )
    today = timezone.localdate()
    transfers = []
    lines.sort(key=lambda x: (x.kind != AllocationLineKind.RECALL, x.target.area_id))
    for line in lines:
        recall = line.kind == AllocationLineKind.RECALL
        template = (
            _("Recall of idle capital: %(reason)s")
            if recall
            else _("Allocation by need: %(reason)s")
        )
        line.transfer = transfer_request(
            pool=proposal.pool,
            target=line.target,
            kind=TransferKind.RECALL if recall else TransferKind.ALLOCATE,
            amount=line.amount,
            on=today,
            reason=(template % {"reason": line.reason})[:200],  # Transfer.reason's length
            by=by,
        )
        line.save(update_fields=["transfer"])
        transfers.append(line.transfer)
    proposal.status = AllocationStatus.APPROVED
    proposal.approved_by, proposal.approved_at = by, timezone.now()
    proposal.save(update_fields=["status", "approved_by", "approved_at"])
    return transfers
