"""Forms check the shape of input only; the services check the rules."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from associations.models import MemberStatus, OtherLoanKind, PovertyStatus, VillageGroup
from mutualaid.forms import (
    MAX_ID,
    DateInput,
    FutureDateField,
    IdempotentForm,
    PastDateField,
    bounded_integer,
)
from mutualaid.money import money_form_field

__all__ = ["DateInput"]  # other apps' forms import the date picker from here


class MemberForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, min_length=18)
    mobile = forms.CharField(label=_("Mobile number"), max_length=11, required=False)
    village_group = forms.ModelChoiceField(
        label=_("Village group"), queryset=VillageGroup.objects.none()
    )
    household_size = forms.IntegerField(label=_("Household size"), min_value=1, max_value=99)
    labourers = forms.IntegerField(label=_("Working-age labourers"), min_value=0, max_value=99)
    poverty_status = forms.ChoiceField(label=_("Poverty status"), choices=PovertyStatus.choices)
    is_party_member = forms.BooleanField(label=_("Party member"), required=False)
    is_wealth_leader = forms.BooleanField(label=_("Wealth leader"), required=False)
    joined_on = PastDateField(label=_("Joined on"))

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        groups = VillageGroup.objects.filter(association=association)
        cast(forms.ModelChoiceField, self.fields["village_group"]).queryset = groups


class MemberCreateForm(IdempotentForm, MemberForm):
    """Registering a household: safe to submit twice."""


class ContributionReceiveForm(IdempotentForm):
    """A household's contribution (股金/互助金) received in cash: posted in the books."""

    amount = money_form_field(_("Contribution received (yuan)"))
    on = PastDateField(label=_("Received on"))


class MemberExitForm(forms.Form):
    on = FutureDateField(label=_("Exit date"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    refund = forms.BooleanField(
        label=_("Refund the member's contribution"), required=False, initial=True
    )


class OtherLoanForm(IdempotentForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=OtherLoanKind.choices)
    lender = forms.CharField(label=_("Lender"), max_length=100)
    amount = money_form_field(_("Amount (yuan)"), min_value=None)
    due_on = FutureDateField(label=_("Due on"))


class VillageGroupForm(IdempotentForm):
    name = forms.CharField(label=_("Name"), max_length=30)


class MemberFilterForm(forms.Form):
    q = forms.CharField(required=False)
    poverty_status = forms.ChoiceField(
        required=False, choices=[("", _("Any poverty status")), *PovertyStatus.choices]
    )
    party = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Party member or not")),
            ("yes", _("Party members")),
            ("no", _("Not party members")),
        ],
    )
    village_group = bounded_integer(required=False, min_value=1, max_value=MAX_ID)
    status = forms.ChoiceField(
        required=False, choices=[("", _("Any status")), *MemberStatus.choices]
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
