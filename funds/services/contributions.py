"""Members' contributions: received through the books, held, refunded on exit (never more
than the books hold for the household)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import may_act
from associations.hooks import ContributionLine
from associations.models import Association, Member, MemberStatus, User
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, journal_post, mirror_lines
from funds.models import (
    ZERO,
    EntryKind,
    JournalEntry,
    JournalLine,
)
from funds.roles import (
    RECORDERS,
    require_on_book,
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
        association=association,
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


def member_contribution_entries(member: Member) -> list[JournalEntry]:
    """The household's contributions received, oldest first, each with `reversal` set to the
    entry that reversed it (or None): the lines of the member page."""
    entries = list(
        JournalEntry.objects.filter(
            kind=EntryKind.CONTRIBUTION,
            source_type="associations.member",
            source_id=member.pk,
        )
        .select_related("book")
        .prefetch_related("lines")
        .order_by("date", "pk")
    )
    reversals = {
        r.reverses_id: r for r in JournalEntry.objects.filter(reverses__in=[e.pk for e in entries])
    }
    for entry in entries:
        entry.amount = sum(  # type: ignore[attr-defined]
            (line.credit for line in entry.lines.all() if line.credit), ZERO
        )
        entry.reversal = reversals.get(entry.pk)  # type: ignore[attr-defined]
    return entries


def may_reverse_contribution(user: User, entry: JournalEntry) -> bool:
    """What the pages offer: a recorder of the village whose books received it."""
    return entry.kind == EntryKind.CONTRIBUTION and may_act(user, RECORDERS, entry.book.area_id)


def member_contribution_lines(user: User, member: Member) -> list[ContributionLine]:
    """The member page's lines (`hooks.contribution_lines`): each contribution received, the
    page of its entry (where a recorder of the village reverses it), and its state."""
    may = may_act(user, RECORDERS, member.association.area_id)
    return [
        ContributionLine(
            on=entry.date,
            amount=entry.amount,  # type: ignore[attr-defined]
            url=reverse("funds:entry_detail", args=[entry.book_id, entry.pk]),
            reversed=entry.reversal is not None,  # type: ignore[attr-defined]
            may_reverse=may and entry.reversal is None,  # type: ignore[attr-defined]
        )
        for entry in member_contribution_entries(member)
    ]


@transaction.atomic
def member_contribution_reverse(
    *, entry: JournalEntry, by: User, reason: str, on: datetime.date
) -> JournalEntry:
    """Undo a contribution received by mistake: the mirror of its entry (the cash goes back,
    the household's contribution falls), sourced to the household like the receipt so that
    `member_contribution_held` reads it. A recorder of the village reverses; a reason is
    required; once only; not dated before the receipt. Never leaves the books holding less for
    the household than nothing: what was already refunded stays covered (the household's row
    is locked, so a refund or another reversal cannot pass the same check at once)."""
    entry = JournalEntry.objects.select_related("book__area").get(pk=entry.pk)
    if (
        entry.kind != EntryKind.CONTRIBUTION
        or entry.source_type != "associations.member"
        or entry.source_id is None
    ):
        raise FundsRuleError(_("This entry is not a member's contribution."), "not_contribution")
    require_on_book(by, RECORDERS, entry.book)
    member = Member.objects.select_for_update().get(pk=entry.source_id)
    reason = (reason or "").strip()
    if not reason:
        raise FundsRuleError(_("Give the reason for the reversal."), "reason")
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise FundsRuleError(_("This contribution has already been reversed."), "reversed")
    if on < entry.date:
        raise FundsRuleError(
            _("A reversal cannot be dated before the receipt it reverses."), "reverse_date"
        )
    mirror = mirror_lines(entry)
    amount = sum((line.credit for line in mirror), ZERO)
    held = member_contribution_held(member)
    if amount > held:
        raise FundsRuleError(
            _(
                "The books hold only %(held)s yuan for %(name)s (the rest was refunded); "
                "reversing %(amount)s yuan would leave less than was refunded."
            )
            % {"held": format_yuan(held), "name": member.name, "amount": format_yuan(amount)},
            "refunded",
        )
    try:
        with transaction.atomic():
            return journal_post(
                book=entry.book,
                date=on,
                kind=EntryKind.REVERSAL,
                by=by,
                source=member,
                reverses=entry,
                memo=_("Reversal of the contribution of %(name)s: %(reason)s")
                % {"name": member.name, "reason": reason},
                lines=mirror,
            )
    except IntegrityError as error:  # a reversal committed meanwhile
        raise FundsRuleError(
            _("This contribution has already been reversed."), "reversed"
        ) from error


# --- year-end --------------------------------------------------------------------------------
