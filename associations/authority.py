"""Who may act where (DESIGN §3, Authority): a role counts at the area it is assigned at and at
every area below it, never elsewhere. A county auditor who is also a township committee member
approves loans of that township only.

Services call `require_role` before they change anything; pages call `may_act` (or the app's
own table built on it) to decide what to offer, so a page never offers what the service refuses.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from associations.models import Role
from associations.scoping import visible_prefixes
from mutualaid.errors import RuleError

if TYPE_CHECKING:
    from associations.scoping import AnyUser

STAFF_ROLES: frozenset[str] = frozenset(Role.values) - {Role.MEMBER}


def may_act(user: "AnyUser", roles: Iterable[str], area_code: str) -> bool:
    """True when `user` holds one of `roles` at the area `area_code` or at an ancestor of it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    prefixes = visible_prefixes(user, roles)
    if prefixes is None:  # a superuser acts everywhere (the admin)
        return True
    return any(area_code.startswith(prefix) for prefix in prefixes)


def require_role(
    user: "AnyUser", roles: Iterable[str], area_code: str, *, error: type[RuleError] = RuleError
) -> None:
    """Raise `error` (the calling app's rule error, code "role") unless `may_act`."""
    roles = frozenset(roles)
    if may_act(user, roles, area_code):
        return
    names = "、".join(sorted(str(Role(role).label) for role in roles))
    raise error(
        _("Only a %(roles)s of this area may do this.") % {"roles": names},
        "role",
    )
