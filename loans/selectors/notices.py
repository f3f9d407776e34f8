"""The village public notice (公示, DESIGN §9): the association's loans now in notice as the
village board posts them, with masked ID numbers, and how to object. For staff of the village
and above (the views scope the area); members read the same loans on their own notices page
(loans.selectors.member.public_notices)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from associations.authority import STAFF_ROLES
from associations.models import Area, AreaLevel, Association, User
from loans.models import Loan, LoanTransition
from loans.workflow import LoanStatus


@dataclass(frozen=True)
class NoticeEntry:
    loan_id: int
    name: str
    masked_id: str
    village_group: str
    amount: Decimal
    term_months: int
    purpose: str
    guarantee_kind: str
    guarantee: str  # the group, guarantor or placement
    notice_from: datetime.date | None
    notice_to: datetime.date | None


@dataclass(frozen=True)
class PublicNotice:
    association: Association
    entries: list[NoticeEntry]

    @property
    def objections_until(self) -> datetime.date | None:
        """The last day any of the notices runs."""
        return max((e.notice_to for e in self.entries if e.notice_to), default=None)


def public_notice(*, association: Association) -> PublicNotice:
    """The loans of `association` in public notice, the earliest ending first: one query."""
    started = LoanTransition.objects.filter(
        loan=OuterRef("pk"), to_status=LoanStatus.IN_NOTICE
    ).order_by("-at", "-id")
    loans = (
        Loan.objects.filter(association=association, status=LoanStatus.IN_NOTICE)
        .select_related("member__village_group", "purpose", "group", "guarantor", "placement")
        .annotate(notice_started_at=Subquery(started.values("at")[:1]))
        .order_by("notice_ends_on", "pk")
    )
    return PublicNotice(association, [_entry(loan) for loan in loans])


def _entry(loan: Loan) -> NoticeEntry:
    started = getattr(loan, "notice_started_at", None)
    return NoticeEntry(
        loan_id=loan.pk,
        name=loan.member.name,
        masked_id=loan.member.masked_id_number,
        village_group=loan.member.village_group.name,
        amount=loan.amount,
        term_months=loan.term_months,
        purpose=str(loan.purpose),
        guarantee_kind=loan.get_guarantee_kind_display(),
        guarantee=str(loan.group or loan.guarantor or loan.placement or ""),
        notice_from=timezone.localdate(started) if started else None,
        notice_to=loan.notice_ends_on,
    )


def notice_village(*, user: User, chosen: str = "") -> str:
    """The village whose public notice the loan list links: the one chosen in its filter, or
    the user's only village; "" when there is none to pick."""
    villages = Area.objects.visible_to(user, STAFF_ROLES).filter(level=AreaLevel.VILLAGE)
    if chosen:
        return chosen if villages.filter(code=chosen).exists() else ""
    codes = list(villages.values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else ""
