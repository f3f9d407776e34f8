"""Transfers between a pool and its associations: requested, then decided by the level the
amount calls for."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import User
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, journal_post
from funds.models import (
    ApprovalStatus,
    ApproverLevel,
    Book,
    EntryKind,
    Transfer,
    TransferKind,
)
from funds.roles import (
    pool_office_roles,
)
from funds.services._common import _may_act, _positive


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
