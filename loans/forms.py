from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from loans.models import LoanPolicy
from loans.services import VALUE_FIELDS

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
