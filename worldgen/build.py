"""The generator: areas, staff, associations and their members, groups, capital, expenses,
loans through every state, repayments and month closes, written one township at a time.

Every association is simulated on its own random stream (seed and village code), event by
event in date order, so cash and bank never go below zero on any day, a loan is paid out only
when the association's cash covers it (otherwise it waits), a group whose member is overdue
gets no new loan, and each repayment is split by loans.domain.allocation exactly as
repayment_record splits it. The stored figures come from loans.services.figures.
"""

import datetime
import heapq
import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from stdnum.cn import ric

from associations.households import pinyin_keys
from associations.models import (
    Area,
    Association,
    Member,
    Role,
    RoleAssignment,
    User,
    VillageGroup,
)
from funds.chart import CHART
from funds.models import (
    Account,
    Book,
    CapitalContribution,
    Expense,
    JournalEntry,
    JournalLine,
    MonthClose,
)
from guarantees.models import GroupMembership, GuaranteeGroup, PersonalGuarantee, Placement
from loans.domain import schedules
from loans.domain.allocation import Allocation, allocate
from loans.domain.fees import LoanState, LoanTerms, amount_owed
from loans.models import (
    Instalment,
    Loan,
    LoanPolicy,
    LoanPurpose,
    LoanTransition,
    Repayment,
    WriteOff,
)
from loans.services.figures import instalment_figures
from worldgen.places import DONORS, GANSU, GIVEN, PARTNERS, PLACE_HEADS, SURNAMES
from worldgen.write import Ids, Table, write

ZERO = Decimal("0.00")
TZ = ZoneInfo("Asia/Shanghai")
RATE, MULTIPLIER = Decimal("0.0600"), Decimal("1.50")
DIGITS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Config:
    seed: int
    today: datetime.date
    start: datetime.date
    members: int
    max_amount: Decimal = Decimal("20000.00")
    first_max: Decimal = Decimal("10000.00")
    terms: tuple[int, ...] = (12, 12, 12, 6, 18, 24)
    government: tuple[int, int] | None = None  # fixed (low, high) in yuan, or by village size
    poor_groups: bool = False  # preset: groups of leaders and registered-poor households
    password: str = "world-pass-123"


@dataclass
class CountyPlan:
    city: tuple[str, str]
    county: tuple[str, str]
    villages_by_township: list[int]


# --- the area plan --------------------------------------------------------------------------


def county_plans(counties: int, townships: int, villages: int) -> list[CountyPlan]:
    """The first `counties` counties of Gansu (synthetic codes 6201xx.. past the real ones)."""
    real = [(c[:2], (code, name)) for c in GANSU for code, name in c[2]]
    plans = []
    for index in range(counties):
        if index < len(real):
            (city_code, city_name, _list), county = _city_of(real[index][1][0]), real[index][1]
        else:
            city_code, city_name, _list = GANSU[index % len(GANSU)]
            county = (f"{city_code[:4]}{40 + index // len(GANSU):02d}", f"新设{index}县")
        plans.append(CountyPlan((city_code, city_name), county, [villages] * townships))
    return plans


def _city_of(county_code: str) -> tuple[str, str, list[tuple[str, str]]]:
    return next(c for c in GANSU if c[0][:4] == county_code[:4])


