"""What the book services share: amount checks, the cash account, who records."""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from associations.models import Association, User
from funds.exceptions import FundsRuleError
from funds.journal import book_for_association
from funds.models import (
    Book,
    CapitalSource,
)
from funds.roles import (
    RECORDERS,
    may_on_book,
    require_on_book,
)
from mutualaid.money import to_fen

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


def _may_act(user: User, book: Book, roles: Iterable[str]) -> bool:
    return may_on_book(user, roles, book)


def _may_record(by: User, association: Association) -> None:
    require_on_book(by, RECORDERS, book_for_association(association))
