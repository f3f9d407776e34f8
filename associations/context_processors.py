from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from associations import hooks
from associations.authority import STAFF_ROLES
from associations.models import Role
from associations.scoping import user_roles


def navigation(request):
    """The menu a user gets: only entries their roles can use. Apps above associations add
    their entries through `hooks.menu` (with their own labels and translations)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = user_roles(user)
    items: list[tuple[int, str, StrOrPromise]] = [(0, reverse("home"), _("Home"))]
    if user.is_superuser or roles & STAFF_ROLES:
        items.append((10, reverse("associations:association_list"), _("Associations")))
        items.append((20, reverse("associations:area_list"), _("Areas")))
    elif roles:
        items.append((10, reverse("associations:association_list"), _("My association")))
    if user.is_superuser or roles:
        items.append((30, reverse("associations:member_list"), _("Members")))
    if user.is_superuser or roles & STAFF_ROLES:
        items.append((35, reverse("associations:training_list"), _("Training")))
    for entry in hooks.menu:
        wanted = entry.roles or frozenset(Role.values)
        if user.is_superuser or roles & wanted:
            items.append((entry.order, reverse(entry.url_name), entry.label))
    if user.is_superuser:
        items.append((1000, reverse("admin:index"), _("Administration")))
    items.sort(key=lambda item: item[0])
    return {
        "nav_items": [(url, label) for _order, url, label in items],
        "nav_roles": sorted(Role(r).label for r in roles),
    }
