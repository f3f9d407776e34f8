"""The audit trail page: the auditor and the county and city offices, over their subtree."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from reports.selectors import audit


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Person"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    name = forms.CharField(label=_("Object name"), max_length=50, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            ("", _("Everything")),
            *((source.key, source.label) for source in audit.SOURCES),
        ]


@login_required
def audit_log(request):
    """Who changed what (old and new values), logged in, downloaded or imported, and when."""
    if audit.audit_prefixes(request.user) == []:
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = audit.AuditFilters(**form.cleaned_data) if form.is_valid() else audit.AuditFilters()
    feed = audit.audit_feed(user=request.user, filters=filters)
    page = Paginator(feed, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/audit.html",
        {"form": form, "page": page, "extra_query": f"{query.urlencode()}&" if query else ""},
    )