def lanzhou_plans() -> list[CountyPlan]:
    """兰州市's 2017 pilot: 120 villages over its six rural counties and districts."""
    spread = {"620121": 34, "620122": 20, "620123": 40, "620111": 10, "620103": 8, "620104": 8}
    city = GANSU[0]
    plans = []
    for code, name in city[2]:
        count, towns = spread[code], max(2, spread[code] // 8)
        per = [count // towns + (1 if i < count % towns else 0) for i in range(towns)]
        plans.append(CountyPlan((city[0], city[1]), (code, name), per))
    return plans


# --- helpers ----------------------------------------------------------------------------------


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + relativedelta(months=1)) - datetime.timedelta(days=1)


def yuan(value: int | float) -> Decimal:
    return Decimal(int(value)).quantize(Decimal("0.01"))


_PINYIN: dict[str, tuple[str, str]] = {}


def _pinyin(name: str) -> tuple[str, str]:
    if name not in _PINYIN:
        _PINYIN[name] = pinyin_keys(name)
    return _PINYIN[name]


class Tables:
    """One township's rows, table by table, in insertion order."""

    def __init__(self) -> None:
        self.user = Table(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "session_generation",
            ],
        )
        self.role = Table(RoleAssignment, ["id", "user", "role", "area", "created_at"])
        self.association = Table(
            Association,
            [
                "id",
                "area",
                "name",
                "founded_on",
                "party_secretary",
                "board_chair",
                "supervisory_chair",
                "total_households",
                "registered_poor_households",
                "status",
            ],
        )
        self.village_group = Table(VillageGroup, ["id", "association", "name"])
        self.member = Table(
            Member,
            [
                "id",
                "association",
                "name",
                "id_number",
                "gender",
                "birth_date",
                "mobile",
                "village_group",
                "household_size",
                "labourers",
                "poverty_status",
                "is_party_member",
                "is_wealth_leader",
                "joined_on",
                "status",
                "exit_reason",
                "pinyin_full",
                "pinyin_initials",
                "created_at",
            ],
        )
        self.group = Table(GuaranteeGroup, ["id", "association", "name", "formed_on", "status"])
        self.membership = Table(GroupMembership, ["id", "group", "member", "role", "joined_on"])
        self.personal = Table(
            PersonalGuarantee, ["id", "association", "borrower", "guarantor", "agreed_on", "note"]
        )
        self.placement = Table(
            Placement,
            [
                "id",
                "association",
                "member",
                "partner_kind",
                "partner_name",
                "agreed_on",
                "dividend_terms",
                "end_reason",
            ],
        )
        self.book = Table(Book, ["id", "area", "association", "name"])
        self.account = Table(Account, ["id", "book", "key", "code", "type"])
        self.entry = Table(
            JournalEntry,
            [
                "id",
                "book",
                "date",
                "memo",
                "kind",
                "source_type",
                "source_id",
                "created_by",
                "created_at",
            ],
        )
        self.line = Table(
            JournalLine, ["id", "entry", "book", "date", "account", "debit", "credit"]
        )
        self.capital = Table(
            CapitalContribution,
            [
                "id",
                "book",
                "source",
                "contributor",
                "amount",
                "received_on",
                "into",
                "memo",
                "annual_rate",
                "term_months",
                "subsidy_rate",
                "subsidy_payer",
                "entry",
                "created_by",
            ],
        )
        self.expense = Table(
            Expense,
            [
                "id",
                "book",
                "category",
                "payee",
                "receipt_number",
                "amount",
                "spent_on",
                "advanced_by",
                "memo",
                "approver_level",
                "status",
                "recorded_by",
                "decided_by",
                "decided_at",
                "entry",
                "reimbursed_on",
                "reimbursement_entry",
            ],
        )
        self.month_close = Table(MonthClose, ["id", "book", "month_end", "closed_by", "closed_at"])
        self.loan = Table(
            Loan,
            [
                "id",
                "association",
                "member",
                "amount",
                "term_months",
                "purpose",
                "schedule_kind",
                "custom_rows",
                "guarantee_kind",
                "group",
                "guarantor",
                "placement",
                "status",
                "waited_at",
                "fee_rate",
                "fee_method",
                "overdue_multiplier",
                "notice_ends_on",
                "disbursed_on",
                "extensions",
                "entered_by",
                "submitted_by",
                "approved_by",
                "created_at",
                "principal_outstanding",
                "oldest_unpaid_due_on",
            ],
        )
        self.instalment = Table(
            Instalment,
            [
                "id",
                "loan",
                "number",
                "due_on",
                "principal",
                "principal_paid",
                "paid_by_due",
                "paid_on",
            ],
        )
        self.repayment = Table(
            Repayment,
            [
                "id",
                "loan",
                "paid_on",
                "amount",
                "overdue_fee",
                "usage_fee",
                "principal",
                "token",
                "entry",
                "recorded_by",
                "recorded_at",
                "reversal_reason",
            ],
        )
        self.transition = Table(
            LoanTransition, ["id", "loan", "from_status", "to_status", "by", "at", "reason"]
        )
        self.write_off = Table(
            WriteOff,
            [
                "id",
                "loan",
                "reason",
                "proposed_by",
                "proposed_at",
                "approved_by",
                "principal",
                "from_reserve",
                "entry",
            ],
        )

    def in_order(self) -> list[Table]:
        return [
            self.user,
            self.role,
            self.association,
            self.village_group,
            self.member,
            self.group,
            self.membership,
            self.personal,
            self.placement,
            self.book,
            self.account,
            self.entry,
            self.line,
            self.capital,
            self.expense,
            self.month_close,
            self.loan,
            self.instalment,
            self.repayment,
            self.transition,
            self.write_off,
        ]


class Allocator:
    def __init__(self) -> None:
        self.user, self.role, self.association = Ids(User), Ids(RoleAssignment), Ids(Association)
        self.village_group, self.member = Ids(VillageGroup), Ids(Member)
        self.group, self.membership = Ids(GuaranteeGroup), Ids(GroupMembership)
        self.personal, self.placement = Ids(PersonalGuarantee), Ids(Placement)
        self.book, self.account = Ids(Book), Ids(Account)
        self.entry, self.line = Ids(JournalEntry), Ids(JournalLine)
        self.capital, self.expense, self.month_close = (
            Ids(CapitalContribution),
            Ids(Expense),
            Ids(MonthClose),
        )
        self.loan, self.instalment, self.repayment = Ids(Loan), Ids(Instalment), Ids(Repayment)
        self.transition, self.write_off = Ids(LoanTransition), Ids(WriteOff)


# --- one association ------------------------------------------------------------------------


@dataclass
class Person:
    id: int
    name: str
    poverty: str
    leader: bool
    joined: datetime.date
    group: int | None = None
    loans: list["LoanSim"] = field(default_factory=list)
    placement: int | None = None
    borrowed: bool = False


@dataclass
class LoanSim:
    id: int
    person: Person
    amount: Decimal
    term: int
    kind: str
    behaviour: str
    applied: datetime.date
    guarantee: tuple[str, int | None, int | None, int | None]
    purpose: int
    rows: list[list[str]] = field(default_factory=list)
    status: str = "draft"
    waited_at: str = ""
    approved_on: datetime.date | None = None
    disbursed_on: datetime.date | None = None
    schedule: list[schedules.Instalment] = field(default_factory=list)
    payments: list[tuple[datetime.date, Allocation]] = field(default_factory=list)
    paid_in_full: list[datetime.date | None] = field(default_factory=list)
    extended: bool = False
    written_off_on: datetime.date | None = None

    def overdue_on(self, day: datetime.date) -> bool:
        """Some instalment due before `day` not yet paid in full on `day`."""
        if self.disbursed_on is None or self.status in ("closed_pending",):
            return False
        if self.written_off_on is not None and self.written_off_on <= day:
            return False
        for instalment, paid_on in zip(self.schedule, self.paid_in_full, strict=True):
            if instalment.due_on < day and (paid_on is None or paid_on > day):
                return True
        return False


