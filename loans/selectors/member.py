"""Reads for a member household's own pages (issue 12): its loan in plain figures, its schedule
and repayments, its statement and the village's public notices.

Every read starts from the household (the login's own `Member`), never from an id in the URL,
except the receipt, which is looked up among the household's own repayments. The notices are
the one read of other households' loans: what the village posts on its notice board anyway
(name, masked ID number, amount, purpose, notice period), nothing else.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from associations.models import Member, mask_id_number
from associations.services.members import contribution_held
from funds.models import ApprovalStatus, SurplusAllocation
from funds.services import surplus_shares
from guarantees.models import GroupMembership, GroupStatus
from loans.domain.fees import AmountOwed
from loans.domain.instalments import InstalmentStatus
from loans.domain.policy_rules import EffectivePolicy
from loans.models import Instalment, Loan, Repayment
from loans.selectors.loans import owed_today
from loans.selectors.policy import effective_policy
from loans.workflow import ACTIVE_STATUSES, LENT_STATUSES, LoanStatus
from mutualaid.money import ZERO

S = LoanStatus
EVER_LENT = (S.DISBURSED, S.REPAYING, S.CLOSED, S.WRITTEN_OFF)


@dataclass(frozen=True)
class NextInstalment:
    due_on: datetime.date
    principal: Decimal
    usage_fee: Decimal  # if paid on the due date
    total: Decimal


@dataclass
class MemberHome:
    member: Member
    contribution: Decimal
    loan: Loan | None = None  # the active loan or application
    lent: bool = False
    next: NextInstalment | None = None
    days_overdue: int = 0
    owed: AmountOwed | None = None
    group_name: str = ""
    group_overdue: bool | None = None  # None: not in a group
    policy: EffectivePolicy | None = None  # when there is no loan
    first_loan: bool = True

    @property
    def fee_percent(self) -> str:
        """The policy's usage-fee rate a year as a plain percentage: "6", "4.5"."""
        if self.policy is None:
            return ""
        return f"{self.policy.fee_rate * 100:.2f}".rstrip("0").rstrip(".")


def household_loans(member: Member) -> QuerySet[Loan]:
    return Loan.objects.filter(member=member).select_related("purpose", "association")


def current_loan(member: Member) -> Loan | None:
    return household_loans(member).filter(status__in=sorted(ACTIVE_STATUSES)).first()


def latest_lent_loan(member: Member) -> Loan | None:
    """The loan whose schedule the member sees: the active one, else the last one paid out."""
    return (
        household_loans(member)
        .filter(status__in=EVER_LENT)
        .order_by("-disbursed_on", "-pk")
        .first()
    )


def member_home(member: Member, *, today: datetime.date) -> MemberHome:
    home = MemberHome(member=member, contribution=contribution_held(member))
    home.group_name, home.group_overdue = _group_standing(member, today)
    loan = current_loan(member)
    home.loan = loan
    if loan is None:
        home.policy = effective_policy(member.association)
        home.first_loan = not household_loans(member).filter(status__in=EVER_LENT).exists()
        return home
    if loan.status in LENT_STATUSES:
        home.lent = True
        home.owed = owed_today(loan, today)
        if loan.oldest_unpaid_due_on and loan.oldest_unpaid_due_on < today:
            home.days_overdue = (today - loan.oldest_unpaid_due_on).days
        home.next = _next_instalment(loan, today)
    return home


def _next_instalment(loan: Loan, today: datetime.date) -> NextInstalment | None:
    """The next unpaid instalment due today or later: what it will cost on its due date."""
    upcoming = (
        Instalment.objects.filter(loan=loan, due_on__gte=today)
        .exclude(principal_paid=F("principal"))
        .order_by("number")
        .first()
    )
    if upcoming is None:
        return None
    owed = owed_today(loan, upcoming.due_on)
    principal = upcoming.principal - upcoming.principal_paid
    # Overdue instalments before it are shown apart (days overdue, to pay today).
    fees = owed.usage_fee
    return NextInstalment(upcoming.due_on, principal, fees, principal + fees)


