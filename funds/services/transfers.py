"""Transfers between a pool and its associations: requested, then decided by the level the
amount calls for."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import User
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, journal_post, mirror_lines
from funds.models import (
    ApprovalStatus,
    ApproverLevel,
    Book,
    EntryKind,
    JournalEntry,
    Transfer,
    TransferKind,
)
from funds.roles import (
    pool_office_roles,
)
from funds.services._common import _may_act, _positive
from mutualaid.money import format_yuan


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


def transfer_reversal(transfer: Transfer) -> JournalEntry | None:
    """The entry that reversed this transfer in the pool's books, if any (its mirror in the
    association's books is posted in the same transaction). Read off the journal, as for a
    capital receipt: each entry is reversed at most once (`JournalEntry.reverses` is unique)."""
    if transfer.pool_entry_id is None:
        return None
    return JournalEntry.objects.filter(reverses_id=transfer.pool_entry_id).first()


def may_reverse_transfer(user: User, transfer: Transfer) -> bool:
    """What the pages offer: the office that may decide the transfer, for an approved one."""
    return (
        transfer.status == ApprovalStatus.APPROVED
        and transfer.pool_entry_id is not None
        and _may_act(user, transfer.pool, pool_office_roles(transfer.pool))
    )


@transaction.atomic
def transfer_reverse(
    *, transfer: Transfer, by: User, reason: str, on: datetime.date
) -> JournalEntry:
    """Undo an approved transfer made in error: the mirror of its entry in the pool's books and
    of its entry in the association's books, in one transaction, each pointing at the entry it
    reverses and sourced to the transfer. Only the office that may decide the transfer
    reverses it; a reason is required; once only; not dated before the transfer. The book that
    received the money must still hold it: the journal refuses to take its bank below zero on
    any day, and the message names that book. Returns the pool's reversing entry."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("pool__area", "target__area", "pool_entry", "target_entry")
        .get(pk=transfer.pk)
    )
    if not _may_act(by, transfer.pool, pool_office_roles(transfer.pool)):
        raise FundsRuleError(_("Only the office owning the pool decides."), "role")
    reason = (reason or "").strip()
    if not reason:
        raise FundsRuleError(_("Give the reason for the reversal."), "reason")
    if (
        transfer.status != ApprovalStatus.APPROVED
        or transfer.pool_entry is None
        or transfer.target_entry is None
    ):
        raise FundsRuleError(
            _("Only an approved transfer is in the books and can be reversed."), "not_approved"
        )
    if transfer_reversal(transfer) is not None:
        raise FundsRuleError(_("This transfer has already been reversed."), "reversed")
    if on < max(transfer.pool_entry.date, transfer.target_entry.date):
        raise FundsRuleError(
            _("A reversal cannot be dated before the transfer it reverses."), "reverse_date"
        )
    memo = _("Reversal of transfer #%(id)s: %(reason)s") % {"id": transfer.pk, "reason": reason}
    # The book that received the money gives it back: post its side first, so that when it no
    # longer holds the money the refusal names it.
    receiving, giving = (
        (transfer.target_entry, transfer.pool_entry)
        if transfer.kind == TransferKind.ALLOCATE
        else (transfer.pool_entry, transfer.target_entry)
    )
    posted: dict[int, JournalEntry] = {}
    try:
        with transaction.atomic():
            for entry in (receiving, giving):
                try:
                    posted[entry.pk] = journal_post(
                        book=entry.book,
                        date=on,
                        kind=EntryKind.REVERSAL,
                        by=by,
                        source=transfer,
                        reverses=entry,
                        memo=memo,
                        lines=mirror_lines(entry),
                    )
                except FundsRuleError as error:
                    if error.code != "negative_cash":
                        raise
                    raise FundsRuleError(
                        _(
                            "%(book)s no longer holds the %(amount)s yuan it received: "
                            "%(detail)s The transfer cannot be reversed until it does."
                        )
                        % {
                            "book": entry.book.name,
                            "amount": format_yuan(transfer.amount),
                            "detail": error.message,
                        },
                        "negative_cash",
                    ) from error
    except IntegrityError as error:  # a reversal committed meanwhile
        raise FundsRuleError(_("This transfer has already been reversed."), "reversed") from error
    return posted[transfer.pool_entry.pk]


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
