"""The loans' work queues on the home page (associations.hooks.home_panels), per role: the
clerk's instalments due, overdue loans, drafts and waitlist; the board's applications to
review; the committee's decisions, notices and write-offs; the station's disbursements."""

from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from associations.hooks import HomePanel
from associations.models import RoleAssignment, User
from loans.models import Loan, ReversalRequest, ReversalStatus
from loans.selectors import queues
from loans.workflow import BOARD, CLERK, COMMITTEE, STATION, LoanStatus
from mutualaid.money import format_yuan

ROWS = 5


def _panel(
    title: str,
    queryset: QuerySet[Any],
    row: Callable[[Any], tuple[str, str, str]],
    *,
    link: str,
    order: int,
) -> HomePanel:
    """The first rows and the count: two queries whatever the size of the queue."""
    return HomePanel(
        title=title,
        rows=[row(item) for item in queryset[:ROWS]],
        count=queryset.count(),
        link=link,
        order=order,
    )


def _list(**params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('loans:loan_list')}?{query}"


def _loan_row(loan) -> tuple[str, str, str]:
    detail = f"{loan.association.area.name} · {format_yuan(loan.amount)} {_('yuan')}"
    return loan.member.name, detail, reverse("loans:loan_detail", args=[loan.pk])


def _overdue_row(today):
    def row(loan) -> tuple[str, str, str]:
        days = (today - loan.oldest_unpaid_due_on).days
        detail = ngettext(
            "%(days)s day overdue · %(amount)s yuan outstanding",
            "%(days)s days overdue · %(amount)s yuan outstanding",
            days,
        ) % {"days": days, "amount": format_yuan(loan.principal_outstanding)}
        return loan.member.name, detail, reverse("loans:loan_detail", args=[loan.pk])

    return row


def _instalment_row(instalment) -> tuple[str, str, str]:
    loan = instalment.loan
    detail = _("due %(date)s · principal %(amount)s yuan") % {
        "date": date_format(instalment.due_on, "SHORT_DATE_FORMAT"),
        "amount": format_yuan(instalment.principal - instalment.principal_paid),
    }
    return loan.member.name, detail, reverse("loans:loan_detail", args=[loan.pk])


def _reversal_row(request) -> tuple[str, str, str]:
    repayment = request.repayment
    detail = _("%(village)s · repayment of %(date)s, %(amount)s yuan: %(reason)s") % {
        "village": repayment.loan.association.area.name,
        "date": date_format(repayment.paid_on, "SHORT_DATE_FORMAT"),
        "amount": format_yuan(repayment.amount),
        "reason": request.reason,
    }
    return (
        repayment.loan.member.name,
        detail,
        reverse("loans:loan_detail", args=[repayment.loan_id]),
    )


def _write_off_row(write_off) -> tuple[str, str, str]:
    loan = write_off.loan
    return _loan_row(loan)[0], write_off.reason, reverse("loans:loan_detail", args=[loan.pk])


def home_panels(request: HttpRequest, assignments: Sequence[RoleAssignment]) -> list[HomePanel]:
    user, today = cast(User, request.user), timezone.localdate()  # panels are for logins
    roles = {a.role for a in assignments}
    S = LoanStatus
    panels = []
    if CLERK in roles:
        panels += [
            _panel(
                _("Instalments due in the next 7 days"),
                queues.instalments_due(user=user, today=today),
                _instalment_row,
                link=_list(due="month"),
                order=10,
            ),
            _panel(
                _("Overdue loans"),
                queues.overdue(user=user, roles=[CLERK], today=today),
                _overdue_row(today),
                link=_list(overdue="1"),
                order=11,
            ),
            _panel(
                _("Drafts to finish"),
                queues.in_status(user=user, roles=[CLERK], status=S.DRAFT),
                _loan_row,
                link=_list(status=S.DRAFT),
                order=12,
            ),
            _panel(
                _("Applications waiting for funds"),
                queues.in_status(user=user, roles=[CLERK], status=S.WAITLISTED),
                _loan_row,
                link=_list(status=S.WAITLISTED),
                order=13,
            ),
        ]
    if BOARD in roles:
        panels.append(
            _panel(
                _("Applications waiting for the board's review"),
                queues.in_status(user=user, roles=[BOARD], status=S.SUBMITTED),
                _loan_row,
                link=_list(status=S.SUBMITTED),
                order=20,
            )
        )
    if COMMITTEE in roles:
        panels += [
            _panel(
                _("Applications waiting for the committee's decision"),
                queues.in_status(user=user, roles=[COMMITTEE], status=S.BOARD_REVIEWED),
                _loan_row,
                link=reverse("loans:inbox"),
                order=30,
            ),
            _panel(
                _("Write-off proposals waiting"),
                queues.write_offs_waiting(user=user),
                _write_off_row,
                link=reverse("loans:inbox"),
                order=31,
            ),
            _panel(
                _("Loans in public notice"),
                queues.in_status(user=user, roles=[COMMITTEE], status=S.IN_NOTICE),
                _loan_row,
                link=_list(status=S.IN_NOTICE),
                order=32,
            ),
        ]
    if STATION in roles:
        panels.append(
            _panel(
                _("Loans ready to disburse"),
                queues.in_status(user=user, roles=[STATION], status=S.READY),
                _loan_row,
                link=_list(status=S.READY),
                order=40,
            )
        )
        panels.append(
            _panel(
                _("Reversals requested"),
                ReversalRequest.objects.filter(
                    status=ReversalStatus.PENDING,
                    repayment__loan__in=Loan.objects.visible_to(user, roles=[STATION]),
                )
                .select_related("repayment__loan__member", "repayment__loan__association__area")
                .order_by("requested_at", "pk"),
                _reversal_row,
                link=_list(status=S.REPAYING),
                order=41,
            )
        )
    return panels
