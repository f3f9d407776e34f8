"""A hand-built county: two townships, three villages, loans driven through the real services
with time travel. Every figure the tests expect is worked out by hand in test_indicators.py.

    620123 榆中县
      620123100 城关镇    A1 620123100201 三角城村, A2 620123100202 下庄村
      620123101 夏官营镇  B1 620123101201 红柳沟村

Every village association has 300 households of which 60 registered poor (the factory's).
All amounts in yuan; usage fee 6 % a year declining, overdue 1.5 ×, notice 3 days.
"""

import datetime
from dataclasses import dataclass, field

import time_machine

from associations.models import Role
from loans.models import Loan, WriteOff
from loans.services import money
from tests import factories
from tests.conftest import _branch, _ensure_reference_data
from tests.reports import builders

D = datetime.date
TODAY = D(2026, 6, 30)


@dataclass
class County:
    county: object
    townships: list
    branches: dict = field(default_factory=dict)  # "A1", "A2", "B1" -> Branch
    loans: dict = field(default_factory=dict)  # "L1".."L8" -> Loan


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, 0), tick=False)


def lend(branch, member, grp, amount, disbursed_on, *, term=12, kind="lump_sum") -> Loan:
    """Apply, submit, review and approve three days before `disbursed_on`; pay out on it."""
    approved_on = disbursed_on - datetime.timedelta(days=3)
    with at(approved_on):
        loan = builders.to_ready(
            branch, builders.apply(branch, member, grp, amount, term=term, kind=kind), approved_on
        )
    with at(disbursed_on):
        return builders.disburse(branch, loan, disbursed_on)


def repay(branch, loan, amount, on):
    with at(on):
        return builders.repay(branch, loan, amount, on)


def _village(county, township_code, village_code, names, tag):
    province = factories.area("620000", "甘肃省", "province")
    return _branch(
        province, ("620100", county, township_code, village_code), ("兰州市", "榆中县", *names), tag
    )


def _households(branch, specs):
    """specs: (name, poor) per household; the first is the group's leader."""
    clerk = branch.users[Role.VILLAGE_CLERK]
    (leader_name, leader_poor), *rest = specs
    with at(D(2024, 1, 1)):
        leader = builders.household(
            branch.association, clerk, name=leader_name, poor=leader_poor, leader=True
        )
        households = [
            builders.household(branch.association, clerk, name=n, poor=p) for n, p in rest
        ]
    return leader, households


