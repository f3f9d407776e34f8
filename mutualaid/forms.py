"""Form fields shared by every app: what a person may type for money, dates, counts and the
one-time key that makes a form safe to submit twice. Shape only; the services check the rules."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.money import DECIMAL_PLACES, MAX_DIGITS

# The widest amount a village fund types: under a hundred million yuan.
MAX_AMOUNT = Decimal("99999999.99")
EARLIEST_DATE = datetime.date(2000, 1, 1)
FUTURE_YEARS = 5
# Ids and counts typed into filters: anything wider than a database integer is no id at all.
MAX_ID = 2**31 - 1

IDEMPOTENCY_KEY = "idempotency_key"


def latest_date() -> datetime.date:
    """The last date a field that allows the future accepts: today plus five years."""
    return timezone.localdate() + relativedelta(years=FUTURE_YEARS)


class MoneyField(forms.DecimalField):
    """Yuan typed by a person: a finite number, at most two places, within sensible bounds
    (not negative unless `min_value` says so). NaN, Infinity and 1e400 get a message."""

    default_error_messages = {
        "invalid": _("Enter an amount in yuan, such as 1200 or 1200.50."),
        "max_digits": _("The amount is too large."),
        "max_whole_digits": _("The amount is too large."),
        "max_decimal_places": _("An amount has at most two decimal places (fen)."),
    }

    def __init__(
        self,
        *,
        min_value: Decimal | int | None = Decimal("0"),
        max_value: Decimal | int | None = MAX_AMOUNT,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            max_digits=MAX_DIGITS,
            decimal_places=DECIMAL_PLACES,
            min_value=min_value,
            max_value=max_value,
            **kwargs,
        )

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and len(value.strip()) > 40:
            # Far wider than any amount: refuse before Decimal works through it.
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class RateField(forms.DecimalField):
    """A rate such as 0.0435 (not a percentage): four places, between 0 and `max_value`."""

    def __init__(self, *, max_value: Decimal = Decimal("0.3"), **kwargs: Any) -> None:
        super().__init__(
            max_digits=6, decimal_places=4, min_value=Decimal("0"), max_value=max_value, **kwargs
        )


class FutureDateField(forms.DateField):
    """A date between 2000-01-01 and today plus five years."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput)
        super().__init__(**kwargs)

    def latest(self) -> datetime.date:
        return latest_date()

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        if value < EARLIEST_DATE:
            raise ValidationError(
                _("The date cannot be before %(date)s."),
                code="too_early",
                params={"date": EARLIEST_DATE.isoformat()},
            )
        latest = self.latest()
        if value > latest:
            raise ValidationError(
                _("The date cannot be after %(date)s."),
                code="too_late",
                params={"date": latest.isoformat()},
            )


class PastDateField(FutureDateField):
    """A date between 2000-01-01 and today: money received or spent, a month closed."""

    def latest(self) -> datetime.date:
        return timezone.localdate()


class DateInput(forms.DateInput):
    """A native date picker; it only understands ISO dates, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__({"min": EARLIEST_DATE.isoformat(), **(attrs or {})}, format or "%Y-%m-%d")


def bounded_integer(label: Any = None, *, min_value: int, max_value: int, **kwargs: Any) -> Any:
    """An integer field with both ends set, so a 25-digit number is a message, not a 500."""
    return forms.IntegerField(label=label, min_value=min_value, max_value=max_value, **kwargs)


def parse_id(value: object) -> int | None:
    """A row id posted or put in a URL by hand: a positive database integer, or None."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _new_key() -> str:
    return uuid.uuid4().hex


class IdempotentForm(forms.Form):
    """A form that creates something carries a one-time key issued with the page. A re-shown
    form keeps its key, so sending it again after an error or twice in a row writes once
    (see associations.idempotency). The key leaves `cleaned_data` for `claim_key`."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        initial=_new_key,
        max_length=40,
        error_messages={
            "required": _("This form has expired: reload the page and enter it again."),
            "max_length": _("This form has expired: reload the page and enter it again."),
        },
    )

    claim_key: str | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.claim_key = self.cleaned_data.pop(IDEMPOTENCY_KEY, None)
        return self.cleaned_data
