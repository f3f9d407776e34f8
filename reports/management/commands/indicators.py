"""`python manage.py indicators AREA_CODE [--on YYYY-MM-DD] [--from YYYY-MM-DD]`: the DESIGN §7
indicators and their base figures of an area's subtree as JSON."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Area
from reports.selectors.indicators import area_figures, as_json


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s must be a date as YYYY-MM-DD, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None


class Command(BaseCommand):
    help = "Print the indicators of an area (division code) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("area_code")
        parser.add_argument("--on", help="the date (YYYY-MM-DD); default today")
        parser.add_argument(
            "--from", dest="start", help="start of the period; default 1 January of --on"
        )

    def handle(self, *args, area_code: str, on=None, start=None, **options):
        area = Area.objects.filter(code=area_code.strip()).first()
        if area is None:
            raise CommandError(_("No area has the division code “%(code)s”.") % {"code": area_code})
        on = _date(on, "--on") if on else timezone.localdate()
        start = _date(start, "--from") if start else on.replace(month=1, day=1)
        if start > on:
            raise CommandError(_("--from must not be after --on."))
        figures = area_figures(area=area, on=on, start=start)
        self.stdout.write(json.dumps(as_json(figures), ensure_ascii=False, indent=2))
