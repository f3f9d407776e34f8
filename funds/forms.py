from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from associations.models import Association
from funds.models import CapitalSource, ExpenseCategory, SubsidyPayer, TransferKind
from mutualaid.forms import FutureDateField, IdempotentForm, PastDateField, RateField
from mutualaid.money import money_form_field

INTO = [("bank", _("bank deposits")), ("cash", _("cash"))]


class PeriodForm(forms.Form):
    start = FutureDateField(label=_("From"), required=False)
    end = FutureDateField(label=_("To"), required=False)


class CapitalForm(IdempotentForm):
    source = forms.ChoiceField(label=_("Source"), choices=CapitalSource.choices)
    contributor = forms.CharField(label=_("Provided by"), max_length=100)
    amount = money_form_field(_("Amount (yuan)"))
    received_on = PastDateField(label=_("Received on"))
    into = forms.ChoiceField(label=_("Received into"), choices=INTO)
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)
    annual_rate = RateField(label=_("Bank loan: annual rate (e.g. 0.0435)"), required=False)
    term_months = forms.IntegerField(
        label=_("Bank loan: term in months"), required=False, min_value=1, max_value=360
    )
    subsidy_rate = RateField(label=_("Bank loan: interest-subsidy rate"), required=False)
    subsidy_payer = forms.ChoiceField(
        label=_("Bank loan: subsidy paid by"), choices=SubsidyPayer.choices, required=False
    )


class ExpenseForm(IdempotentForm):
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    payee = forms.CharField(label=_("Payee"), max_length=100)
    amount = money_form_field(_("Amount (yuan)"))
    spent_on = PastDateField(label=_("Date"))
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40, required=False)
    advanced_by = forms.CharField(
        label=_("Advanced by (leave empty when the fund paid)"), max_length=50, required=False
    )
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)


class DateReasonForm(forms.Form):
    on = PastDateField(label=_("Date"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CapitalReverseForm(DateReasonForm):
    """Reversing a capital receipt: the box says the consequence, and must be ticked."""

    confirm = forms.BooleanField(
        label=_("I confirm: the money leaves the books and the receipt counts no more."),
        error_messages={"required": _("Tick the box to confirm the reversal.")},
    )


class RecordReverseForm(DateReasonForm):
    """Reversing an expense, a transfer or a member's contribution through its own record: the
    page states the consequence above; the box must be ticked."""

    confirm = forms.BooleanField(
        label=_("I confirm the reversal described above; it cannot itself be undone."),
        error_messages={"required": _("Tick the box to confirm the reversal.")},
    )


class SurplusForm(forms.Form):
    accumulation = forms.DecimalField(
        label=_("Accumulation fund %"),
        initial=40,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )
    welfare = forms.DecimalField(
        label=_("Welfare fund %"),
        initial=20,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )
    risk_reserve = forms.DecimalField(
        label=_("Risk reserve %"),
        initial=10,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )
    running_costs = forms.DecimalField(
        label=_("Running costs %"),
        initial=30,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )
    dividends = forms.DecimalField(
        label=_("Dividends %"),
        initial=0,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )


class TransferForm(IdempotentForm):
    target = forms.ModelChoiceField(label=_("Association"), queryset=Association.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=TransferKind.choices)
    amount = money_form_field(_("Amount (yuan)"))
    on = PastDateField(label=_("Date"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["target"]).queryset = targets
