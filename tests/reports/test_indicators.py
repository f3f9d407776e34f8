"""Every DESIGN §7 indicator of the hand-built county (tests/reports/world.py), worked out by
hand: on 2026-06-30 over the period 2026-01-01..2026-06-30 (181 days)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import Area
from loans.models import Loan
from reports.selectors import indicators
from reports.selectors.indicators import area_figures, child_figures
from tests.reports.world import TODAY, at, build_county, extra_village

D = datetime.date
START = D(2026, 1, 1)


@pytest.fixture
def county(db):
    world = build_county()
    with at(TODAY):
        yield world


def test_the_loans_stand_as_planned(county):
    loans = county.loans
    assert {k: loan.status for k, loan in loans.items()} == {
        "L1": "disbursed",
        "L2": "repaying",
        "L3": "disbursed",
        "L4": "closed",
        "L5": "disbursed",
        "L6": "written_off",
        "L7": "waitlisted",
        "L8": "disbursed",
    }
    # L2: 8,000 × 6 % × 89 days (02-01 → 05-01) / 365 = 117.04 usage fee; 2,882.96 principal.
    assert loans["L2"].principal_outstanding == Decimal("5117.04")
    assert loans["L1"].oldest_unpaid_due_on == D(2026, 5, 30)  # 31 days before 06-30
    assert loans["L3"].oldest_unpaid_due_on == D(2026, 6, 1)  # 29 days before 06-30
    assert loans["L5"].oldest_unpaid_due_on == D(2026, 12, 20)  # extended
    assert (loans["L6"].principal_outstanding, loans["L6"].oldest_unpaid_due_on) == (
        Decimal("0.00"),
        None,
    )


def test_county_indicators(county):
    f = area_figures(area=county.county, on=TODAY, start=START)
    # Households 3 × 300, registered poor 3 × 60; members 4 + 5 + 8, poor 2 + 3 + 3.
    assert (f.households, f.poor_households, f.members, f.poor_members) == (900, 180, 17, 8)
    # Disbursed in the period: L2 (general), L4 (poor), L8 (general).
    assert (f.borrowers, f.poor_borrowers) == (3, 1)
    # 50,000 + 30,000 + 12,000 government; 10,000 social donation.
    assert f.capital_by_source == {
        "government": Decimal("92000.00"),
        "member": Decimal("0.00"),
        "donations": Decimal("10000.00"),
        "bank_loan": Decimal("0.00"),
        "other": Decimal("0.00"),
    }
    assert f.capital == Decimal("102000.00")
    # L1 10,000 + L2 5,117.04 + L3 6,000 + L5 4,000 + L8 4,000 (L4 closed, L6 written off).
    assert f.outstanding_principal == Decimal("29117.04")
    # Overdue: L1 (since 05-30) and L3 (since 06-01); PAR30: L1 only (31 > 30 days).
    assert (f.overdue_principal, f.overdue_count) == (Decimal("16000.00"), 2)
    assert (f.par30_principal, f.par30_count) == (Decimal("10000.00"), 1)
    # In the period: disbursed L2 8,000 + L4 3,000 + L8 4,000; principal repaid
    # L2 2,882.96 + L4 3 × 1,000; L6 5,000 written off.
    assert (f.disbursed, f.repaid_principal, f.written_off) == (
        Decimal("15000.00"),
        Decimal("5882.96"),
        Decimal("5000.00"),
    )
    # Ever disbursed: 10,000 + 8,000 + 6,000 + 3,000 + 4,000 + 5,000 + 4,000.
    assert f.cumulative_disbursed == Decimal("40000.00")
    # Due in the period: L1 10,000 (05-30), L3 6,000 (06-01), L4 3 × 1,000 (L5 moved to
    # 12-20); paid by the due date: L4's first two instalments.
    assert (f.due_in_period, f.repaid_by_due) == (Decimal("19000.00"), Decimal("2000.00"))
    # Fallen due by 06-30 ever: L1 10,000, L3 6,000, L4 3,000, L6 5,000; collected: L4 3,000.
    assert (f.fallen_due, f.collected_of_due) == (Decimal("24000.00"), Decimal("3000.00"))
    # Usage fees: L2 117.04; L4 15.29 (3,000 × 31 d) + 9.21 (2,000 × 28 d) + 5.10 (1,000 × 31 d).
    assert f.usage_fee_income == Decimal("146.64")
    # Daily outstanding over 181 days: 9 d × 25,000 + 22 × 28,000 + 9 × 36,000 + 23 × 35,000
    # + 5 × 30,000 + 41 × 33,000 + 11 × 32,000 + 61 × 29,117.04 = 5,601,139.44; / 181.
    assert f.average_outstanding == Decimal("30945.52")
    assert (f.waitlisted_count, f.unmet_demand) == (1, Decimal("8000.00"))
    assert f.longest_wait_months == 2  # since 2026-04-01

    assert f.membership_rate == Decimal("0.0189")  # 17 / 900 = 0.01889
    assert f.poor_membership_rate == Decimal("0.0444")  # 8 / 180 = 0.04444
    assert f.poor_share_of_members == Decimal("0.4706")  # 8 / 17 = 0.47059
    assert f.borrowing_rate == Decimal("0.1765")  # 3 / 17 = 0.17647
    assert f.poor_borrower_coverage == Decimal("0.1250")  # 1 / 8
    assert f.fund_usage_rate == Decimal("0.2855")  # 29,117.04 / 102,000 = 0.28546
    assert f.turnover == Decimal("0.3922")  # 40,000 / 102,000 = 0.39216
    assert f.on_time_repayment_rate == Decimal("0.1053")  # 2,000 / 19,000 = 0.10526
    assert f.cumulative_repayment_rate == Decimal("0.1250")  # 3,000 / 24,000
    assert f.par30 == Decimal("0.3434")  # 10,000 / 29,117.04 = 0.34344
    assert f.effective_fee_yield == Decimal("0.0047")  # 146.64 / 30,945.52 = 0.00474
    assert f.training_coverage == Decimal("0.0000")  # 0 / 17: no training recorded


def test_township_children(county):
    rows = child_figures(area=county.county, on=TODAY, start=START)
    assert [area.code for area, _f in rows] == ["620123100", "620123101"]
    a, b = (f for _area, f in rows)
    # 城关镇 (A1 + A2): outstanding 10,000 + 5,117.04 + 6,000 + 4,000; capital 90,000.
    assert (a.members, a.poor_members, a.borrowers, a.poor_borrowers) == (9, 5, 2, 1)
    assert a.outstanding_principal == Decimal("25117.04")
    assert a.capital == Decimal("90000.00")
    assert a.par30 == Decimal("0.3981")  # 10,000 / 25,117.04 = 0.39814
    assert a.fund_usage_rate == Decimal("0.2791")  # 25,117.04 / 90,000 = 0.27908
    assert a.turnover == Decimal("0.3444")  # (10,000 + 8,000 + 6,000 + 3,000 + 4,000) / 90,000
    assert a.on_time_repayment_rate == Decimal("0.1053")  # 2,000 / 19,000
    assert a.cumulative_repayment_rate == Decimal("0.1579")  # 3,000 / 19,000 = 0.15789
    assert a.membership_rate == Decimal("0.0150")  # 9 / 600
    assert a.poor_membership_rate == Decimal("0.0417")  # 5 / 120 = 0.04167
    assert a.poor_borrower_coverage == Decimal("0.2000")  # 1 / 5
    assert (a.unmet_demand, a.written_off) == (Decimal("0.00"), Decimal("0.00"))
    # 夏官营镇 (B1): L8 4,000 outstanding, L6 written off, L7 waiting; capital 12,000.
    assert (b.members, b.poor_members, b.borrowers, b.poor_borrowers) == (8, 3, 1, 0)
    assert (b.outstanding_principal, b.written_off) == (Decimal("4000.00"), Decimal("5000.00"))
    assert b.par30 == Decimal("0.0000")  # 0 / 4,000
    assert b.fund_usage_rate == Decimal("0.3333")  # 4,000 / 12,000
    assert b.turnover == Decimal("0.7500")  # (5,000 + 4,000) / 12,000
    assert b.on_time_repayment_rate is None  # nothing fell due in the period
    assert b.cumulative_repayment_rate == Decimal("0.0000")  # 0 / 5,000 (L6)
    assert b.poor_borrower_coverage == Decimal("0.0000")  # 0 / 3
    assert b.membership_rate == Decimal("0.0267")  # 8 / 300 = 0.02667
    assert (b.unmet_demand, b.waitlisted_count) == (Decimal("8000.00"), 1)


def test_a_past_date(county):
    """On 2026-03-01, before the write-off: L6 is 365 days past due."""
    f = area_figures(area=county.county, on=D(2026, 3, 1), start=START)
    # L1 10,000 + L2 8,000 + L3 6,000 + L4 2,000 + L5 4,000 + L6 5,000.
    assert f.outstanding_principal == Decimal("35000.00")
    assert (f.par30_principal, f.overdue_principal) == (Decimal("5000.00"), Decimal("5000.00"))
    assert f.par30 == Decimal("0.1429")  # 5,000 / 35,000 = 0.14286
    # Due 01-01..03-01: L4's first instalment 1,000, paid on its due date.
    assert f.on_time_repayment_rate == Decimal("1.0000")
    # Fallen due by 03-01: L6 5,000 + L4 1,000; collected 1,000.
    assert f.cumulative_repayment_rate == Decimal("0.1667")


def test_a_village_and_an_empty_area(county):
    village = Area.objects.get(code="620123100201")
    f = area_figures(area=village, on=TODAY, start=START)
    assert f.outstanding_principal == Decimal("15117.04")  # L1 10,000 + L2 5,117.04
    # Cash: 50,000 - 10,000 (L1) - 8,000 (L2) + 3,000 (L2's repayment, fee included).
    assert f.cash == Decimal("35000.00")
    assert child_figures(area=village, on=TODAY, start=START) == []


def _child_queries(county: Area) -> int:
    with at(TODAY), CaptureQueriesContext(connection) as queries:
        child_figures(area=county, on=TODAY, start=START)
    return len(queries)


def test_children_take_the_same_queries_whatever_the_size(db):
    county = build_county().county
    small = _child_queries(county)
    for n in range(2):  # two more villages with loans, repayments and an overdue loan
        extra_village(n)
    assert Loan.objects.count() == 8 + 4
    # One query for the children, one asking whether the stored loan figures stand on the day
    # (none when the day is today), one for the earliest open day of the books, thirteen
    # grouped aggregates (the members with their training in one; the journal two: closed
    # totals and later lines; flows three; the loans' risk three: the instalments due from
    # the period on, the unpaid ones due before it, the overdue loans).
    assert small == _child_queries(county) == 15


def test_command_prints_the_json(county, capsys):
    call_command("indicators", "620123", "--on", "2026-06-30", "--from", "2026-01-01")
    data = json.loads(capsys.readouterr().out)
    assert data["par30"] == "0.3434"
    assert data["outstanding_principal"] == "29117.04"
    assert data["capital"] == "102000.00"
    assert data["training_coverage"] == "0.0000"
    assert data["members"] == 17 and data["borrowers"] == 3
    for key in (
        "membership_rate",
        "poor_membership_rate",
        "poor_share_of_members",
        "borrowing_rate",
        "poor_borrower_coverage",
        "fund_usage_rate",
        "turnover",
        "on_time_repayment_rate",
        "cumulative_repayment_rate",
        "effective_fee_yield",
        "unmet_demand",
        "overdue_principal",
        "par30_principal",
        "disbursed",
        "repaid_principal",
        "written_off",
    ):
        assert key in data
    assert data["unmet_demand"] == "8000.00" and data["written_off"] == "5000.00"
    # --from defaults to 1 January of --on.
    call_command("indicators", "620123", "--on", "2026-06-30")
    assert json.loads(capsys.readouterr().out)["from"] == "2026-01-01"


@pytest.mark.parametrize(
    "args", [["999999"], ["620123", "--on", "2026-13-01"], ["620123", "--from", "x"]]
)
def test_command_refuses_bad_input(db, args):
    with pytest.raises(CommandError):
        call_command("indicators", *args)


def _risk(collect, area: Area, on: datetime.date) -> dict:
    result = indicators.Result(lambda: indicators.Figures(on=on, start=START))
    collect(result, area.prefix, len(area.prefix) + 3, on, START)
    names = (
        "fallen_due",
        "collected_of_due",
        "overdue_principal",
        "overdue_count",
        "par30_principal",
        "par30_count",
        "due_in_period",
        "repaid_by_due",
    )
    return {key: [getattr(f, n) for n in names] for key, f in result.items()}


def _stored(result, prefix, length, on, start):
    """`_stored_risk` after the loans' sums it builds on (`_flows`, as `_figures_by_key`)."""
    indicators._flows(result, prefix, length, on, start, stand=True)
    indicators._stored_risk(result, prefix, length, on, start)


