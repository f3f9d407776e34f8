"""The village public notice (公示) for the village board: a page and a printable A4 PDF, for
staff of the village and above (members read it on their own notices page)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from associations.authority import STAFF_ROLES
from associations.models import Area, AreaLevel, Association
from associations.scoping import get_visible_or_404
from loans import documents
from loans.selectors.notices import PublicNotice, public_notice
from mutualaid.http import pdf_response


def _notice(request: HttpRequest, area_code: str) -> PublicNotice:
    area = get_visible_or_404(Area.objects.all(), request.user, roles=STAFF_ROLES, code=area_code)
    association = (
        Association.objects.filter(area=area).select_related("area__parent").first()
        if area.level == AreaLevel.VILLAGE
        else None
    )
    if association is None:
        raise Http404
    return public_notice(association=association)


@login_required
def notice_page(request: HttpRequest, area_code: str) -> HttpResponse:
    notice = _notice(request, area_code)
    return render(
        request,
        "loans/public_notice.html",
        {"notice": notice, "area_code": area_code, "today": timezone.localdate()},
    )


@login_required
def notice_pdf(request: HttpRequest, area_code: str) -> HttpResponse:
    notice = _notice(request, area_code)
    today = timezone.localdate()
    html = documents.public_notice_html(notice, today)
    return pdf_response(documents.to_pdf(html), f"notice-{area_code}-{today:%Y%m%d}.pdf")
