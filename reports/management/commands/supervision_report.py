"""`python manage.py supervision_report AREA_CODE --month YYYY-MM --out FILE.pdf`: render the
monthly supervision report of a township (or the summary of a county or city) synchronously,
for scripts and checks. Nothing is stored or sent."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from associations.models import Area
from reports.documents import supervision_pdf
from reports.services import REPORT_LEVELS


def month_from(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(
            _("--month must be a month as YYYY-MM, not “%(value)s”.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = "Render the monthly supervision report of an area (division code) as PDF."

    def add_arguments(self, parser):
        parser.add_argument("area_code")
        parser.add_argument("--month", required=True, help="the month (YYYY-MM)")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, area_code: str, month: str, out: str, **options):
        area = Area.objects.filter(code=area_code.strip()).first()
        if area is None:
            raise CommandError(_("No area has the division code “%(code)s”.") % {"code": area_code})
        if area.level not in REPORT_LEVELS:
            raise CommandError(_("Reports are made for townships, counties and cities only."))
        pdf = supervision_pdf(area=area, month=month_from(month), prepared_by="supervision_report")
        Path(out).write_bytes(pdf)
        self.stdout.write(
            _("%(bytes)s bytes written to %(file)s") % {"bytes": len(pdf), "file": out}
        )
