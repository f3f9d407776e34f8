"""One association simulated event by event in date order: members, groups, capital,
contributions, expenses and month closes here; its loans in worldgen.lending."""

import datetime
import heapq
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from funds.chart import CHART
from worldgen.config import DIGITS, ZERO, at, month_end, pinyin, yuan
from worldgen.lending import Lending
from worldgen.places import DONORS
from worldgen.state import Person


class Village(Lending):
    """Simulates one association and adds its rows to the township's tables."""

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
            full, initials = pinyin(name)
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

    def close_months(self, founded: datetime.date) -> None:
        """Each month through the world's last close closed as the product closes it: the
        close, and every account's totals through its end (AccountBalance)."""
        through = self.world.closed_through
        month = month_end(founded)
        running: dict[int, list[Decimal]] = {}
        for earlier in sorted(m for m in self.by_month if m < month):
            _add(running, self.by_month[earlier])
        while month <= through:
            _add(running, self.by_month.get(month, {}))
            for account, (debit, credit) in running.items():
                self.t.account_balance.add(
                    self.ids.account_balance(), self.book, account, month, debit, credit
                )
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


def _add(running: dict[int, list[Decimal]], month: dict[int, list[Decimal]]) -> None:
    for account, (debit, credit) in month.items():
        totals = running.setdefault(account, [ZERO, ZERO])
        totals[0] += debit
        totals[1] += credit
