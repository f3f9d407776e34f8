"""A village's loans in the simulation: application, disbursement (or the wait for cash),
the planned repayments by behaviour, write-offs, and the stored rows of each loan."""

import datetime
from decimal import Decimal
from typing import cast

from loans.domain import schedules
from loans.domain.allocation import allocate
from loans.domain.fees import LoanState, LoanTerms, amount_owed
from loans.models import (
    Instalment,
)
from loans.services.figures import instalment_figures
from worldgen.config import MULTIPLIER, RATE, ZERO, at, yuan
from worldgen.places import PARTNERS
from worldgen.state import LoanSim, Person, VillageState


class Lending(VillageState):
    """The lending half of `Village` (worldgen.village)."""

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
            self.association,
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
                self.association,
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