def _replayed(result, prefix, length, on, start):
    indicators._replayed_risk(result, prefix, length, on, start)
    indicators._on_time(result, prefix, length, on, start)


def test_the_stored_figures_answer_as_the_replay(county):
    """When nothing happened after the day, the loans' risk comes from the stored figures in
    two grouped joins and equals the per-loan replay, township by township."""
    area = county.county
    for on in (TODAY, D(2026, 6, 15)):  # the last event is L5's extension on 06-10
        assert indicators._figures_stand(area.prefix, on)
        stored = _risk(_stored, area, on)
        assert stored == _risk(_replayed, area, on)
    by_township = _risk(_stored, area, TODAY)
    # 城关镇: fallen 10,000 + 6,000 + 3,000, collected L4 3,000; overdue L1 + L3, PAR30 L1;
    # due in the period 19,000, 2,000 of it by the due date.
    assert by_township["620123100"] == [
        Decimal("19000.00"),
        Decimal("3000.00"),
        Decimal("16000.00"),
        2,
        Decimal("10000.00"),
        1,
        Decimal("19000.00"),
        Decimal("2000.00"),
    ]
    # 夏官营镇: L6 5,000 fell due, written off, so neither overdue nor at risk.
    assert by_township["620123101"][:6] == [Decimal("5000.00"), Decimal("0"), 0, 0, 0, 0]


