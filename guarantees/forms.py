from django import forms
from django.utils.translation import gettext_lazy as _

from mutualaid.forms import FutureDateField, IdempotentForm, PastDateField


class GroupFormForm(IdempotentForm):
    name = forms.CharField(label=_("Group name"), max_length=50)
    formed_on = PastDateField(label=_("Formed on"))


class GroupChangeForm(forms.Form):
    on = FutureDateField(label=_("Effective on"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