def build_county(*, extra_villages: int = 0) -> County:
    _ensure_reference_data()
    a1 = _village("620123", "620123100", "620123100201", ("城关镇", "三角城村"), "a1")
    a2 = _village("620123", "620123100", "620123100202", ("城关镇", "下庄村"), "a2")
    b1 = _village("620123", "620123101", "620123101201", ("夏官营镇", "红柳沟村"), "b1")
    world = County(a1.county, [a1.township, b1.township], {"A1": a1, "A2": a2, "B1": b1})

    # Capital: A1 50,000 government; A2 30,000 government + 10,000 social donation;
    # B1 12,000 government.
    with at(D(2024, 1, 2)):
        builders.capital(a1, "50000", D(2024, 1, 2))
        builders.capital(a2, "30000", D(2024, 1, 2))
        builders.capital(a2, "10000", D(2024, 1, 2), source="social")
        builders.capital(b1, "12000", D(2024, 1, 2))

    # A1: leader + 3 households (h1 and h3 registered poor): 4 members, 2 poor.
    leader, (h1, h2, h3) = _households(
        a1, [("马队长", False), ("李一", True), ("李二", False), ("李三", True)]
    )
    g = builders.group(
        a1.association,
        a1.users["village_clerk"],
        name="一组",
        leader=leader,
        households=[h1, h2, h3],
    )
    # L1 10,000 lump sum, due 2026-05-30, nothing paid: 31 days past due on 2026-06-30.
    world.loans["L1"] = lend(a1, h1, g, "10000", D(2025, 5, 30))
    # L2 8,000 lump sum from 2026-02-01; 3,000 paid on 2026-05-01.
    world.loans["L2"] = lend(a1, h2, g, "8000", D(2026, 2, 1))
    repay(a1, world.loans["L2"], "3000", D(2026, 5, 1))

    # A2: leader + 4 households (h1, h2, h4 registered poor): 5 members, 3 poor.
    leader, (h1, h2, h3, h4) = _households(
        a2, [("王队长", False), ("王一", True), ("王二", True), ("王三", False), ("王四", True)]
    )
    g = builders.group(
        a2.association,
        a2.users["village_clerk"],
        name="一组",
        leader=leader,
        households=[h1, h2, h3, h4],
    )
    # L3 6,000 lump sum, due 2026-06-01, nothing paid: 29 days past due on 2026-06-30.
    world.loans["L3"] = lend(a2, h1, g, "6000", D(2025, 6, 1))
    # L5 4,000 lump sum due 2026-06-20, extended on 2026-06-10 to 2026-12-20.
    world.loans["L5"] = lend(a2, h3, g, "4000", D(2025, 6, 20))
    with at(D(2026, 6, 10)):
        money.loan_extend(
            loan=world.loans["L5"],
            by=a2.users[Role.TOWNSHIP_COMMITTEE],
            on=D(2026, 6, 10),
            new_maturity=D(2026, 12, 20),
        )
    # L4 3,000 in 3 monthly instalments of 1,000 due 02-10, 03-10, 04-10: two paid on their
    # due dates, the last ten days late, which closes the loan.
    world.loans["L4"] = lend(a2, h2, g, "3000", D(2026, 1, 10), term=3, kind="monthly")
    repay(a2, world.loans["L4"], "1015.29", D(2026, 2, 10))
    repay(a2, world.loans["L4"], "1009.21", D(2026, 3, 10))
    repay(a2, world.loans["L4"], "1007.57", D(2026, 4, 20))

    # B1: group one (leader + h1, h2, h3) and group two (leader + h4, h5, h6);
    # h1, h2 and h5 registered poor: 8 members, 3 poor.
    leader, (h1, h2, h3) = _households(
        b1, [("赵队长", False), ("赵一", True), ("赵二", True), ("赵三", False)]
    )
    g1 = builders.group(
        b1.association,
        b1.users["village_clerk"],
        name="一组",
        leader=leader,
        households=[h1, h2, h3],
    )
    leader, (h4, h5, h6) = _households(
        b1, [("钱队长", False), ("钱一", False), ("钱二", True), ("钱三", False)]
    )
    g2 = builders.group(
        b1.association,
        b1.users["village_clerk"],
        name="二组",
        leader=leader,
        households=[h4, h5, h6],
    )
    # L6 5,000 lump sum due 2025-03-01, never paid; written off on 2026-03-05.
    world.loans["L6"] = lend(b1, h1, g1, "5000", D(2024, 3, 1))
    with at(D(2026, 3, 5)):
        proposal = money.write_off_propose(
            loan=world.loans["L6"],
            by=b1.users[Role.VILLAGE_BOARD],
            reason="外出失联",
            on=D(2026, 3, 5),
        )
        money.write_off_approve(
            write_off=proposal, by=b1.users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 3, 5)
        )
    # L8 4,000 lump sum from 2026-03-10 (cash left: 12,000 - 5,000 - 4,000 = 3,000).
    world.loans["L8"] = lend(b1, h4, g2, "4000", D(2026, 3, 10))
    # L7 8,000 applied for on 2026-04-01: more than the 3,000 of lendable cash, it waits.
    with at(D(2026, 4, 1)):
        world.loans["L7"] = builders.to_ready(b1, builders.apply(b1, h5, g2, "8000"), D(2026, 4, 1))
    for n in range(extra_villages):
        extra_village(n)
    for key, loan in world.loans.items():
        world.loans[key] = Loan.objects.get(pk=loan.pk)
    assert WriteOff.objects.get(loan=world.loans["L6"]).principal is not None
    return world


def extra_village(n: int) -> None:
    """Another village of township B with a loan, a repayment and an overdue loan: more rows,
    the same number of queries."""
    branch = _village("620123", "620123101", f"62012310130{n}", ("夏官营镇", f"新村{n}"), f"x{n}")
    with at(D(2024, 1, 2)):
        builders.capital(branch, "20000", D(2024, 1, 2))
    leader, (h1, h2, h3) = _households(
        branch, [(f"孙队长{n}", False), (f"孙一{n}", True), (f"孙二{n}", False), (f"孙三{n}", True)]
    )
    g = builders.group(
        branch.association,
        branch.users["village_clerk"],
        name="一组",
        leader=leader,
        households=[h1, h2, h3],
    )
    loan = lend(branch, h1, g, "3000", D(2025, 4, 1))
    lend(branch, h2, g, "2000", D(2026, 2, 1), term=3, kind="monthly")
    repay(branch, loan, "500", D(2026, 1, 5))