class Village:
    """Simulates one association and adds its rows to the township's tables."""

    def __init__(
        self,
        world: "World",
        village: tuple[str, str, int],
        staff: dict[str, int],
        rng: random.Random,
    ) -> None:
        self.world, self.cfg, self.t, self.ids = world, world.cfg, world.tables, world.ids
        self.code, self.name, self.rank = village
        self.staff, self.rng = staff, rng
        self.cash = self.bank = self.reserve = ZERO
        self.events: list[tuple[datetime.date, int, str, Any]] = []
        self.seq = 0

    # -- journal --
    def post(
        self,
        day: datetime.date,
        kind: str,
        memo: str,
        lines: list[tuple[str, Decimal, Decimal]],
        *,
        by: int,
        source: tuple[str, int] | None = None,
    ) -> int:
        entry = self.ids.entry()
        source_type, source_id = source if source else ("", None)
        self.t.entry.add(
            entry, self.book, day, memo[:200], kind, source_type, source_id, by, at(day, 11)
        )
        for key, debit, credit in lines:
            self.t.line.add(self.ids.line(), entry, self.book, day, self.acc[key], debit, credit)
            if key == "cash":
                self.cash += debit - credit
            elif key == "bank":
                self.bank += debit - credit
            elif key == "risk_reserve":
                self.reserve += credit - debit
        assert self.cash >= 0 and self.bank >= 0, (self.code, day, self.cash, self.bank)
        return entry

    def push(self, day: datetime.date, kind: str, payload: Any = None) -> None:
        if day <= self.cfg.today:
            self.seq += 1
            heapq.heappush(self.events, (day, self.seq, kind, payload))

    def transition(
        self, loan: LoanSim, to: str, by: int | None, day: datetime.date, reason: str = ""
    ) -> None:
        self.t.transition.add(
            self.ids.transition(), loan.id, loan.status, to, by, at(day, 15), reason
        )
        loan.status = to

    # -- setup --
    def build(self) -> None:
        rng, cfg, t = self.rng, self.cfg, self.t
        founded = cfg.start + datetime.timedelta(days=rng.randrange(0, 45))
        households = rng.randrange(max(cfg.members + 40, 180), max(cfg.members * 4, 420))
        poor = int(households * rng.uniform(0.18, 0.38))
        self.association = self.ids.association()
        t.association.add(
            self.association,
            self.code,
            f"{self.name}互助协会",
            founded,
            self.world.person_name(rng),
            self.world.person_name(rng),
            self.world.person_name(rng),
            households,
            poor,
            "active",
        )
        self.book = self.ids.book()
        t.book.add(self.book, self.code, self.association, f"{self.name}互助协会")
        self.acc = {}
        for account in CHART:
            self.acc[account.key] = self.ids.account()
            t.account.add(self.acc[account.key], self.book, account.key, account.code, account.type)
        clerk = self.staff["clerk"]
        # Capital by source: government on founding (into the bank), sometimes a donation.
        low, high = cfg.government or (200_000, 500_000)
        government = yuan(low if low == high else rng.randrange(low, high + 1, 50_000))
        self.push(
            founded,
            "capital",
            (
                founded,
                "government",
                "县财政局扶贫资金",
                government,
                "government_capital",
                clerk,
                None,
            ),
        )
        if rng.random() < 0.2:
            donated = yuan(rng.randrange(20_000, 100_001, 10_000))
            day = founded + datetime.timedelta(days=rng.randrange(90, 900))
            if day <= cfg.today:
                source = rng.choice(["enterprise", "paired_unit", "social"])
                self.push(
                    day,
                    "capital",
                    (day, source, rng.choice(DONORS), donated, "donated_capital", clerk, None),
                )
        if rng.random() < 0.05:
            day = founded + datetime.timedelta(days=rng.randrange(180, 720))
            if day <= cfg.today:
                terms = (Decimal("0.0435"), 36, Decimal("0.0435"))
                self.push(
                    day,
                    "capital",
                    (
                        day,
                        "bank_loan",
                        "甘肃省农村信用社",
                        yuan(100_000),
                        "bank_borrowings",
                        clerk,
                        terms,
                    ),
                )
        self.members(founded)
        self.groups(founded)
        self.expenses(founded)
        for person in self.people:
            if rng.random() < 0.8:  # most households borrow; some never do
                self.push(
                    person.joined + datetime.timedelta(days=rng.randrange(20, 200)), "apply", person
                )
        self.run()
        self.close_months(founded)

    def capital(self, _day: datetime.date, payload: tuple[Any, ...]) -> None:
        from funds.models import CapitalSource

        day, source, contributor, amount, account, by, bank = payload

        label = str(CapitalSource(source).label)
        entry = self.post(
            day,
            "capital",
            f"{label}: {contributor}",
            [("bank", amount, ZERO), (account, ZERO, amount)],
            by=by,
        )
        rate, months, subsidy = bank or (None, None, None)
        self.t.capital.add(
            self.ids.capital(),
            self.book,
            source,
            contributor,
            amount,
            day,
            "bank",
            "",
            rate,
            months,
            subsidy,
            "county" if bank else "",
            entry,
            by,
        )

    def members(self, founded: datetime.date) -> None:
        rng, cfg, t = self.rng, self.cfg, self.t
        groups = []
        for n in range(rng.randrange(4, 9)):
            groups.append(self.ids.village_group())
            t.village_group.add(groups[-1], self.association, f"{DIGITS[n]}组")
        self.people: list[Person] = []
        statuses = ["registered_poor"] * 40 + ["lifted"] * 15 + ["monitored"] * 5
        statuses += ["relatively_poor"] * 5 + ["general"] * 35
        for _n in range(cfg.members):
            name = self.world.person_name(rng)
            male = rng.random() < 0.85
            birth, number = self.world.id_number(self.code[:6], self.rank * 1000 + _n, male)
            late = rng.random() < 0.15
            joined = founded + datetime.timedelta(
                days=rng.randrange(0, 60) if not late else rng.randrange(60, 1500)
            )
            if joined > cfg.today:
                joined = founded
            party, wealth = rng.random() < 0.09, rng.random() < 0.08
            status = (
                "registered_poor"
                if cfg.poor_groups and rng.random() < 0.2
                else rng.choice(statuses)
            )
            size = rng.randrange(1, 8)
            person = Person(self.ids.member(), name, status, party or wealth, joined)
            full, initials = _pinyin(name)
            contribution = yuan(rng.choice([200, 200, 200, 300, 500]))
            t.member.add(
                person.id,
                self.association,
                name,
                number,
                "male" if male else "female",
                birth,
                f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                rng.choice(groups),
                size,
                rng.randrange(0, size + 1),
                status,
                party,
                wealth,
                joined,
                "active",
                "",
                full,
                initials,
                at(joined, 9),
            )
            self.push(joined, "contribute", (person, contribution))
            self.people.append(person)

    def groups(self, founded: datetime.date) -> None:
        """Joint-liability groups: 1–2 leaders (party members or wealth leaders) and 3–5
        households, everyone in at most one group; preset: registered-poor households first."""
        rng, t = self.rng, self.t
        early = [p for p in self.people if p.joined <= founded + datetime.timedelta(days=60)]
        leaders = [p for p in early if p.leader]
        others = [p for p in early if not p.leader]
        if self.cfg.poor_groups:
            others.sort(key=lambda p: p.poverty != "registered_poor")
        else:
            rng.shuffle(others)
        formed = founded + datetime.timedelta(days=61)
        number = 0
        while leaders and len(others) >= 3:
            heads = [leaders.pop()]
            if leaders and rng.random() < 0.3:
                heads.append(leaders.pop())
            size = min(rng.randrange(3, 6), len(others))
            households, others = others[:size], others[size:]
            number += 1
            group = self.ids.group()
            t.group.add(group, self.association, f"第{number}联保小组", formed, "active")
            for role, people in (("leader", heads), ("household", households)):
                for person in people:
                    person.group = group
                    t.membership.add(self.ids.membership(), group, person.id, role, formed)
        self.group_members: dict[int, list[Person]] = {}
        for person in self.people:
            if person.group is not None:
                self.group_members.setdefault(person.group, []).append(person)

    def expenses(self, founded: datetime.date) -> None:
        rng = self.rng
        day = founded + datetime.timedelta(days=rng.randrange(20, 90))
        while day <= self.cfg.today:
            self.push(day, "expense", None)
            day += datetime.timedelta(days=rng.randrange(60, 150))

    # -- the event loop --
    def run(self) -> None:
        handlers: dict[str, Callable[[datetime.date, Any], None]] = {
            "apply": self.apply,
            "disburse": self.disburse,
            "retry": self.retry,
            "repay": self.repay,
            "writeoff": self.write_off,
            "expense": self.expense,
            "reimburse": self.reimburse,
            "capital": self.capital,
            "contribute": self.contribute,
        }
        while self.events:
            day, _seq, kind, payload = heapq.heappop(self.events)
            handlers[kind](day, payload)
        for person in self.people:
            for loan in person.loans:
                self.store(loan)

    def contribute(self, day: datetime.date, payload: tuple[Person, Decimal]) -> None:
        person, contribution = payload
        self.post(
            day,
            "contribution",
            f"{person.name}缴纳互助金",
            [("cash", contribution, ZERO), ("member_contributions", ZERO, contribution)],
            by=self.staff["clerk"],
            source=("associations.member", person.id),
        )

    def expense(self, day: datetime.date, _payload: Any) -> None:
        rng, t = self.rng, self.t
        amount = yuan(rng.choice([60, 120, 180, 300, 450, 800, 1200, 2000]))
        category = rng.choice(["office", "travel", "training", "other"])
        level = "finance_officer" if amount <= 200 else "chair" if amount <= 1000 else "board"
        clerk, board = self.staff["clerk"], self.staff["board"]
        expense = self.ids.expense()
        recent = day > self.cfg.today - datetime.timedelta(days=20)
        if recent and rng.random() < 0.5:  # still waiting for approval
            t.expense.add(
                expense,
                self.book,
                category,
                "村委会",
                "",
                amount,
                day,
                "",
                "",
                level,
                "requested",
                clerk,
                None,
                None,
                None,
                None,
                None,
            )
            return
        advanced = self.cash < amount or rng.random() < 0.25
        payer = self.world.person_name(rng) if advanced else ""
        credit = "advances_payable" if advanced else "cash"
        entry = self.post(
            day,
            "expense",
            f"{category} {amount}",
            [("running_costs", amount, ZERO), (credit, ZERO, amount)],
            by=board,
            source=("funds.expense", expense),
        )
        t.expense.add(
            expense,
            self.book,
            category,
            "村委会",
            f"No.{expense}",
            amount,
            day,
            payer,
            "",
            level,
            "approved",
            clerk,
            board,
            at(day, 16),
            entry,
            None,
            None,
        )
        if advanced:
            self.push(
                day + datetime.timedelta(days=rng.randrange(15, 200)),
                "reimburse",
                (expense, amount, payer),
            )

    def reimburse(self, day: datetime.date, payload: tuple[int, Decimal, str]) -> None:
        expense, amount, payer = payload
        if self.cash < amount:
            self.push(day + datetime.timedelta(days=30), "reimburse", payload)
            return
        entry = self.post(
            day,
            "reimbursement",
            f"归还{payer}垫付",
            [("advances_payable", amount, ZERO), ("cash", ZERO, amount)],
            by=self.staff["board"],
            source=("funds.expense", expense),
        )
        self.world.reimbursed.append((expense, day, entry))

    def apply(self, day: datetime.date, person: Person) -> None:
        rng, cfg = self.rng, self.cfg
        group = self.group_members.get(person.group or -1, [])
        if any(loan.overdue_on(day) for member in group for loan in member.loans[-1:]):
            self.push(day + datetime.timedelta(days=rng.randrange(30, 90)), "apply", person)
            return  # group stop
        first = not person.borrowed
        top = cfg.first_max if first else cfg.max_amount
        amount = yuan(rng.randrange(3, int(top) // 1000 + 1) * 1000)
        term = rng.choice(cfg.terms)
        kind = rng.choices(["lump_sum", "monthly", "quarterly", "custom"], [50, 15, 25, 10])[0]
        if kind == "quarterly" and term % 3:
            kind = "lump_sum"
        if kind == "custom" and term < 6:
            kind = "lump_sum"
        if person.group is not None and rng.random() < 0.9:
            guarantee: tuple[str, int | None, int | None, int | None] = (
                "group",
                person.group,
                None,
                None,
            )
        elif rng.random() < 0.8:
            other = rng.choice([p for p in self.people if p is not person])
            guarantee = ("personal", None, other.id, None)
            self.t.personal.add(self.ids.personal(), self.association, person.id, other.id, day, "")
        else:
            if person.placement is None:
                person.placement = self.ids.placement()
                self.t.placement.add(
                    person.placement,
                    self.association,
                    person.id,
                    rng.choice(["enterprise", "cooperative"]),
                    rng.choice(PARTNERS),
                    day,
                    "年分红不低于入股资金的6%",
                    "",
                )
            guarantee = ("placement", None, None, person.placement)
        poor = person.poverty in ("registered_poor", "monitored")
        behaviour = rng.choices(
            ["good", "late", "payoff", "default", "extend"],
            [80, 11 if poor else 8, 4, 3 if poor else 2, 2],
        )[0]
        if behaviour == "extend" and (kind != "lump_sum" or term > 12):
            behaviour = "good"
        loan = LoanSim(
            self.ids.loan(),
            person,
            amount,
            term,
            kind,
            behaviour,
            day,
            guarantee,
            self.world.purpose(rng),
        )
        if kind == "custom":
            half = (amount / 2).quantize(Decimal("0.01"))
            loan.rows = [["", str(half)], ["", str(amount - half)]]
            self.custom_dates(loan, day + datetime.timedelta(days=14))
        person.loans.append(loan)
        clerk, board, committee = self.staff["clerk"], self.staff["board"], self.staff["committee"]
        self.transition(loan, "submitted", clerk, day)
        reviewed = day + datetime.timedelta(days=rng.randrange(1, 5))
        approved = reviewed + datetime.timedelta(days=rng.randrange(1, 8))
        if reviewed > cfg.today:
            return
        if rng.random() < 0.03:
            self.transition(loan, "rejected", board, reviewed, "申请材料不全，用途不清")
            self.push(reviewed + datetime.timedelta(days=rng.randrange(30, 120)), "apply", person)
            return
        self.transition(loan, "board_reviewed", board, reviewed)
        if approved > cfg.today:
            return
        loan.approved_on = approved
        self.transition(loan, "approved", committee, approved)
        self.transition(loan, "in_notice", committee, approved)
        notice_end = approved + datetime.timedelta(days=3)
        if notice_end >= cfg.today:
            return
        self.transition(loan, "ready", None, notice_end + datetime.timedelta(days=1))
        self.push(notice_end + datetime.timedelta(days=rng.randrange(1, 6)), "disburse", loan)

    def _cover(self, day: datetime.date, amount: Decimal) -> str | None:
        if self.bank >= amount:
            return "bank"
        if self.cash >= amount:
            return "cash"
        if self.cash + self.bank >= amount:
            moved = self.bank
            self.post(
                day,
                "other",
                "银行存款提现",
                [("cash", moved, ZERO), ("bank", ZERO, moved)],
                by=self.staff["clerk"],
            )
            return "cash"
        return None

    def disburse(self, day: datetime.date, loan: LoanSim) -> None:
        group = self.group_members.get(loan.person.group or -1, [])
        if loan.guarantee[0] == "group" and any(
            other.overdue_on(day) for m in group if m is not loan.person for other in m.loans[-1:]
        ):
            self.transition(
                loan, "withdrawn", self.staff["clerk"], day, "联保小组成员逾期，暂停放款"
            )
            self.push(day + datetime.timedelta(days=60), "apply", loan.person)
            return
        into = self._cover(day, loan.amount)
        if into is None:
            loan.waited_at = "ready"
            self.transition(
                loan, "waitlisted", self.staff["station"], day, "可贷资金不足，排队等候"
            )
            self.push(day + datetime.timedelta(days=30), "retry", loan)
            return
        self.pay_out(day, loan, into)

    def retry(self, day: datetime.date, loan: LoanSim) -> None:
        into = self._cover(day, loan.amount)
        if into is None:
            self.push(day + datetime.timedelta(days=30), "retry", loan)
            return
        self.transition(loan, "ready", None, day, "资金到位")
        self.pay_out(day, loan, into)

    def custom_dates(self, loan: LoanSim, day: datetime.date) -> None:
        """Half when the first produce is sold, the rest at maturity (e.g. cattle at month 18)."""
        offset = 3 if loan.term <= 6 else 6
        loan.rows[0][0] = schedules.add_months(day, loan.term - offset).isoformat()
        loan.rows[1][0] = schedules.maturity_date(day, loan.term).isoformat()

    def pay_out(self, day: datetime.date, loan: LoanSim, into: str) -> None:
        station = self.staff["station"]
        loan.person.borrowed = True
        loan.disbursed_on = day
        if loan.kind == "custom":
            self.custom_dates(loan, day)
        loan.schedule = list(
            schedules.build(
                kind=loan.kind,
                principal=loan.amount,
                disbursed_on=day,
                term_months=loan.term,
                rows=schedules.stored_rows(loan.rows),
            )
        )
        self.post(
            day,
            "disbursement",
            f"向{loan.person.name}发放借款",
            [("loans_receivable", loan.amount, ZERO), (into, ZERO, loan.amount)],
            by=station,
            source=("loans.loan", loan.id),
        )
        self.transition(loan, "disbursed", station, day)
        self.plan_payments(loan)

    def plan_payments(self, loan: LoanSim) -> None:
        """Decide when the household pays (by its behaviour) and split each payment now;
        the cash arrives through 'repay' events in date order."""
        rng, cfg = self.rng, self.cfg
        assert loan.disbursed_on is not None
        if loan.behaviour == "extend":
            maturity = loan.schedule[-1].due_on
            cap = schedules.add_months(loan.disbursed_on, 24)
            new = min(cap, schedules.add_months(maturity, rng.choice([6, 12])))
            decided = maturity - datetime.timedelta(days=rng.randrange(5, 40))
            if decided <= cfg.today and decided > loan.disbursed_on:
                loan.schedule[-1] = schedules.Instalment(new, loan.schedule[-1].principal)
                loan.extended = True
                self.t.transition.add(
                    self.ids.transition(),
                    loan.id,
                    loan.status,
                    loan.status,
                    self.staff["committee"],
                    at(decided, 14),
                    f"展期至{new.isoformat()}",
                )
        terms = LoanTerms(
            principal=loan.amount,
            disbursed_on=loan.disbursed_on,
            schedule=tuple(loan.schedule),
            annual_rate=RATE,
            overdue_multiplier=MULTIPLIER,
        )
        state = LoanState.opening(terms)
        last = loan.disbursed_on
        stop = rng.randrange(0, len(loan.schedule)) if loan.behaviour == "default" else None
        payoff_at = rng.randrange(0, len(loan.schedule)) if loan.behaviour == "payoff" else None
        for index, instalment in enumerate(loan.schedule):
            if state.unpaid[index] == ZERO:
                continue
            if stop is not None and index >= stop:
                break
            if loan.behaviour == "late":
                day = instalment.due_on + datetime.timedelta(days=rng.randrange(3, 90))
            elif payoff_at is not None and index == payoff_at:
                day = max(last, loan.disbursed_on) + datetime.timedelta(
                    days=max(1, (instalment.due_on - last).days // 2)
                )
            else:
                day = instalment.due_on - datetime.timedelta(days=rng.randrange(0, 6))
            day = max(day, last + datetime.timedelta(days=1))
            if day > cfg.today:
                break
            owed = amount_owed(terms, state, day)
            if payoff_at is not None and index == payoff_at:
                amount = owed.payoff
            else:
                through = sum(state.unpaid[: index + 1], ZERO)
                amount = min(owed.overdue_fee + owed.usage_fee + through, owed.payoff)
            allocation, state = allocate(terms, state, amount=amount, paid_on=day)
            loan.payments.append((day, allocation))
            self.push(day, "repay", (loan, len(loan.payments) - 1))
            last = day
        if stop is not None and state.principal_outstanding > 0:
            oldest = next(i.due_on for i, u in zip(loan.schedule, state.unpaid, strict=True) if u)
            when = schedules.add_months(oldest, 12) + datetime.timedelta(
                days=rng.randrange(10, 120)
            )
            if when > last:
                self.push(when, "writeoff", loan)
        figures = instalment_figures(
            cast(list[Instalment], loan.schedule),
            [(day, allocation.principal) for day, allocation in loan.payments],
        )
        loan.paid_in_full = [paid_on for _paid, _by_due, paid_on in figures]

    def repay(self, day: datetime.date, payload: tuple[LoanSim, int]) -> None:
        loan, index = payload
        if loan.status == "written_off":
            return
        _day, split = loan.payments[index]
        clerk = self.staff["clerk"]
        lines = [("cash", split.amount, ZERO)]
        for key, part in (
            ("overdue_fee_income", split.overdue_fee),
            ("usage_fee_income", split.usage_fee),
            ("loans_receivable", split.principal),
        ):
            if part:
                lines.append((key, ZERO, part))
        entry = self.post(
            day,
            "repayment",
            f"{loan.person.name}还款",
            lines,
            by=clerk,
            source=("loans.loan", loan.id),
        )
        self.t.repayment.add(
            self.ids.repayment(),
            loan.id,
            day,
            split.amount,
            split.overdue_fee,
            split.usage_fee,
            split.principal,
            f"world-{loan.id}-{index}",
            entry,
            clerk,
            at(day, 11),
            "",
        )
        if index == len(loan.payments) - 1 and all(u == ZERO for u in self._unpaid_after(loan)):
            self.transition(loan, "closed", clerk, day)
            if self.rng.random() < 0.75:
                self.push(
                    day + datetime.timedelta(days=self.rng.randrange(10, 240)), "apply", loan.person
                )
        elif loan.status == "disbursed":
            self.transition(loan, "repaying", clerk, day)
        if self.cash > Decimal("60000"):
            moved = self.cash - Decimal("10000")
            self.post(
                day,
                "other",
                "现金存入银行",
                [("bank", moved, ZERO), ("cash", ZERO, moved)],
                by=clerk,
            )

    def _unpaid_after(self, loan: LoanSim) -> list[Decimal]:
        paid = sum((a.principal for _d, a in loan.payments), ZERO)
        return [] if paid == loan.amount else [loan.amount - paid]

    def write_off(self, day: datetime.date, loan: LoanSim) -> None:
        if loan.status not in ("disbursed", "repaying"):
            return
        principal = loan.amount - sum((a.principal for d, a in loan.payments if d <= day), ZERO)
        loan.payments = [(d, a) for d, a in loan.payments if d <= day]
        from_reserve = min(self.reserve, principal)
        lines = [("loans_receivable", ZERO, principal)]
        if from_reserve:
            lines.append(("risk_reserve", from_reserve, ZERO))
        if principal - from_reserve:
            lines.append(("write_off_loss", principal - from_reserve, ZERO))
        board, committee = self.staff["board"], self.staff["committee"]
        entry = self.post(
            day,
            "write_off",
            f"核销：{loan.person.name}",
            lines,
            by=committee,
            source=("loans.loan", loan.id),
        )
        reason = "逾期超过12个月，多次催收无果"
        self.t.write_off.add(
            self.ids.write_off(),
            loan.id,
            reason,
            board,
            at(day - datetime.timedelta(days=7), 10),
            committee,
            principal,
            from_reserve,
            entry,
        )
        self.transition(loan, "written_off", committee, day, reason)
        loan.written_off_on = day

    # -- the loan's rows, once its story is told --
    def store(self, loan: LoanSim) -> None:
        t, staff = self.t, self.staff
        lent = loan.disbursed_on is not None
        figures = (
            instalment_figures(
                cast(list[Instalment], loan.schedule),
                [(day, allocation.principal) for day, allocation in loan.payments],
            )
            if lent
            else []
        )
        for number, (instalment, (paid, by_due, paid_on)) in enumerate(
            zip(loan.schedule, figures, strict=True), start=1
        ):
            t.instalment.add(
                self.ids.instalment(),
                loan.id,
                number,
                instalment.due_on,
                instalment.principal,
                paid,
                by_due,
                paid_on,
            )
        open_rows = [i for i, f in zip(loan.schedule, figures, strict=True) if f[0] < i.principal]
        written_off = loan.status == "written_off"
        outstanding = (
            ZERO
            if written_off
            else sum(
                (i.principal - f[0] for i, f in zip(loan.schedule, figures, strict=True)), ZERO
            )
        )
        oldest = None if written_off or not open_rows else open_rows[0].due_on
        approved = loan.approved_on is not None
        kind, group, guarantor, placement = loan.guarantee
        t.loan.add(
            loan.id,
            self.association,
            loan.person.id,
            loan.amount,
            loan.term,
            loan.purpose,
            loan.kind,
            loan.rows,
            kind,
            group,
            guarantor,
            placement,
            loan.status,
            loan.waited_at,
            RATE if approved else None,
            "declining" if approved else "",
            MULTIPLIER if approved else None,
            loan.approved_on + datetime.timedelta(days=3) if loan.approved_on else None,
            loan.disbursed_on,
            1 if loan.extended else 0,
            staff["clerk"],
            staff["clerk"],
            staff["committee"] if approved else None,
            at(loan.applied, 9),
            outstanding,
            oldest,
        )

    def close_months(self, founded: datetime.date) -> None:
        through = self.world.closed_through
        month = month_end(founded)
        while month <= through:
            self.t.month_close.add(
                self.ids.month_close(),
                self.book,
                month,
                self.staff["station"],
                at(month + datetime.timedelta(days=5), 16),
            )
            month = month_end(month + datetime.timedelta(days=1))
        self.world.closes.append((self.book, through))


# --- the world ------------------------------------------------------------------------------


class World:
    def __init__(self, cfg: Config, log: Callable[[str], None] = print) -> None:
        self.cfg, self.log = cfg, log
        self.ids = Allocator()
        self.tables = Tables()
        self.password = make_password(cfg.password)
        self.purposes = dict(LoanPurpose.objects.values_list("code", "id"))
        self.purpose_weights = {
            "livestock": 45,
            "crops": 20,
            "orchards": 10,
            "processing": 8,
            "marketing": 7,
            "small_trade": 10,
        }
        last = cfg.today.replace(day=1) - relativedelta(months=1)
        self.closed_through = last - datetime.timedelta(days=1)
        self.reimbursed: list[tuple[int, datetime.date, int]] = []
        self.closes: list[tuple[int, datetime.date]] = []

    def purpose(self, rng: random.Random) -> int:
        code = rng.choices(list(self.purpose_weights), list(self.purpose_weights.values()))[0]
        return self.purposes[code]

    def person_name(self, rng: random.Random) -> str:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.8 else "")
        return rng.choice(SURNAMES) + given

    def id_number(self, region: str, serial: int, male: bool) -> tuple[datetime.date, str]:
        """A valid resident ID number, distinct for each serial below 8.5 million in a county:
        the birth day walks 17,000 days (1950-1996) by a step prime to it, the sequence counts
        the rounds, its parity is the gender (GB 11643)."""
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=serial * 7919 % 17000)
        sequence = serial // 17000 * 2 + (1 if male else 0)
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        return birth, body + ric.calc_check_digit(body + "0")

    def user(self, username: str, role: str, area: str, name: str) -> int:
        user = self.ids.user()
        joined = at(self.cfg.start, 8)
        self.tables.user.add(
            user, self.password, False, username, name[1:], name[:1], "", False, True, joined, 0
        )
        self.tables.role.add(self.ids.role(), user, role, area, joined)
        return user

    def areas(
        self, plans: list[CountyPlan]
    ) -> list[tuple[CountyPlan, list[tuple[str, str, list[tuple[str, str, int]]]]]]:
        """Create the tree above the villages; return per county its townships and villages."""
        rng = random.Random(f"{self.cfg.seed}:areas")
        rows: list[Area] = []
        if not Area.objects.filter(code="620000").exists():
            rows.append(Area(code="620000", name="甘肃省", level="province", prefix="62"))
        known = set(Area.objects.filter(code__startswith="62").values_list("code", flat=True))
        result = []
        for plan in plans:
            city_code, city_name = plan.city
            if city_code not in known:
                known.add(city_code)
                rows.append(
                    Area(
                        code=city_code,
                        name=city_name,
                        level="city",
                        parent_id="620000",
                        prefix=city_code[:4],
                    )
                )
                self.user(f"city_{city_code}", Role.CITY_OFFICE, city_code, self.person_name(rng))
            county_code, county_name = plan.county
            if county_code in known:
                raise ValueError(f"{county_name} ({county_code}) is already in this database")
            rows.append(
                Area(
                    code=county_code,
                    name=county_name,
                    level="county",
                    parent_id=city_code,
                    prefix=county_code,
                )
            )
            self.user(
                f"county_{county_code}", Role.COUNTY_OFFICE, county_code, self.person_name(rng)
            )
            townships, rank = [], 0
            heads = rng.sample(PLACE_HEADS, len(PLACE_HEADS))
            for t_index, villages in enumerate(plan.villages_by_township):
                code = f"{county_code}{(100 if t_index < 10 else 190) + t_index:03d}"
                name = (
                    "城关镇"
                    if t_index == 0
                    else f"{heads[t_index % len(heads)]}{'镇' if t_index < 6 else '乡'}"
                )
                rows.append(
                    Area(code=code, name=name, level="township", parent_id=county_code, prefix=code)
                )
                village_rows = []
                for v_index in range(villages):
                    v_code = f"{code}{200 + v_index + 1:03d}"
                    suffix = rng.choice(["村", "村", "川村", "湾村", "沟村"])
                    v_name = f"{rng.choice(PLACE_HEADS)}{suffix}"
                    rows.append(
                        Area(
                            code=v_code, name=v_name, level="village", parent_id=code, prefix=v_code
                        )
                    )
                    village_rows.append((v_code, v_name, rank))
                    rank += 1
                townships.append((code, name, village_rows))
            result.append((plan, townships))
        Area.objects.bulk_create(rows, batch_size=5000)
        return result

    def township(self, code: str, villages: list[tuple[str, str, int]]) -> int:
        """Simulate and write one township's associations; returns the rows written."""
        committee = self.user(
            f"committee_{code}",
            Role.TOWNSHIP_COMMITTEE,
            code,
            self.person_name(random.Random(code)),
        )
        station = self.user(
            f"station_{code}",
            Role.TOWNSHIP_STATION,
            code,
            self.person_name(random.Random(code + "s")),
        )
        for village in villages:
            rng = random.Random(f"{self.cfg.seed}:{village[0]}")
            staff = {
                "clerk": self.user(
                    f"clerk_{village[0]}", Role.VILLAGE_CLERK, village[0], self.person_name(rng)
                ),
                "board": self.user(
                    f"board_{village[0]}", Role.VILLAGE_BOARD, village[0], self.person_name(rng)
                ),
                "committee": committee,
                "station": station,
            }
            Village(self, village, staff, rng).build()
        # Reimbursements are known only once the advance's day has come: patch them in.
        reimbursed = {expense: (day, entry) for expense, day, entry in self.reimbursed}
        if reimbursed:
            rows = self.tables.expense.rows
            for index, row in enumerate(rows):
                if row[0] in reimbursed:
                    day, entry = reimbursed[row[0]]
                    rows[index] = (*row[:15], day, entry)
        self.reimbursed.clear()
        with transaction.atomic():
            written = write(self.tables.in_order())
            # Months are closed after their lines are in (the database refuses posts into a
            # closed month); every entry balances at commit (the deferred trigger checks).
            with connection.cursor() as cursor:
                for book, through in self.closes:
                    cursor.execute(
                        "UPDATE funds_book SET closed_through = %s WHERE id = %s", [through, book]
                    )
        self.closes.clear()
        return written


def _work(cfg: Config, jobs: list[tuple[str, list[tuple[str, str, int]]]]) -> tuple[int, float]:
    """One worker: simulate and write its townships; (rows, CPU seconds)."""
    world, rows = World(cfg, lambda _line: None), 0
    for code, villages in jobs:
        rows += world.township(code, villages)
    return rows, time.process_time()


def _forked(cfg: Config, jobs: list[tuple[str, list[tuple[str, str, int]]]], out: Any) -> None:
    try:
        out.send(_work(cfg, jobs))
    finally:
        connections.close_all()
        out.close()


def generate(
    cfg: Config,
    plans: list[CountyPlan],
    *,
    workers: int = 1,
    log: Callable[[str], None] = print,
) -> dict[str, float]:
    """Build the world of `plans`; returns wall and CPU seconds and the rows written. With
    `workers` > 1 (PostgreSQL) the townships are dealt to that many forked processes; every
    village has its own random stream, so the world is the same whatever the workers."""
    started = time.perf_counter()
    world = World(cfg, log)
    with transaction.atomic():
        counties = world.areas(plans)
        write(world.tables.in_order())
    jobs = [(code, villages) for _plan, towns in counties for code, _name, villages in towns]
    if workers <= 1 or connection.vendor != "postgresql":
        rows, cpu = _work(cfg, jobs)
    else:
        connections.close_all()
        context = multiprocessing.get_context("fork")
        pipes, processes = [], []
        for index in range(workers):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_forked, args=(cfg, jobs[index::workers], send))
            process.start()
            pipes.append(receive)
            processes.append(process)
        results = [pipe.recv() for pipe in pipes]
        for process in processes:
            process.join()
            if process.exitcode:
                raise RuntimeError(f"a generator worker failed ({process.exitcode})")
        rows, cpu = sum(r for r, _c in results), sum(c for _r, c in results)
    log(f"{len(jobs)} townships: {time.perf_counter() - started:.1f} s, {rows:,} rows")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"seconds": time.perf_counter() - started, "rows": rows, "cpu": cpu}


def preset_policy(city_code: str, *, by: int | None = None) -> None:
    """兰州's pilot rules: up to 20,000 yuan for one to two years (the rest DESIGN defaults)."""
    LoanPolicy.objects.get_or_create(
        area_id=city_code,
        defaults={
            "scope_code": city_code,
            "max_amount": Decimal("20000.00"),
            "usual_term_months": 12,
            "max_term_months": 24,
        },
    )


def iter_days(start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)
