"""Demo loans (idempotent). In 三角城村: one repaying on time, one overdue (its group is
stopped), one in public notice and one waiting in the committee's inbox. In every village of
the demo county: two years of history up to today, driven through the services with their
explicit dates — repaid on time and late, extended, written off, overdue now (some over 30
days), a write-off waiting for the committee, applications at every stage and a waitlist."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from associations.demo import DEMO_VILLAGE, demo_staff, history_villages
from associations.models import Association, Member, Role, User
from funds.journal import account_balance, book_for_association, lowest_balance_from
from funds.models import Book
from guarantees.models import GroupMembership, GroupStatus, GuaranteeGroup
from loans.models import Loan, LoanPurpose
from loans.selectors import loans as loan_selectors
from loans.services import applications, money
from loans.workflow import ACTIVE_STATUSES, LENT_STATUSES
from mutualaid.money import ZERO

D = datetime.date


def _users() -> dict[str, User]:
    names = ["clerk_sanjiaocheng", "board_sanjiaocheng", "committee_chengguan", "station_chengguan"]
    return {u.username.split("_")[0]: u for u in User.objects.filter(username__in=names)}


def _apply(name, group_name, amount, purpose, kind, users):
    member = Member.objects.get(association__area_id=DEMO_VILLAGE, name=name)
    return applications.loan_apply(
        association=member.association,
        member=member,
        amount=Decimal(amount),
        term_months=12,
        purpose=LoanPurpose.objects.get(code=purpose),
        schedule_kind=kind,
        guarantee_kind="group",
        by=users["clerk"],
        group=GuaranteeGroup.objects.get(association=member.association, name=group_name),
    )


def _through_committee(loan, users, approved_on):
    applications.loan_submit(loan=loan, by=users["clerk"])
    applications.loan_board_review(loan=loan, by=users["board"], reason="理事会初审同意")
    applications.loan_approve(loan=loan, by=users["committee"], on=approved_on)


def _disbursed(loan, users, approved_on, disbursed_on):
    _through_committee(loan, users, approved_on)
    applications.notices_expire(today=disbursed_on)
    loan.refresh_from_db()
    return money.loan_disburse(loan=loan, by=users["station"], on=disbursed_on, into="bank")


@transaction.atomic
def load_demo_loans() -> None:
    if not Loan.objects.filter(association__area_id=DEMO_VILLAGE).exists():
        _demo_village_loans()
        today = timezone.localdate()
        association = Association.objects.get(area_id=DEMO_VILLAGE)
        _stamp(association, today)
        _reversal_asked(association)
    if settings.DEMO_HISTORY:
        _load_history()


def _close_old_months(v: "_Village") -> None:
    """The station has closed the village's books through the month before last; last month
    waits for its close, as it would at the end of a month (the station's home shows it)."""
    from funds.journal import month_close

    before_last = v.today.replace(day=1) - relativedelta(months=1)
    through = before_last - datetime.timedelta(days=1)
    if v.book.closed_through is None or v.book.closed_through < through:
        month_close(book=v.book, month=through.replace(day=1), by=v.users["station"])


def _reversal_asked(association: Association) -> None:
    """The clerk asks the station to reverse the village's latest repayment: the station's
    queue of reversals requested has something in it."""
    from loans.models import Repayment
    from loans.services.reversal_requests import reversal_request

    latest = (
        Repayment.objects.filter(loan__association=association, reversal_entry__isnull=True)
        .order_by("-paid_on", "-pk")
        .first()
    )
    if latest is not None:
        reversal_request(
            repayment=latest, by=_users()["clerk"], reason="收据金额与录入不一致，请核对后冲正"
        )


def _demo_village_loans() -> None:
    users = _users()
    overdue = _apply("陈德胜", "二组联保小组", "10000", "orchards", "lump_sum", users)
    _disbursed(overdue, users, D(2025, 5, 25), D(2025, 6, 1))  # fell due 2026-06-01
    on_time = _apply("马福海", "一组联保小组", "8000", "livestock", "monthly", users)
    on_time = _disbursed(on_time, users, D(2026, 3, 2), D(2026, 3, 10))
    for number, instalment in enumerate(on_time.instalments.order_by("number"), start=1):
        if instalment.due_on > datetime.date.today():
            break
        owed = loan_selectors.owed_today(on_time, instalment.due_on)
        money.repayment_record(
            loan=on_time,
            amount=owed.due_now,
            paid_on=instalment.due_on,
            by=users["clerk"],
            token=f"demo-{on_time.pk}-{number}",
        )
    in_notice = _apply("张三", "一组联保小组", "5000", "crops", "lump_sum", users)
    _through_committee(in_notice, users, datetime.date.today())
    waiting = _apply("李秀兰", "一组联保小组", "6000", "small_trade", "quarterly", users)
    applications.loan_submit(loan=waiting, by=users["clerk"])
    applications.loan_board_review(loan=waiting, by=users["board"], reason="理事会初审同意")


# --- two years of history in the demo county ------------------------------------------------

HISTORY_GROUP_PREFIX = "第"  # the groups guarantees.demo forms for the history
PURPOSES = ["livestock", "crops", "orchards", "small_trade", "processing", "marketing"]
# One story per grouped household, in turn (see _stories).
CYCLE = [
    "two_loans", "late_closed", "due_soon", "lump_current", "extended", "extended_repaid",
    "overdue_long", "overdue_short", "written_off", "monthly_current", "late_current", "pending",
]  # fmt: skip
# Today's applications per village of the county (in village order), as far as they have got.
PENDING = [
    ["draft", "submitted", "ready", "in_notice"],
    ["board_reviewed", "in_notice", "draft", "ready"],
    ["ready", "submitted", "board_reviewed", "draft"],
    ["in_notice", "draft", "submitted", "ready"],
    ["board_reviewed", "ready", "in_notice", "submitted"],
    ["submitted", "in_notice", "draft", "board_reviewed"],
]


@dataclass
class _Village:
    association: Association
    number: int
    users: dict[str, User]
    today: datetime.date
    book: Book
    groups_with_overdue: set = field(default_factory=set)


def _staff(area_code: str, role: str) -> User:
    user = demo_staff(area_code, role)
    if user is None:  # associations.demo creates them before any loader runs
        raise LookupError(f"no demo user holds {role} at {area_code}")
    return user


def _months_ago(today: datetime.date, months: int, day: int) -> datetime.date:
    return datetime.date(today.year, today.month, min(day, 28)) - relativedelta(months=months)


def _into(v: _Village, on: datetime.date, amount: Decimal, keep: Decimal) -> str | None:
    """The account (cash first, then bank) that can pay `amount` on `on` without any later
    day falling below zero — the bank keeping `keep` for the loans still to come (only
    disbursements draw on it); None when neither can."""
    for key, reserve in (("cash", ZERO), ("bank", keep)):
        account = v.book.accounts.get(key=key)
        balance = account_balance(account, through=on - datetime.timedelta(days=1))
        lowest = lowest_balance_from(account, on)
        if min(balance, lowest[0] if lowest else balance) - reserve >= amount:
            return key
    return None


def _history_apply(v: _Village, member, group, amount, kind, term=12) -> Loan:
    return applications.loan_apply(
        association=v.association,
        member=member,
        amount=Decimal(amount),
        term_months=term,
        purpose=LoanPurpose.objects.get(code=PURPOSES[member.pk % len(PURPOSES)]),
        schedule_kind=kind,
        guarantee_kind="group",
        by=v.users["clerk"],
        group=group,
    )


def _lend(
    v: _Village, member, group, *, amount, kind, disbursed_on, term=12, keep=ZERO
) -> Loan | None:
    """A loan from application to disbursement on `disbursed_on`; None (and nothing written)
    when the association's money, less `keep`, does not cover it on that day."""
    amount = Decimal(amount)
    into = _into(v, disbursed_on, amount, keep)
    if into is None or loan_selectors.lendable_cash(v.association) - keep < amount:
        return None
    loan = _history_apply(v, member, group, amount, kind, term)
    applications.loan_submit(loan=loan, by=v.users["clerk"])
    applications.loan_board_review(loan=loan, by=v.users["board"], reason="理事会初审同意")
    applications.loan_approve(
        loan=loan, by=v.users["committee"], on=disbursed_on - datetime.timedelta(days=6)
    )
    applications.notices_expire(today=disbursed_on)
    loan.refresh_from_db()
    return money.loan_disburse(loan=loan, by=v.users["station"], on=disbursed_on, into=into)


def _pay(v: _Village, loan: Loan, *, late=lambda n: 0, until=None, payoff_on=None) -> None:
    """Pay each instalment `late(n)` days after its due date, up to `until` (today)."""
    until = until or v.today
    for instalment in loan.instalments.order_by("number"):
        paid_on = instalment.due_on + datetime.timedelta(days=late(instalment.number))
        if instalment.due_on > until or paid_on > v.today:
            break
        owed = loan_selectors.owed_today(loan, paid_on)
        money.repayment_record(
            loan=loan,
            amount=owed.due_now,
            paid_on=paid_on,
            by=v.users["clerk"],
            token=f"demo-{loan.pk}-{instalment.number}",
        )
        loan.refresh_from_db()
    if payoff_on is not None and loan.status in LENT_STATUSES:
        money.repayment_record(
            loan=loan,
            amount=loan_selectors.owed_today(loan, payoff_on).payoff,
            paid_on=payoff_on,
            by=v.users["clerk"],
            token=f"demo-{loan.pk}-payoff",
        )


def _extend(v: _Village, loan: Loan, *, extra_months: int = 6) -> Loan:
    last = loan.instalments.order_by("-number").first()
    assert last is not None  # a lent loan has its schedule
    maturity = last.due_on
    return money.loan_extend(
        loan=loan,
        by=v.users["committee"],
        on=maturity - relativedelta(months=1),
        new_maturity=maturity + relativedelta(months=extra_months),
    )


def _first_amount(i: int) -> int:
    return 3000 + (i * 3) % 8 * 1000  # 3,000–10,000: a household's first loan


def _second_amount(i: int) -> int:
    return 8000 + (i * 5) % 7 * 2000  # 8,000–20,000


def _load_history() -> None:
    today = timezone.localdate()
    for number, village in enumerate(history_villages()):
        association = Association.objects.get(area=village)
        if Loan.objects.filter(
            association=association, group__name__startswith=HISTORY_GROUP_PREFIX
        ).exists():
            continue
        users = {
            "clerk": _staff(village.code, Role.VILLAGE_CLERK),
            "board": _staff(village.code, Role.VILLAGE_BOARD),
            "committee": _staff(str(village.parent_id), Role.TOWNSHIP_COMMITTEE),
            "station": _staff(str(village.parent_id), Role.TOWNSHIP_STATION),
        }
        v = _Village(association, number, users, today, book_for_association(association))
        _village_history(v)
        _stamp(v.association, v.today)
        _close_old_months(v)


def _at(day: datetime.date, hour: int, seconds: int = 0) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(hour)) + datetime.timedelta(
        seconds=seconds
    )
    return timezone.make_aware(moment)


