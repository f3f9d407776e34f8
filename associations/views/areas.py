import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from associations import hooks, selectors
from associations.authority import STAFF_ROLES
from associations.models import Area, AreaLevel, Association, AssociationStatus, Role
from associations.scoping import get_visible_or_404, user_roles


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def home(request):
    if hooks.member_home and user_roles(request.user) == {Role.MEMBER}:  # a household's login
        return hooks.member_home[0](request)
    assignments = selectors.user_scope_roots(user=request.user)
    # Each role's work queue first (loans, funds, reports fill hooks.home_panels).
    panels = sorted(
        (panel for provider in hooks.home_panels for panel in provider(request, assignments)),
        key=lambda panel: panel.order,
    )
    return render(
        request,
        "associations/home.html",
        {
            "assignments": assignments,
            "panels": panels,
            "summary": selectors.scope_summary(user=request.user),
            "associations": selectors.association_list(user=request.user)[:10],
        },
    )


@login_required
def area_list(request):
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    if level not in AreaLevel.values:
        level = ""
    areas = selectors.area_list(user=request.user, query=query, level=level)
    return render(
        request,
        "associations/area_list.html",
        {"page": _page(request, areas), "q": query, "level": level, "levels": AreaLevel.choices},
    )


@login_required
def area_detail(request, area_code: str):
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, code=area_code)
    association = Association.objects.filter(area=area).first()
    children = list(selectors.area_children(user=request.user, area=area))
    supervises = _supervises(request.user, area)
    training = None
    if supervises:  # the staff's figures per child (from reports, through the hook)
        today = timezone.localdate()
        figures = {}
        for read in hooks.child_figures:
            figures.update(read(area=area, on=today, start=today.replace(month=1, day=1)))
        for child in children:
            setattr(child, "figures", figures.get(child.code))  # noqa: B010 - shown only
        training = _training_coverage(area, children, today)
    return render(
        request,
        "associations/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.area_breadcrumbs(user=request.user, area=area),
            "children": children,
            "association": association,
            "supervises": supervises,
            "training": training,
        },
    )


def _training_coverage(
    area: Area, children: list[Area], on: datetime.date
) -> selectors.TrainingCounts:
    """The area's training coverage this year (DESIGN §7) and each child's, as `training`:
    the same two grouped queries whatever the number of children."""
    length = len(children[0].prefix) if children else len(area.prefix)
    counts = selectors.training_counts(prefix=area.prefix, length=length, on=on)
    total = selectors.TrainingCounts()
    for part in counts.values():
        total += part
    for child in children:
        setattr(child, "training", counts.get(child.prefix, selectors.TrainingCounts()))  # noqa: B010
    return total


def _supervises(user, area: Area) -> bool:
    """Whether the user holds a staff role over the area (the dashboards' scope)."""
    staff = STAFF_ROLES
    return Area.objects.visible_to(user, roles=staff).filter(code=area.code).exists()


@login_required
def association_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in AssociationStatus.values:
        status = ""
    associations = selectors.association_list(user=request.user, query=query, status=status)
    return render(
        request,
        "associations/association_list.html",
        {
            "page": _page(request, associations),
            "q": query,
            "status": status,
            "statuses": AssociationStatus.choices,
        },
    )


@login_required
def association_detail(request, association_id: int):
    association = get_visible_or_404(
        Association.objects.select_related("area", "area__parent"), request.user, pk=association_id
    )
    return render(
        request,
        "associations/association_detail.html",
        {"association": association, "supervises": _supervises(request.user, association.area)},
    )
