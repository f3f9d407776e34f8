from django import forms
from django.utils.translation import gettext_lazy as _

from associations.forms import DateInput
from funds.models import CapitalSource, ExpenseCategory, SubsidyPayer, TransferKind
from mutualaid.money import money_form_field

INTO = [("bank", _("bank deposits")), ("cash", _("cash"))]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)


class CapitalForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=CapitalSource.choices)
    contributor = forms.CharField(label=_("Provided by"), max_length=100)
    amount = money_form_field(_("Amount (yuan)"))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    into = forms.ChoiceField(label=_("Received into"), choices=INTO)
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)
    annual_rate = forms.DecimalField(
        label=_("Bank loan: annual rate (e.g. 0.0435)"),
        required=False,
        max_digits=6,
        decimal_places=4,
        min_value=0,
    )
    term_months = forms.IntegerField(
        label=_("Bank loan: term in months"), required=False, min_value=1
    )
    subsidy_rate = forms.DecimalField(
        label=_("Bank loan: interest-subsidy rate"),
        required=False,
        max_digits=6,
        decimal_places=4,
        min_value=0,
    )
    subsidy_payer = forms.ChoiceField(
        label=_("Bank loan: subsidy paid by"), choices=SubsidyPayer.choices, required=False
    )


class ExpenseForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    payee = forms.CharField(label=_("Payee"), max_length=100)
    amount = money_form_field(_("Amount (yuan)"))
    spent_on = forms.DateField(label=_("Date"), widget=DateInput)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40, required=False)
    advanced_by = forms.CharField(
        label=_("Advanced by (leave empty when the fund paid)"), max_length=50, required=False
    )
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)


class DateReasonForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Close the books through the month of"), widget=DateInput)


class SurplusForm(forms.Form):
    accumulation = forms.DecimalField(
        label=_("Accumulation fund %"), initial=40, max_digits=5, decimal_places=2, min_value=0
    )
    welfare = forms.DecimalField(
        label=_("Welfare fund %"), initial=20, max_digits=5, decimal_places=2, min_value=0
    )
    risk_reserve = forms.DecimalField(
        label=_("Risk reserve %"), initial=10, max_digits=5, decimal_places=2, min_value=0
    )
    running_costs = forms.DecimalField(
        label=_("Running costs %"), initial=30, max_digits=5, decimal_places=2, min_value=0
    )
    dividends = forms.DecimalField(
        label=_("Dividends %"), initial=0, max_digits=5, decimal_places=2, min_value=0
    )


class TransferForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Association"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=TransferKind.choices)
    amount = money_form_field(_("Amount (yuan)"))
    on = forms.DateField(label=_("Date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
