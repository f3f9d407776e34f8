from django import forms
from django.utils.translation import gettext_lazy as _

from guarantees.models import PartnerKind
from mutualaid.forms import FutureDateField, IdempotentForm, PastDateField


class GroupFormForm(IdempotentForm):
    name = forms.CharField(label=_("Group name"), max_length=50)
    formed_on = PastDateField(label=_("Formed on"))


class GroupChangeForm(forms.Form):
    on = FutureDateField(label=_("Effective on"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PlacementForm(IdempotentForm):
    """The household is chosen from the search results the page lists (a radio per household);
    the view limits the choice to active households of the clerk's village."""

    member = forms.IntegerField(
        label=_("Household"),
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"required": _("Choose the household from the search results.")},
    )
    partner_kind = forms.ChoiceField(label=_("Model"), choices=PartnerKind.choices)
    partner_name = forms.CharField(label=_("Enterprise or cooperative"), max_length=100)
    agreed_on = PastDateField(label=_("Agreement date"))
    dividend_terms = forms.CharField(
        label=_("Dividend terms"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlacementEndForm(forms.Form):
    on = PastDateField(label=_("Ended on"))
    reason = forms.CharField(label=_("Reason for ending"), max_length=200)
