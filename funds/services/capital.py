"""Capital received by a book, and its reversal (only through the receipt's own service)."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from associations.models import User
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, journal_post, mirror_lines
from funds.models import (
    Book,
    CapitalContribution,
    CapitalSource,
    EntryKind,
    JournalEntry,
)
from funds.roles import (
    recorder_roles,
    require_on_book,
)
from funds.services._common import CAPITAL_ACCOUNT, _cash_account, _may_act, _positive


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
    mirror = mirror_lines(receipt.entry)
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
