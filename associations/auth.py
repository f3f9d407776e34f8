from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.backends import ModelBackend

from associations.models import User


class MobileNumberBackend(ModelBackend):
    """Lets a user type their mobile number where the login form asks for a username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or not (username.isascii() and username.isdigit()):
            return None
        try:
            user = User.objects.get(mobile=username)
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class StaffAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the fund office, never by self sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False


# --- login records (AuthEvent): connected in AssociationsConfig.ready() -------------------


def _client_ip(request) -> str | None:
    """The client's address as the login limit sees it (behind TRUSTED_PROXY_COUNT proxies)."""
    if request is None:
        return None
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import PermissionDenied

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def record_login(sender, request, user, **kwargs) -> None:
    from associations.models import AuthEventKind
    from associations.services.audit import auth_event_record

    auth_event_record(kind=AuthEventKind.LOGIN, user=user, ip=_client_ip(request))


def record_logout(sender, request, user, **kwargs) -> None:
    from associations.models import AuthEventKind
    from associations.services.audit import auth_event_record

    if user is not None:
        auth_event_record(kind=AuthEventKind.LOGOUT, user=user, ip=_client_ip(request))


def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from associations.models import AuthEventKind
    from associations.services.audit import auth_event_record

    username = str(credentials.get("username") or credentials.get("login") or "")
    known = User.objects.filter(username=username).first() if username else None
    if known is None and username.isascii() and username.isdigit():
        known = User.objects.filter(mobile=username).first()
    auth_event_record(
        kind=AuthEventKind.LOGIN_FAILED, user=known, username=username, ip=_client_ip(request)
    )
