"""Members' contributions: received through the books, held, refunded on exit (never more
than the books hold for the household)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import may_act
from associations.models import Association, Member, MemberStatus, User
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, book_for_association, journal_post
from funds.models import (
    ZERO,
    EntryKind,
    JournalEntry,
    JournalLine,
)
from funds.roles import (
    RECORDERS,
)
from funds.services._common import _may_record, _positive
from mutualaid.money import format_yuan


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
