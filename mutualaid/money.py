"""Money helpers: Decimal yuan with two places, rounded half-up once per computation."""

from decimal import ROUND_HALF_UP, Decimal

import cn2an

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(amount: Decimal | int | str) -> Decimal:
    """Round to the fen, half-up. The one rounding helper of the project."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float")
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def amount_in_words(amount: Decimal | int | str) -> str:
    """The capital form used on contracts and receipts, e.g. 12000 -> 壹万贰仟元整."""
    value = to_fen(amount)
    if value < 0:
        raise ValueError("amount in words needs a non-negative amount")
    return cn2an.an2cn(str(value), "rmb")


def format_yuan(amount: Decimal) -> str:
    return f"{to_fen(amount):,.2f}"
