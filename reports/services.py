"""Generating, storing and announcing the monthly supervision reports (DESIGN §8, §9).

A run first claims the (area, month) row under a row lock; a second run (another worker, a
double click) that finds a fresh claim stops, so two workers produce one report. The PDF renders
outside any transaction; the file and its checksum are stored only if the claim is still the
run's own. A re-run replaces the file and records that it did.
"""

import datetime
import hashlib
import logging
import uuid

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from associations.authority import require_role
from associations.models import Area, AreaLevel, Role, RoleAssignment, User
from mutualaid.errors import RuleError
from mutualaid.messaging import Message, send
from reports.documents import REPORT_LANGUAGE, month_label, report_title, supervision_pdf
from reports.models import ReportStatus, SupervisionReport

log = logging.getLogger(__name__)

REPORT_LEVELS = (AreaLevel.TOWNSHIP, AreaLevel.COUNTY, AreaLevel.CITY)
# Who may ask for a report now: the offices of the area or above it.
GENERATE_ROLES = (
    Role.TOWNSHIP_COMMITTEE,
    Role.TOWNSHIP_STATION,
    Role.COUNTY_OFFICE,
    Role.CITY_OFFICE,
)
# Who hears that a report is ready: (role, level of the area their assignment is at).
NOTIFY = {
    AreaLevel.TOWNSHIP: ((Role.TOWNSHIP_COMMITTEE, 0), (Role.COUNTY_OFFICE, 1)),
    AreaLevel.COUNTY: ((Role.COUNTY_OFFICE, 0),),
    AreaLevel.CITY: ((Role.CITY_OFFICE, 0),),
}
STALE_CLAIM = datetime.timedelta(minutes=15)


class ReportError(RuleError):
    pass


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(today: datetime.date) -> datetime.date:
    return first_of_month(first_of_month(today) - datetime.timedelta(days=1))


def report_check(*, area: Area, month: datetime.date, today: datetime.date) -> None:
    if area.level not in REPORT_LEVELS:
        raise ReportError(_("Reports are made for townships, counties and cities only."), "level")
    if first_of_month(month) >= first_of_month(today):
        raise ReportError(_("A report can be made for a past month only."), "month")


def report_claim(
    *, area: Area, month: datetime.date, user: User | None = None, job: str = "", force: bool
) -> tuple[SupervisionReport, str] | None:
    """Claim the report of `area` for `month`: (report, token), or None when another run holds
    a fresh claim, or when the report exists and `force` is off (the beat job's idempotence)."""
    month = first_of_month(month)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                SupervisionReport.objects.get_or_create(area=area, month=month)
        except IntegrityError:
            pass  # created by a concurrent run between our read and insert
        report = SupervisionReport.objects.select_for_update().get(area=area, month=month)
        busy = (
            report.status == ReportStatus.GENERATING
            and report.claim
            and report.claimed_at
            and now - report.claimed_at < STALE_CLAIM
        )
        if busy or (report.status == ReportStatus.READY and not force):
            return None
        token = uuid.uuid4().hex
        report.status, report.claim, report.claimed_at = ReportStatus.GENERATING, token, now
        report.progress, report.error = 5, ""
        report.generated_by, report.job = user, job
        report.save()
    return report, token


def report_request(
    *, area: Area, month: datetime.date, by: User, today: datetime.date
) -> tuple[SupervisionReport, str] | None:
    """A person asks for a report now (the dashboard): their office must cover the area."""
    require_role(by, GENERATE_ROLES, area.code, error=ReportError)
    report_check(area=area, month=month, today=today)
    return report_claim(area=area, month=month, user=by, force=True)


def _progress(report_id: int, token: str, value: int) -> None:
    SupervisionReport.objects.filter(pk=report_id, claim=token).update(progress=value)


def report_generate(*, report_id: int, token: str) -> SupervisionReport | None:
    """Render and store the claimed report; None when the claim was lost to another run."""
    report = SupervisionReport.objects.select_related("area", "generated_by").get(pk=report_id)
    if report.claim != token:
        return None
    _progress(report.pk, token, 20)
    try:
        generated_at = timezone.now()
        pdf = supervision_pdf(
            area=report.area,
            month=report.month,
            prepared_by=report.prepared_by,
            generated_at=generated_at,
        )
    except Exception as error:
        SupervisionReport.objects.filter(pk=report.pk, claim=token).update(
            status=ReportStatus.FAILED, error=str(error)[:300], claim=""
        )
        raise
    _progress(report.pk, token, 80)
    stored = _store(report.pk, token, pdf, generated_at)
    if stored is not None:
        report_notify(report=stored)
    return stored


def _store(
    report_id: int, token: str, pdf: bytes, generated_at: datetime.datetime
) -> SupervisionReport | None:
    checksum = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        report = SupervisionReport.objects.select_for_update().get(pk=report_id)
        if report.claim != token:
            return None
        old_name = report.file.name if report.file else ""
        if old_name:
            report.replaced_at, report.replaced_checksum = generated_at, report.checksum
        name = f"{report.area_id}-{report.month:%Y%m}-{checksum[:12]}.pdf"
        report.file.save(name, ContentFile(pdf), save=False)
        report.size, report.checksum, report.generated_at = len(pdf), checksum, generated_at
        report.status, report.progress, report.claim, report.runs = (
            ReportStatus.READY,
            100,
            "",
            report.runs + 1,
        )
        report.save()
        storage = report.file.storage
        if old_name and old_name != report.file.name:
            transaction.on_commit(lambda: storage.delete(old_name))
    log.info("supervision report %s stored (%s bytes, sha256 %s)", report, len(pdf), checksum)
    return report


def supervision_report_run(
    *, area: Area, month: datetime.date, user: User | None = None, job: str = "", force: bool
) -> SupervisionReport | None:
    """Claim, render and store in one go (the beat job and the command)."""
    claimed = report_claim(area=area, month=month, user=user, job=job, force=force)
    if claimed is None:
        return None
    report, token = claimed
    return report_generate(report_id=report.pk, token=token)


def _recipients(area: Area) -> list[tuple[User, str]]:
    """The users to tell about `area`'s report, with their role."""
    chain = [area]
    parent = area.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    people: list[tuple[User, str]] = []
    for role, up in NOTIFY.get(AreaLevel(area.level), ()):
        if up >= len(chain):
            continue
        for assignment in RoleAssignment.objects.filter(
            role=role, area=chain[up], user__is_active=True
        ).select_related("user"):
            people.append((assignment.user, role))
    return people


def report_notify(*, report: SupervisionReport) -> list[dict]:
    """Tell the township committee and the county office (for a township report), or the
    county or city office (for a summary) that the report is ready; record whom."""
    with override(REPORT_LANGUAGE):
        subject = _("%(title)s ready") % {"title": report_title(report.area)}
        body = _("The %(title)s of %(area)s for %(month)s is ready in the reports archive.") % {
            "title": report_title(report.area),
            "area": report.area.name,
            "month": month_label(report.month),
        }
    notified = []
    for user, role in _recipients(report.area):
        name = str(user)
        delivered = send(Message(name, user.mobile or "", user.email or "", subject, body))
        notified.append(
            {
                "name": name,
                "role": str(Role(role).label),
                "delivered": bool(delivered),
                "at": timezone.now().isoformat(timespec="seconds"),
            }
        )
    SupervisionReport.objects.filter(pk=report.pk).update(notified=notified)
    report.notified = notified
    return notified


def areas_to_report() -> list[Area]:
    """Every township, county and city that has an association below it."""
    return list(Area.objects.filter(level__in=REPORT_LEVELS).order_by("code"))
