"""A member household's access: the clerk's activation code (on the member's page) and the
public page where the member sets a password with mobile number and code (issue 12)."""

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.auth import _client_ip
from associations.exceptions import MemberRuleError
from associations.models import Member, Role, mobile_validator
from associations.scoping import get_visible_or_404
from associations.services import access
from associations.views import AuthedRequest

CLERK = [Role.VILLAGE_CLERK]
# Tries of the activation page: per mobile number (a code has 10^8 values) and per client.
ACTIVATE_LIMITS = (("mobile", 5, 15 * 60), ("ip", 20, 60 * 60))


class ActivateForm(forms.Form):
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number"), max_length=11, validators=[mobile_validator]
    )
    code = forms.CharField(label=gettext_lazy("Activation code"), max_length=8, min_length=8)
    password1 = forms.CharField(
        label=gettext_lazy("New password"), widget=forms.PasswordInput, max_length=128
    )
    password2 = forms.CharField(
        label=gettext_lazy("New password again"), widget=forms.PasswordInput, max_length=128
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


def _rate_limited(request: HttpRequest, mobile: str) -> bool:
    """Count this try; True when the mobile number or the client has had too many."""
    blocked = False
    for kind, limit, seconds in ACTIVATE_LIMITS:
        who = mobile if kind == "mobile" else (_client_ip(request) or "unknown")
        key = f"member-activate:{kind}:{who}"
        cache.add(key, 0, seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, seconds)
            count = 1
        blocked = blocked or count > limit
    return blocked


def member_activate(request: HttpRequest) -> HttpResponse:
    """Public: mobile number + activation code + new password; logs the member in."""
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _rate_limited(request, data["mobile"]):
            form.add_error(None, _("Too many tries. Wait a quarter of an hour and try again."))
        else:
            try:
                user = access.member_access_activate(
                    mobile=data["mobile"], code=data["code"], password=data["password1"]
                )
            except MemberRuleError as error:
                form.add_error(None, error.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                request.session.set_expiry(access.MEMBER_SESSION_IDLE_SECONDS)
                return redirect("home")
    return render(request, "member/activate.html", {"form": form})


@login_required
def member_access(request: AuthedRequest, member_id: int) -> HttpResponse:
    """The clerk's page: whether the household can log in, and a new code (shown once)."""
    member = get_visible_or_404(
        Member.objects.select_related("association", "user"), request.user, CLERK, pk=member_id
    )
    code = error = None
    if request.method == "POST":
        try:
            code = access.access_code_issue(member=member, by=request.user)
        except MemberRuleError as refusal:
            error = refusal.message
        member.refresh_from_db()
    if member.user_id is None and request.method != "POST" and not member.mobile:
        error = _("Record the member's mobile number first: it is the login name.")
    return render(
        request,
        "associations/member_access.html",
        {
            "member": member,
            "code": code,
            "error": error,
            "current": access.access_code_current(member),
            "valid_days": access.CODE_VALID_FOR.days,
            "activate_url": request.build_absolute_uri(reverse("member_activate")),
        },
    )
