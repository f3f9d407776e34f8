"""Members get pages of their own (issue 12): a login that holds only the member role opens the
member's pages and nothing of the staff's, even by typing an address. The staff lists would
show it its own household only, but with the staff menu and, on a group's page, the other
members' loan statuses."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from associations.models import Role
from associations.scoping import user_roles

# Pages a member login opens besides the "loans:member_*" ones: home, the receipt PDF its
# receipt page links, setting a password with the clerk's code, the language switch.
MEMBER_VIEWS = frozenset({"home", "loans:repayment_receipt", "member_activate", "set_language"})
# Paths outside the app's own pages: the login and password pages, the admin's own login,
# the health probe, static files.
OPEN_PREFIXES = ("/accounts/", "/admin/", "/health/", "/static/", "/i18n/")


def member_may_open(view_name: str) -> bool:
    return view_name in MEMBER_VIEWS or view_name.startswith("loans:member_")


class MembersOwnPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        user = request.user
        if not user.is_authenticated or user.is_superuser:
            return None
        if request.path.startswith(OPEN_PREFIXES) or request.resolver_match is None:
            return None
        if member_may_open(request.resolver_match.view_name):
            return None
        roles = user_roles(user)
        if roles and roles <= {Role.MEMBER}:
            raise Http404
        return None