def _stamp(association: Association, today: datetime.date) -> None:
    """The demo's past is written today through the services, which stamp every record with
    the time it is written. Give the loans' records the time they happened instead: a
    repayment on the day paid, a loan's steps on the days they took (the application ten days
    before the payout, the approval six days before, the first and the last repayment for
    repaying and closed). Journal entries keep the moment they were recorded: the journal is
    append-only (a PostgreSQL trigger), and each entry shows its own date."""
    from loans.models import LoanTransition, Repayment
    from loans.workflow import LoanStatus as S

    loans = Loan.objects.filter(association=association, disbursed_on__isnull=False)
    loans = loans.prefetch_related("transitions", "repayments")
    repayments, transitions = [], []
    for loan in loans:
        assert loan.disbursed_on is not None  # filtered above
        paid = sorted(loan.repayments.all(), key=lambda r: (r.paid_on, r.pk))
        for n, repayment in enumerate(paid):
            repayment.recorded_at = _at(repayment.paid_on, 10, n)
            repayments.append(repayment)
        paid_days = [r.paid_on for r in paid] or [loan.disbursed_on]
        start = loan.disbursed_on - datetime.timedelta(days=10)
        days: dict[str, datetime.date] = {
            S.SUBMITTED: start,
            S.BOARD_REVIEWED: start + datetime.timedelta(days=2),
            S.APPROVED: loan.disbursed_on - datetime.timedelta(days=6),
            S.IN_NOTICE: loan.disbursed_on - datetime.timedelta(days=6),
            S.READY: loan.disbursed_on,
            S.WAITLISTED: start,
            S.DISBURSED: loan.disbursed_on,
            S.REPAYING: paid_days[0],
            S.CLOSED: paid_days[-1],
        }
        for n, step in enumerate(sorted(loan.transitions.all(), key=lambda t: t.pk)):
            day = days.get(step.to_status)
            if day is not None and day < today:
                step.at = _at(day, 9, n)
                transitions.append(step)
    Repayment.objects.bulk_update(repayments, ["recorded_at"], batch_size=500)
    LoanTransition.objects.bulk_update(transitions, ["at"], batch_size=500)


