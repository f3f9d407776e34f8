from django import forms
from django.utils.translation import gettext_lazy as _

from associations.forms import DateInput


class GroupFormForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=50)
    formed_on = forms.DateField(label=_("Formed on"), widget=DateInput)


class GroupChangeForm(forms.Form):
    on = forms.DateField(label=_("Effective on"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)
