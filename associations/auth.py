from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.backends import ModelBackend

from associations.models import User


class MobileNumberBackend(ModelBackend):
    """Lets a user type their mobile number where the login form asks for a username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or not username.isdigit():
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
