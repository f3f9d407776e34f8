"""The offices' home panel (associations.hooks.home_panels): each county or city they
supervise, with its unmet demand and PAR30 and the way to its dashboard."""

from collections.abc import Sequence

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.hooks import HomePanel
from associations.models import Role, RoleAssignment
from mutualaid.money import format_yuan
from reports.selectors.indicators import area_figures

OFFICES = frozenset({Role.COUNTY_OFFICE, Role.CITY_OFFICE})


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def home_panels(request: HttpRequest, assignments: Sequence[RoleAssignment]) -> list[HomePanel]:
    today = timezone.localdate()
    panels = []
    for assignment in assignments:
        if assignment.role not in OFFICES:
            continue
        area = assignment.area
        figures = area_figures(area=area, on=today, start=today.replace(month=1, day=1))
        link = reverse("reports:dashboard", args=[area.code])
        rows = [
            (
                _("Unmet demand"),
                _("%(amount)s yuan in %(n)s applications waiting for funds")
                % {"amount": format_yuan(figures.unmet_demand), "n": figures.waitlisted_count},
                link,
            ),
            (
                _("PAR30"),
                _("%(rate)s · %(amount)s yuan at risk")
                % {
                    "rate": _percent(figures.par30),
                    "amount": format_yuan(figures.par30_principal),
                },
                link,
            ),
            (
                _("Outstanding principal"),
                _("%(amount)s yuan · fund usage %(rate)s")
                % {
                    "amount": format_yuan(figures.outstanding_principal),
                    "rate": _percent(figures.fund_usage_rate),
                },
                link,
            ),
        ]
        title = _("Dashboard of %(area)s") % {"area": area.name}
        panels.append(HomePanel(title=title, rows=rows, count=0, link=link, order=50))
    return panels
