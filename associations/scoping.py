"""The one scoping mechanism: every list, detail, export and report starts here.

A user sees the union of the subtrees of the areas they hold roles in. A subtree is a prefix of
the official division code, so scoping is `code LIKE 'prefix%'` on an indexed column and never a
recursive query. Each scoped model's queryset names the path from itself to an area code
(`scope_path`); `Model.objects.visible_to(user)` then filters by the user's prefixes.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.http import Http404

_CACHE_ATTR = "_scope_prefixes_by_role"


def _assignments(user) -> dict[str, list[str]]:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        RoleAssignment = apps.get_model("associations", "RoleAssignment")
        cached = {}
        rows = RoleAssignment.objects.filter(user_id=user.pk).values_list("role", "area__prefix")
        for role, prefix in rows:
            cached.setdefault(role, []).append(prefix)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_scope(user) -> None:
    """Drop the per-request cache after the user's role assignments changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(_assignments(user))


def visible_prefixes(user, roles: Iterable[str] | None = None) -> list[str] | None:
    """The code prefixes the user sees; None means everything (superusers).

    With `roles`, only the subtrees where the user holds one of those roles count: the approval
    inbox of a committee member is their township, even if they also audit a county.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
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


class ScopedQuerySet(models.QuerySet):
    """Subclass and set `scope_path` to the lookup path ending at an area code."""

    scope_path: str = ""

    def visible_to(self, user, roles: Iterable[str] | None = None):
        if not self.scope_path:
            raise NotImplementedError(f"{type(self).__name__} must set scope_path")
        prefixes = visible_prefixes(user, roles)
        if prefixes is None:
            return self.all()
        return self.filter(scope_q(self.scope_path, prefixes))


class HouseholdScopedQuerySet(ScopedQuerySet):
    """Staff see their subtree; a member login (role `member`) sees only what concerns its own
    household. Set `member_path` to the lookup from the model to the household's login id
    (e.g. "user_id" on Member, "member__user_id" on a loan)."""

    member_path: str = ""

    def visible_to(self, user, roles: Iterable[str] | None = None):
        wanted = set(roles) if roles is not None else None
        staff = None if wanted is None else wanted - {"member"}
        prefixes = visible_prefixes(user, staff if staff is not None else _staff_roles(user))
        if prefixes is None:
            return self.all()
        condition = scope_q(self.scope_path, prefixes)
        member_wanted = wanted is None or "member" in wanted
        if member_wanted and getattr(user, "is_authenticated", False) and user.is_active:
            mine = self.model._base_manager.filter(**{self.member_path: user.pk}).values("pk")
            condition |= Q(pk__in=mine)
        return self.filter(condition)


def _staff_roles(user) -> set[str]:
    return (
        set(_assignments(user)) - {"member"} if getattr(user, "is_authenticated", False) else set()
    )


def get_visible_or_404(queryset: ScopedQuerySet, user, roles=None, **lookup):
    """The one access helper for detail pages: the object if in scope, else 404 (never 403)."""
    try:
        return queryset.visible_to(user, roles).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None