def test_a_date_before_later_events_is_replayed(county):
    """On 2026-03-01 the write-off of 03-05 and later repayments had not happened: the
    stored figures do not stand, and the replay answers (test_a_past_date checks its figures)."""
    assert not indicators._figures_stand(county.county.prefix, D(2026, 3, 1))
    assert not indicators._figures_stand(county.county.prefix, D(2026, 4, 30))


def test_one_run_answers_the_area_and_its_children(county):
    """The dashboard's area figures are the sum of its subtree's keys: equal to the area's
    own run (every field, the average outstanding and the longest wait included), in the
    queries of one run."""
    for code in ("620123", "620123100", "620123101", "620123100201"):
        area = Area.objects.get(code=code)
        for on, start in ((TODAY, START), (D(2026, 3, 1), START)):
            total, children = indicators.area_and_child_figures(area=area, on=on, start=start)
            assert total == area_figures(area=area, on=on, start=start), (code, on)
            assert children == child_figures(area=area, on=on, start=start), (code, on)
    county_area = county.county
    with CaptureQueriesContext(connection) as queries:
        total, _children = indicators.area_and_child_figures(
            area=county_area, on=TODAY, start=START
        )
    assert len(queries) == 15  # as child_figures alone
    assert total.average_outstanding == Decimal("30945.52")
    assert total.longest_wait_months == 2


def test_one_run_by_village_answers_the_area_its_children_and_its_villages(county):
    """The supervision report's figures: the area's, its children's and its villages' from one
    run of the grouped queries by village, equal to the three separate runs (every field)."""
    for code in ("620123", "620123100"):
        area = Area.objects.get(code=code)
        for on, start in ((TODAY, START), (D(2026, 3, 1), START), (D(2026, 6, 15), D(2026, 6, 1))):
            with CaptureQueriesContext(connection) as queries:
                total, children, villages = indicators.area_child_and_village_figures(
                    area=area, on=on, start=start
                )
            with CaptureQueriesContext(connection) as separate:
                assert (total, children) == indicators.area_and_child_figures(
                    area=area, on=on, start=start
                ), (code, on)
            by_village = indicators.figures_by_village(area=area, on=on, start=start)
            assert villages == {k: f for k, f in by_village.items() if len(k) == 12}, (code, on)
            assert villages and len(queries) == len(separate)  # one run, not two
    assert total.members > 0 and total.outstanding_principal > 0
