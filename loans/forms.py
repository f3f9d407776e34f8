"""Forms of the loans app: they validate shape (numbers, dates, choices); the rules live in the
services."""

import datetime
from decimal import Decimal
from typing import cast

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from associations.models import Member
from guarantees.models import GuaranteeGroup, Placement
from loans.domain.schedules import ABSOLUTE_MAX_TERM_MONTHS, ScheduleKind
from loans.models import GuaranteeKind, LoanPolicy, LoanPurpose
from loans.services.policy import VALUE_FIELDS
from mutualaid.forms import FutureDateField, IdempotentForm, MoneyField, PastDateField
from mutualaid.money import money_form_field

# More rows than a two-year term has months is no schedule a clerk means to type.
MAX_CUSTOM_ROWS = 2 * ABSOLUTE_MAX_TERM_MONTHS

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
        fee_method = cast(forms.ChoiceField, self.fields["fee_method"])
        # stubs: `choices` reads back as the normalised list (only its setter takes callables)
        inherited = list(fee_method.choices)[1:]  # type: ignore[arg-type]
        fee_method.choices = [("", _("inherit")), *inherited]
        self.fields["purposes"].widget = forms.CheckboxSelectMultiple()
        self.fields["purposes"].help_text = _("None ticked: all purposes allowed above.")
        for field in self.fields.values():
            field.required = False


class ApplicationForm(IdempotentForm):
    amount = money_form_field(_("Amount (yuan)"))
    term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=1, max_value=ABSOLUTE_MAX_TERM_MONTHS, initial=12
    )
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=LoanPurpose.objects.all())
    schedule_kind = forms.ChoiceField(label=_("Repayment schedule"), choices=ScheduleKind.choices)
    custom_rows = forms.CharField(
        label=_("Custom instalments (one per line: YYYY-MM-DD amount)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    guarantee_kind = forms.ChoiceField(label=_("Guarantee"), choices=GuaranteeKind.choices)
    # The querysets are the association's own, set in __init__.
    group = forms.ModelChoiceField(
        label=_("Joint-liability group"), queryset=GuaranteeGroup.objects.none(), required=False
    )
    guarantor = forms.ModelChoiceField(
        label=_("Personal guarantor"), queryset=Member.objects.none(), required=False
    )
    placement = forms.ModelChoiceField(
        label=_("Enterprise or cooperative placement"),
        queryset=Placement.objects.none(),
        required=False,
    )
    expected_income = money_form_field(_("Expected income (yuan)"), required=False)

    def __init__(self, *args, groups, guarantors, placements, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups
        cast(forms.ModelChoiceField, self.fields["guarantor"]).queryset = guarantors
        cast(forms.ModelChoiceField, self.fields["placement"]).queryset = placements

    def clean_custom_rows(self) -> list[tuple[datetime.date, Decimal]]:
        """Each line a plausible date and a positive amount in yuan and fen; whether the rows
        make a schedule for this loan is the service's rule (checked at every step)."""
        lines = [line for line in self.cleaned_data["custom_rows"].splitlines() if line.strip()]
        if len(lines) > MAX_CUSTOM_ROWS:
            raise forms.ValidationError(
                _("A custom schedule has at most %(n)s instalments."),
                params={"n": MAX_CUSTOM_ROWS},
            )
        day_field = FutureDateField()
        amount_field = MoneyField(min_value=Decimal("0.01"))
        rows = []
        for number, line in enumerate(lines, start=1):
            parts = line.split()
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("Line %(n)s is not “YYYY-MM-DD amount”."), params={"n": number}
                )
            try:
                rows.append((day_field.clean(parts[0]), amount_field.clean(parts[1])))
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("Line %(n)s: %(problem)s"),
                    params={"n": number, "problem": " ".join(error.messages)},
                ) from None
        return rows


class RepaymentForm(IdempotentForm):
    amount = money_form_field(_("Amount received (yuan)"), min_value=Decimal("0.01"))
    paid_on = PastDateField(label=_("Paid on"))

    def ask_confirmation(self) -> None:
        """Show the box that confirms a second identical repayment (see repayment_record)."""
        self.fields["confirm_duplicate"] = forms.BooleanField(
            label=_("Yes, this is a second payment of the same amount on the same day"),
            required=False,
        )


class ConfirmForm(forms.Form):
    """An action with nothing to type: its confirmation page has only the button."""


class ReasonForm(forms.Form):
    """An action the design wants a reason for (rejection, objection, sending back, write-off,
    refusing an extension): the services refuse an empty one too."""

    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisburseForm(forms.Form):
    on = FutureDateField(label=_("Disbursed on"))
    into = forms.ChoiceField(
        label=_("Paid out from"), choices=[("cash", _("cash")), ("bank", _("bank deposits"))]
    )


class DisbursementReverseForm(forms.Form):
    on = PastDateField(label=_("Reversed on"))
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionRequestForm(forms.Form):
    new_maturity = FutureDateField(label=_("New maturity"))
    reason = forms.CharField(
        label=_("Why the household needs more time"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecoveryForm(forms.Form):
    amount = money_form_field(_("Amount recovered (yuan)"), min_value=Decimal("0.01"))


# Each action of the loan page with the form of only its own fields.
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "submit": ConfirmForm,
    "withdraw": OptionalReasonForm,
    "review": OptionalReasonForm,
    "send_back": ReasonForm,
    "approve": ConfirmForm,
    "reject": ReasonForm,
    "object": ReasonForm,
    "disburse": DisburseForm,
    "disbursement_reverse": DisbursementReverseForm,
    "extension_request": ExtensionRequestForm,
    "extend": ConfirmForm,
    "extension_refuse": ReasonForm,
    "write_off_propose": ReasonForm,
    "write_off_approve": ConfirmForm,
    "recovery": RecoveryForm,
}