def _households(v: _Village) -> list[tuple[int, Member, GuaranteeGroup]]:
    rows = (
        GroupMembership.objects.filter(
            group__association=v.association,
            group__name__startswith=HISTORY_GROUP_PREFIX,
            group__status=GroupStatus.ACTIVE,
            left_on__isnull=True,
        )
        .select_related("member", "group")
        .order_by("group_id", "pk")
    )
    return [(i, row.member, row.group) for i, row in enumerate(rows)]


def _village_history(v: _Village) -> None:
    """Past loans first (in order of disbursement), then today's applications, then the loans
    overdue now (whose groups are stopped from then on), new loans until the money is used,
    and the applications that wait for funds."""
    today, stories = v.today, {}
    overdue_groups: set[int] = set()
    for i, member, group in _households(v):
        story = CYCLE[(i + v.number * 5) % len(CYCLE)]
        cycle = i // len(CYCLE)
        if story in ("overdue_long", "overdue_short"):
            if group.pk in overdue_groups or cycle > 1:
                story = "monthly_current"
            else:
                overdue_groups.add(group.pk)
        if story == "written_off" and cycle > 0:
            story = "late_current"
        stories[member.pk] = (i, story, member, group)

    # (disbursed_on, order, member, group, amount, kind, then)
    past: list[tuple[datetime.date, int, Member, GuaranteeGroup, int, str, str | None]] = []
    for i, story, member, group in stories.values():
        day = 3 + (i * 7) % 24
        first = _first_amount(i)
        if story == "two_loans":
            past.append((_months_ago(today, 23, day), i, member, group, first, "quarterly", None))
            past.append(
                (
                    _months_ago(today, 10, day),
                    i,
                    member,
                    group,
                    _second_amount(i),
                    "quarterly",
                    None,
                )
            )
        elif story == "late_closed":
            past.append((_months_ago(today, 21, day), i, member, group, first, "quarterly", "late"))
        elif story == "due_soon":
            disbursed = today + datetime.timedelta(days=2 + i % 5) - relativedelta(months=5)
            past.append((disbursed, i, member, group, first, "quarterly", None))
        elif story == "lump_current":
            past.append((_months_ago(today, 8, day), i, member, group, first, "lump_sum", None))
        elif story == "extended":
            past.append(
                (_months_ago(today, 14, day), i, member, group, first, "lump_sum", "extend")
            )
        elif story == "extended_repaid":
            past.append(
                (_months_ago(today, 22, day), i, member, group, first, "lump_sum", "extend_pay")
            )
        elif story == "written_off":
            past.append(
                (_months_ago(today, 23, day), i, member, group, first, "monthly", "write_off")
            )
        elif story == "monthly_current":
            past.append((_months_ago(today, 11, day), i, member, group, first, "quarterly", None))
        elif story == "late_current":
            past.append(
                (_months_ago(today, 9, day), i, member, group, first, "quarterly", "late_current")
            )
    # Kept for the loans overdue now, lent last.
    keep = sum(
        (Decimal(_first_amount(i)) for i, story, *_r in stories.values() if "overdue" in story),
        ZERO,
    )
    for disbursed_on, i, member, group, amount, kind, then in sorted(past, key=lambda r: r[:2]):
        loan = _lend(
            v, member, group, amount=amount, kind=kind, disbursed_on=disbursed_on, keep=keep
        )
        if loan is not None:
            _past_story(v, loan, then, i)

    # Today's applications, at every stage before disbursement.
    pending = [s for s in stories.values() if s[1] == "pending"]
    waiting = [s for s in pending if s[3].pk not in overdue_groups][: 1 + v.number % 2]
    free = [s for s in pending if s not in waiting]
    for (i, _story, member, group), stage in zip(
        free, PENDING[v.number % len(PENDING)], strict=False
    ):
        _application(v, member, group, _first_amount(i), stage)

    # Overdue now: a group with one of these gets no new loan from here on (group stop).
    for i, story, member, group in stories.values():
        if story == "overdue_long" and v.number % 2 == 0 and i < len(CYCLE):
            loan = _lend(
                v, member, group, amount=_first_amount(i), kind="monthly",
                disbursed_on=_months_ago(today, 20, 5),
            )  # fmt: skip
            if loan is not None:  # 19 months unpaid: the board proposes the write-off
                money.write_off_propose(
                    loan=loan,
                    by=v.users["board"],
                    reason="借款户外出务工失联，逾期超过12个月，小组代偿未果",
                    on=today - datetime.timedelta(days=10),
                )
        elif story == "overdue_long":
            _lend(
                v, member, group, amount=_first_amount(i), kind="lump_sum",
                disbursed_on=_months_ago(today, 15, 3 + i % 20),
            )  # fmt: skip
        elif story == "overdue_short":
            disbursed = today - datetime.timedelta(days=15) - relativedelta(months=6)
            loan = _lend(
                v, member, group, amount=_first_amount(i), kind="quarterly", disbursed_on=disbursed
            )
            if loan is not None:
                _pay(v, loan, until=today - datetime.timedelta(days=25))

    # New loans of the last two months until the money is used (demand exceeds the fund).
    lent = set(
        Loan.objects.filter(
            association=v.association, status__in=sorted(ACTIVE_STATUSES | {"written_off"})
        ).values_list("member_id", flat=True)
    )
    waiting_ids = {s[2].pk for s in waiting}
    for i, _story, member, group in stories.values():
        if member.pk in lent or member.pk in waiting_ids or group.pk in overdue_groups:
            continue
        room = loan_selectors.lendable_cash(v.association) - 2000
        lend = min(Decimal(_first_amount(i) + 3000), room // 1000 * 1000)
        if Loan.objects.filter(member=member, status="closed").exists() is False:
            lend = min(lend, Decimal(10000))
        if lend < 3000:
            break
        disbursed = today - datetime.timedelta(days=20 + i % 30)
        loan = _lend(v, member, group, amount=lend, kind="quarterly", disbursed_on=disbursed)
        if loan is not None:
            _pay(v, loan)

    # Unmet demand: these applications wait for funds.
    for i, _story, member, group in waiting:
        room = loan_selectors.lendable_cash(v.association)
        asked = max(Decimal(_first_amount(i)), (room // 1000 + 1) * 1000)
        _application(v, member, group, min(asked, Decimal(10000)), "submitted")


def _past_story(v: _Village, loan: Loan, then: str | None, i: int) -> None:
    today = v.today
    if then is None:
        _pay(v, loan)
    elif then == "late":
        _pay(v, loan, late=lambda n: 10 + (n * 5 + i) % 20)
    elif then == "late_current":
        cutoff = today - datetime.timedelta(days=30)
        dues = dict(loan.instalments.values_list("number", "due_on"))
        _pay(v, loan, late=lambda n: 5 + (n * 7 + i) % 18 if dues[n] <= cutoff else 0)
    elif then == "extend":
        _extend(v, loan)
    elif then == "extend_pay":
        loan = _extend(v, loan)
        _pay(v, loan)
    elif then == "write_off":
        _pay(v, loan, until=loan.disbursed_on + relativedelta(months=2))
        oldest = loan.disbursed_on + relativedelta(months=3)
        proposed_on = oldest + relativedelta(months=12) + datetime.timedelta(days=15)
        write_off = money.write_off_propose(
            loan=loan, by=v.users["board"], reason="借款户因病致贫，无力偿还，小组代偿后仍有余额",
            on=proposed_on,
        )  # fmt: skip
        money.write_off_approve(
            write_off=write_off,
            by=v.users["committee"],
            on=proposed_on + datetime.timedelta(days=10),
        )


def _application(v: _Village, member, group, amount, stage: str) -> Loan:
    """An application of today, taken as far as `stage`."""
    loan = _history_apply(v, member, group, amount, "monthly")
    if stage == "draft":
        return loan
    applications.loan_submit(loan=loan, by=v.users["clerk"])
    if stage == "submitted":
        return loan
    applications.loan_board_review(loan=loan, by=v.users["board"], reason="理事会初审同意")
    if stage == "board_reviewed":
        return loan
    approved_on = v.today - datetime.timedelta(days=5) if stage == "ready" else v.today
    applications.loan_approve(loan=loan, by=v.users["committee"], on=approved_on)
    applications.notices_expire(today=v.today)
    return loan
