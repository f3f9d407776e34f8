"""Forms of the loans app: they validate shape (numbers, dates, choices); the rules live in the
services."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from associations.forms import DateInput
from loans.domain.schedules import ScheduleKind
from loans.models import GuaranteeKind, LoanPolicy, LoanPurpose
from loans.services.policy import VALUE_FIELDS
from mutualaid.money import money_form_field

SWITCH_CHOICES = [("", _("inherit")), ("true", _("on")), ("false", _("off"))]


class PolicyForm(forms.Form):
    """Shape only: every field may be left empty to inherit. Rules live in policy_save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(LoanPolicy, fields=[*VALUE_FIELDS, "purposes"]))
        for name in ("group_stop", "poor_first"):
            self.fields[name] = forms.NullBooleanField(
                label=self.fields[name].label,
                required=False,
                widget=forms.Select(choices=SWITCH_CHOICES),
            )
        self.fields["fee_method"].choices = [
            ("", _("inherit")),
            *self.fields["fee_method"].choices[1:],
        ]
        self.fields["purposes"].widget = forms.CheckboxSelectMultiple()
        self.fields["purposes"].help_text = _("None ticked: all purposes allowed above.")
        for field in self.fields.values():
            field.required = False


class ApplicationForm(forms.Form):
    amount = money_form_field(_("Amount (yuan)"))
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, initial=12)
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=LoanPurpose.objects.all())
    schedule_kind = forms.ChoiceField(label=_("Repayment schedule"), choices=ScheduleKind.choices)
    custom_rows = forms.CharField(
        label=_("Custom instalments (one per line: YYYY-MM-DD amount)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    guarantee_kind = forms.ChoiceField(label=_("Guarantee"), choices=GuaranteeKind.choices)
    group = forms.ModelChoiceField(label=_("Joint-liability group"), queryset=None, required=False)
    guarantor = forms.ModelChoiceField(label=_("Personal guarantor"), queryset=None, required=False)
    placement = forms.ModelChoiceField(
        label=_("Enterprise or cooperative placement"), queryset=None, required=False
    )
    expected_income = money_form_field(_("Expected income (yuan)"), required=False)

    def __init__(self, *args, groups, guarantors, placements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["guarantor"].queryset = guarantors
        self.fields["placement"].queryset = placements

    def clean_custom_rows(self):
        import datetime
        from decimal import Decimal, InvalidOperation

        rows = []
        for number, line in enumerate(self.cleaned_data["custom_rows"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                day, amount = line.split()
                rows.append((datetime.date.fromisoformat(day), Decimal(amount)))
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)s is not “YYYY-MM-DD amount”."), params={"n": number}
                ) from None
        return rows


class RepaymentForm(forms.Form):
    amount = money_form_field(_("Amount received (yuan)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    token = forms.CharField(widget=forms.HiddenInput)


class ActionForm(forms.Form):
    """The few fields the committee, board and station actions need; each uses its own."""

    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    on = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    new_maturity = forms.DateField(label=_("New maturity"), widget=DateInput, required=False)
    into = forms.ChoiceField(
        label=_("Paid out from"),
        required=False,
        choices=[("cash", _("cash")), ("bank", _("bank deposits"))],
    )
    amount = money_form_field(_("Amount (yuan)"), required=False)
