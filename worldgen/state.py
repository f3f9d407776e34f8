"""A simulated association's state and the three moves everything else is made of: post a
journal entry (cash and bank may never go below zero), schedule an event, move a loan."""

import datetime
import heapq
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from loans.domain import schedules
from loans.domain.allocation import Allocation
from worldgen.config import ZERO, at, month_end

if TYPE_CHECKING:
    from worldgen.build import World


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


class VillageState:
    """What worldgen.village and worldgen.lending share of one association."""

    # Set while the village is built (worldgen.village.Village.build).
    association: int
    book: int
    acc: dict[str, int]
    people: list[Person]
    group_members: dict[int, list[Person]]

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
        # Debit and credit per account by month end: the closed months' totals (AccountBalance)
        self.by_month: dict[datetime.date, dict[int, list[Decimal]]] = {}
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
        month = self.by_month.setdefault(month_end(day), {})
        for key, debit, credit in lines:
            self.t.line.add(self.ids.line(), entry, self.book, day, self.acc[key], debit, credit)
            totals = month.setdefault(self.acc[key], [ZERO, ZERO])
            totals[0] += debit
            totals[1] += credit
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
