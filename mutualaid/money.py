"""Money helpers: Decimal yuan with two places, rounded half-up once per computation, and the
one shape of a money column, form field and aggregate."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, overload

import cn2an
from django import forms
from django.db import models
from django.db.models.expressions import Combinable
from django_stubs_ext import StrOrPromise

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14
DECIMAL_PLACES = 2

# The output field of sums and windows over money columns.
MONEY_OUTPUT = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)

_MoneyIn = str | float | Decimal | Combinable


@overload
def money_field(
    verbose_name: StrOrPromise, *, null: Literal[False] = ..., **options: Any
) -> "models.DecimalField[_MoneyIn, Decimal]": ...
@overload
def money_field(
    verbose_name: StrOrPromise, *, null: Literal[True], **options: Any
) -> "models.DecimalField[_MoneyIn | None, Decimal | None]": ...
def money_field(verbose_name: StrOrPromise, *, null: bool = False, **options: Any) -> Any:
    """A model column of yuan: `DecimalField(max_digits=14, decimal_places=2)`."""
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=null, **options
    )


def money_form_field(label: StrOrPromise, **options: Any) -> forms.DecimalField:
    """A form field of yuan (mutualaid.forms.MoneyField): finite, two places, within bounds,
    not negative unless `min_value` says otherwise."""
    from mutualaid.forms import MoneyField

    return MoneyField(label=label, **options)


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