def _group_standing(member: Member, today: datetime.date) -> tuple[str, bool | None]:
    """The household's active group and whether any of its households is overdue now."""
    membership = (
        GroupMembership.objects.filter(
            member=member, left_on__isnull=True, group__status=GroupStatus.ACTIVE
        )
        .select_related("group")
        .first()
    )
    if membership is None:
        return "", None
    households = GroupMembership.objects.filter(
        group=membership.group, left_on__isnull=True
    ).values("member")
    overdue = Loan.objects.filter(
        member__in=households,
        status__in=sorted(LENT_STATUSES),
        oldest_unpaid_due_on__lt=today,
    ).exists()
    return membership.group.name, overdue


@dataclass(frozen=True)
class ScheduleCard:
    number: int
    due_on: datetime.date
    principal: Decimal
    paid: Decimal
    unpaid: Decimal
    status: str
    days_overdue: int

    @property
    def status_label(self) -> str:
        return str(InstalmentStatus(self.status).label)


def schedule_cards(loan: Loan, *, today: datetime.date) -> list[ScheduleCard]:
    """Each instalment with its state, from the stored figures (no replay)."""
    cards = []
    for row in Instalment.objects.filter(loan=loan).order_by("number"):
        unpaid = row.principal - row.principal_paid
        if unpaid == ZERO:
            status = InstalmentStatus.PAID
        elif loan.status == S.WRITTEN_OFF or today > row.due_on:
            status = InstalmentStatus.OVERDUE
        elif today == row.due_on:
            status = InstalmentStatus.DUE
        else:
            status = InstalmentStatus.UPCOMING
        days = (today - row.due_on).days if status == InstalmentStatus.OVERDUE else 0
        cards.append(
            ScheduleCard(
                row.number, row.due_on, row.principal, row.principal_paid, unpaid, status, days
            )
        )
    return cards


def household_repayments(member: Member) -> QuerySet[Repayment]:
    return (
        Repayment.objects.filter(loan__member=member)
        .select_related("loan", "loan__association")
        .order_by("-paid_on", "-id")
    )


@dataclass
class Statement:
    member: Member
    on: datetime.date
    contribution: Decimal
    loans: list[Loan] = field(default_factory=list)
    paid_principal: Decimal = ZERO
    paid_usage_fee: Decimal = ZERO
    paid_overdue_fee: Decimal = ZERO
    repayments: int = 0


def member_statement(member: Member, *, on: datetime.date) -> Statement:
    statement = Statement(member=member, on=on, contribution=contribution_held(member))
    statement.loans = list(
        household_loans(member).filter(status__in=EVER_LENT).order_by("disbursed_on", "pk")
    )
    totals = Repayment.objects.filter(loan__member=member, reversal_entry__isnull=True).aggregate(
        p=Sum("principal"), u=Sum("usage_fee"), o=Sum("overdue_fee")
    )
    statement.paid_principal = totals["p"] or ZERO
    statement.paid_usage_fee = totals["u"] or ZERO
    statement.paid_overdue_fee = totals["o"] or ZERO
    statement.repayments = Repayment.objects.filter(
        loan__member=member, reversal_entry__isnull=True
    ).count()
    return statement


@dataclass(frozen=True)
class NoticeRow:
    name: str
    masked_id: str
    amount: Decimal
    term_months: int
    purpose: str
    notice_ends_on: datetime.date | None


def public_notices(member: Member) -> list[NoticeRow]:
    """Loans of the household's association now in public notice (公示), as the notice board
    shows them. Deliberately not through `visible_to`: the notice is public in the village."""
    loans = (
        Loan.objects.filter(association_id=member.association_id, status=S.IN_NOTICE)
        .select_related("member", "purpose")
        .order_by("notice_ends_on", "pk")
    )
    return [
        NoticeRow(
            name=loan.member.name,
            masked_id=mask_id_number(loan.member.id_number),
            amount=loan.amount,
            term_months=loan.term_months,
            purpose=str(loan.purpose),
            notice_ends_on=loan.notice_ends_on,
        )
        for loan in loans
    ]


def yearly_statement(member: Member) -> tuple[SurplusAllocation, list] | None:
    """The association's last approved year-end allocation and its shares."""
    allocation = (
        SurplusAllocation.objects.filter(
            book__association_id=member.association_id, status=ApprovalStatus.APPROVED
        )
        .order_by("-year")
        .first()
    )
    return (allocation, surplus_shares(allocation)) if allocation else None
