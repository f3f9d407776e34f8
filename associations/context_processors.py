from django.apps import apps
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from associations.models import Role
from associations.scoping import user_roles

STAFF_ROLES = set(Role.values) - {Role.MEMBER}


def navigation(request):
    """The menu a user gets: only entries their roles can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = user_roles(user)
    items = [(reverse("home"), _("Home"))]
    if user.is_superuser or roles & STAFF_ROLES:
        items.append((reverse("associations:association_list"), _("Associations")))
        items.append((reverse("associations:area_list"), _("Areas")))
    elif roles:
        items.append((reverse("associations:association_list"), _("My association")))
    if user.is_superuser or roles:
        items.append((reverse("associations:member_list"), _("Members")))
        items.append((reverse("guarantees:group_list"), _("Groups")))
    if user.is_superuser or roles:
        loans = apps.get_model("loans", "Loan")._meta.verbose_name_plural
        items.append((reverse("loans:loan_list"), capfirst(loans)))
    if user.is_superuser or roles & {Role.TOWNSHIP_COMMITTEE}:
        items.append((reverse("loans:inbox"), _("Approval inbox")))
    if user.is_superuser or roles & STAFF_ROLES:
        # The label is the loans app's own model name, so its translation lives with loans.
        policy = apps.get_model("loans", "LoanPolicy")._meta.verbose_name
        items.append((reverse("loans:policy_list"), capfirst(policy)))
        books = apps.get_model("funds", "Book")._meta.verbose_name_plural
        items.append((reverse("funds:book_list"), capfirst(books)))
    if user.is_superuser:
        items.append((reverse("admin:index"), _("Administration")))
    return {"nav_items": items, "nav_roles": sorted(Role(r).label for r in roles)}
