"""The monthly table (月报表, DESIGN §9) of a village, township or county: the month's figures
of each child area, taken from the indicators (reports.selectors.indicators, never recomputed
here), with the area's own figures as the total line.

Decisions where DESIGN §9 is silent:

* A township or county table has one row per child area (villages, townships): that is the
  shape the county office files and compares, and the rows add up to the total line.
* A village has no child area; its table is its own single row (so a county officer can set
  village tables side by side with the township's rows) and, on a second sheet, one row per
  loan at the month end from the loan ledger (reports.selectors.ledgers), which is what the
  clerk checks the village's figures against.
* The total line is the area's own figures, not a sum of the rows: rates are not additive.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Area, AreaLevel
from reports.selectors.indicators import Figures, area_figures, child_figures
from reports.selectors.ledgers import LoanRow, loan_ledger
from reports.selectors.supervision import month_end

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
FIRST_YEAR = 2000


class MonthError(ValueError):
    """A month the table cannot be made for, with the user's message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_month(text: str | None, *, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month written YYYY-MM; the month before `today` when empty. The
    current month is allowed (its figures run to its last day, so far), a later one is not."""
    today = today or timezone.localdate()
    if not text:
        return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    found = MONTH.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < FIRST_YEAR:
        raise MonthError(_("Give the month as year and month, for example 2026-03."))
    month = datetime.date(int(found.group(1)), int(found.group(2)), 1)
    if month > today.replace(day=1):
        raise MonthError(_("The month %(month)s has not begun yet.") % {"month": text.strip()})
    return month


@dataclass
class MonthlyTable:
    area: Area
    month: datetime.date  # the first day
    end: datetime.date  # the last day, or today for the current month

    @property
    def partial(self) -> bool:
        return self.end < month_end(self.month)

    rows: list[tuple[Area, Figures]]
    total: Figures
    loans: list[LoanRow] = field(default_factory=list)  # a village's loans at the month end


def monthly_table(
    *, area: Area, month: datetime.date, today: datetime.date | None = None
) -> MonthlyTable:
    """The table of `month`; the current month's runs to today (a later day would count the
    instalments not yet due as overdue)."""
    start = month.replace(day=1)
    end = min(month_end(start), today or timezone.localdate())
    total = area_figures(area=area, on=end, start=start)
    rows = child_figures(area=area, on=end, start=start) or [(area, total)]
    loans = list(loan_ledger(area=area, on=end)) if area.level == AreaLevel.VILLAGE else []
    return MonthlyTable(area, start, end, rows, total, loans)
