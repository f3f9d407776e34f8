import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from funds.models import Book
from mutualaid.forms import IdempotentForm, PastDateField
from mutualaid.money import money_form_field


class MonthField(PastDateField):
    """A month (YYYY-MM, as the browser's month picker sends it), given as its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        date = super().to_python(value)
        return date.replace(day=1) if date else None


class MonthPickForm(forms.Form):
    month = MonthField(label=_("Month"))


class CloseForm(IdempotentForm):
    month = MonthField(widget=forms.HiddenInput)
    cash_counted = money_form_field(_("Cash counted (yuan)"))
    bank_counted = money_form_field(_("Bank statement balance (yuan)"))
    reason = forms.CharField(
        label=_("Reason for any difference"),
        max_length=200,
        required=False,
        help_text=_("Needed only when a count differs from the books."),
    )


class CloseAllForm(IdempotentForm):
    """The township page: a count per open book, each optional (a book left blank stays
    open). Fields are named by the book's id: cash_<id>, bank_<id>, reason_<id>."""

    month = MonthField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, books: list[Book], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.books = books
        for book in books:
            self.fields[f"cash_{book.pk}"] = money_form_field(
                _("Cash counted (yuan)"), required=False
            )
            self.fields[f"bank_{book.pk}"] = money_form_field(
                _("Bank statement balance (yuan)"), required=False
            )
            self.fields[f"reason_{book.pk}"] = forms.CharField(
                label=_("Reason for any difference"), max_length=200, required=False
            )

    def counts(self) -> list[tuple[Book, Decimal | None, Decimal | None, str]]:
        """The books with anything typed, in page order."""
        data = self.cleaned_data
        rows = []
        for book in self.books:
            cash, bank = data.get(f"cash_{book.pk}"), data.get(f"bank_{book.pk}")
            reason = data.get(f"reason_{book.pk}") or ""
            if cash is None and bank is None and not reason:
                continue
            rows.append((book, cash, bank, reason))
        return rows

    def row(self, book: Book) -> list[forms.BoundField]:
        return [self[f"{name}_{book.pk}"] for name in ("cash", "bank", "reason")]
