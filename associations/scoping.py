"""The one scoping mechanism: every list, detail, export and report starts here.

A user sees the union of the subtrees of the areas they hold roles in. A subtree is a prefix of
the official division code, so scoping is `code LIKE 'prefix%'` on an indexed column and never a
recursive query. Each scoped model's queryset names the path from itself to an area code
(`scope_path`); `Model.objects.visible_to(user)` then filters by the user's prefixes.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias, TypeVar

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from associations.models import User

    # Whoever is asking: a login, the anonymous user of a request, or nobody (a task).
    AnyUser: TypeAlias = User | AnonymousUser | None

_M = TypeVar("_M", bound=models.Model)
_M_co = TypeVar("_M_co", bound=models.Model, covariant=True)
_CACHE_ATTR = "_scope_prefixes_by_role"


def _assignments(user: "User") -> dict[str, list[str]]:
    cached: dict[str, list[str]] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        RoleAssignment = apps.get_model("associations", "RoleAssignment")
        cached = {}
        rows = RoleAssignment.objects.filter(user_id=user.pk).values_list("role", "area__prefix")
        for role, prefix in rows:
            cached.setdefault(role, []).append(prefix)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_scope(user: "User") -> None:
    """Drop the per-request cache after the user's role assignments changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: "AnyUser") -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    return set(_assignments(user))


def visible_prefixes(user: "AnyUser", roles: Iterable[str] | None = None) -> list[str] | None:
    """The code prefixes the user sees; None means everything (superusers).

    With `roles`, only the subtrees where the user holds one of those roles count: the approval
    inbox of a committee member is their township, even if they also audit a county.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    by_role = _assignments(user)
    wanted = set(roles) if roles is not None else set(by_role)
    prefixes = sorted({p for role, ps in by_role.items() if role in wanted for p in ps}, key=len)
    minimal: list[str] = []
    for prefix in prefixes:
        if not any(prefix.startswith(kept) for kept in minimal):
            minimal.append(prefix)
    return sorted(minimal)


def scope_q(path: str, prefixes: list[str]) -> Q:
    if not prefixes:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{path}__startswith": prefix}) for prefix in prefixes))


class ScopedQuerySet(models.QuerySet[_M]):
    """Subclass and set `scope_path` to the lookup path ending at an area code."""

    scope_path: str = ""

    def visible_to(self, user: "AnyUser", roles: Iterable[str] | None = None) -> Self:
        if not self.scope_path:
            raise NotImplementedError(f"{type(self).__name__} must set scope_path")
        prefixes = visible_prefixes(user, roles)
        if prefixes is None:
            return self.all()
        return self.filter(scope_q(self.scope_path, prefixes))


class HouseholdScopedQuerySet(ScopedQuerySet[_M]):
    """Staff see their subtree; a member login (role `member`) sees only what concerns its own
    household. Set `member_path` to the lookup from the model to the household's login id
    (e.g. "user_id" on Member, "member__user_id" on a loan)."""

    member_path: str = ""

    def visible_to(self, user: "AnyUser", roles: Iterable[str] | None = None) -> Self:
        wanted = set(roles) if roles is not None else None
        staff = None if wanted is None else wanted - {"member"}
        prefixes = visible_prefixes(user, staff if staff is not None else _staff_roles(user))
        if prefixes is None:
            return self.all()
        condition = scope_q(self.scope_path, prefixes)
        member_wanted = wanted is None or "member" in wanted
        # Only a household's login (role `member`, given with the link to its household) adds
        # its own records: for staff the OR would stop the database from reading the subtree
        # by index (a village's loan list scanned every loan of the province).
        if member_wanted and user is not None and _is_household_login(user):
            mine = self.model._base_manager.filter(**{self.member_path: user.pk}).values("pk")
            condition |= Q(pk__in=mine)
        return self.filter(condition)


def _is_household_login(user: "AnyUser") -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return "member" in _assignments(user)


def _staff_roles(user: "AnyUser") -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    return set(_assignments(user)) - {"member"}


class Scoped(Protocol[_M_co]):
    """A scoped queryset or the manager made from it."""

    @property
    def model(self) -> type[_M_co]: ...

    def visible_to(
        self, user: "AnyUser", roles: Iterable[str] | None = None
    ) -> "models.QuerySet[_M_co]": ...


def get_visible_or_404(
    queryset: Scoped[_M], user: "AnyUser", roles: Iterable[str] | None = None, **lookup: Any
) -> _M:
    """The one access helper for detail pages: the object if in scope, else 404 (never 403)."""
    try:
        return queryset.visible_to(user, roles).get(**lookup)
    except (ObjectDoesNotExist, ValueError):
        raise Http404 from None
