"""Allocation by need (reports.allocation) on the hand-built county: the recall of idle
capital and the need formula worked by hand, the office's edits of both kinds of line,
approval into RECALL and ALLOCATE transfer requests through the funds services (four eyes)
that move the cash exactly, a query count independent of the number of associations,
idempotent proposing, role checks and scope."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import book_for_association, pool_book_open
from funds.models import Transfer
from funds.selectors import balances_by_key
from funds.services import capital_receive, transfer_decide
from loans.selectors.loans import lendable_cash
from reports.allocation import (
    LOW_USAGE,
    RECENT_MONTHS,
    RESERVE_MONTHS,
    AllocationError,
    Need,
    allocation_approve,
    allocation_propose,
    allocation_update,
    need_of,
    needs_of,
    reason_of,
    share,
)
from reports.models import AllocationLine, AllocationProposal
from reports.selectors.indicators import Figures
from tests.reports import builders
from tests.reports.world import TODAY, _households, _village, at, build_county, lend

D = datetime.date


def _need(weight: str, waitlisted: str) -> Need:
    return Need(None, Decimal(waitlisted), 1, Decimal(0), None, None, Decimal(weight))  # type: ignore[arg-type]


def test_the_weight_is_waitlist_times_usage_times_repayment():
    f = Figures(on=TODAY, start=D(2026, 1, 1), unmet_demand=Decimal("40000.00"))
    f.outstanding_principal, f.capital_by_source["government"] = Decimal("10000"), Decimal("40000")
    f.fallen_due, f.collected_of_due = Decimal("9000"), Decimal("3000")
    # 40,000 × (10,000 / 40,000 = 0.2500) × (3,000 / 9,000 = 0.3333) = 3,333.
    assert need_of(None, f).weight == Decimal("3333.0000")  # type: ignore[arg-type]
    # No capital at all: usage counts as 1; nothing fallen due: repayment counts as 1.
    empty = Figures(on=TODAY, start=D(2026, 1, 1), unmet_demand=Decimal("5000.00"))
    assert need_of(None, empty).weight == Decimal("5000.0000")  # type: ignore[arg-type]


def test_the_recall_rule_by_hand():
    assert LOW_USAGE * 100 == 50
    assert RECENT_MONTHS == 6
    assert RESERVE_MONTHS == 3
    f = Figures(on=TODAY, start=D(2026, 1, 1), unmet_demand=Decimal("4000.00"))
    f.capital_by_source["government"], f.outstanding_principal = Decimal("50000"), Decimal("16000")
    f.cash = Decimal("30050.00")
    # Usage 16,000 / 50,000 = 32 %, below 50 %. Lendable 30,050 − 2,000 committed = 28,050;
    # 24,000 lent in six months is 4,000 a month, a reserve of 3 × 4,000 = 12,000; idle
    # 28,050 − 4,000 waiting − 12,000 = 12,050, recalled in hundreds: 12,000. Its own cash
    # serves its waitlist: no weight.
    need = need_of(None, f, committed=Decimal("2000"), recent=Decimal("24000"))  # type: ignore[arg-type]
    assert (need.cash, need.monthly, need.reserve, need.idle, need.recall, need.weight) == (
        Decimal("28050.00"),
        Decimal("4000.00"),
        Decimal("12000.00"),
        Decimal("12050.00"),
        Decimal("12000"),
        Decimal("0"),
    )
    # At 50 % exactly nothing is recalled, and it shares by its weight: 4,000 × 0.5 = 2,000.
    f.outstanding_principal = Decimal("25000")
    kept = need_of(None, f, committed=Decimal("2000"), recent=Decimal("24000"))  # type: ignore[arg-type]
    assert (kept.recall, kept.weight) == (Decimal("0"), Decimal("2000.0000"))
    # Idle of 99.99 is not worth a transfer.
    f.outstanding_principal, f.cash = Decimal("16000"), Decimal("18099.99")
    small = need_of(None, f, committed=Decimal("2000"), recent=Decimal("24000"))  # type: ignore[arg-type]
    assert (small.idle, small.recall) == (Decimal("99.99"), Decimal("0"))
    # A transfer goes by bank: with 5,050 in the bank, 5,000 of the 12,050 idle is recalled.
    f.cash = Decimal("30050.00")
    banked = need_of(
        None, f, committed=Decimal("2000"), recent=Decimal("24000"), bank=Decimal("5050")
    )  # type: ignore[arg-type]
    assert (banked.idle, banked.recall) == (Decimal("12050.00"), Decimal("5000"))
    reason = reason_of(banked)
    assert "32.00%" in reason and "12,050.00" in reason and "5,050.00" in reason


def test_shares_are_proportional_capped_and_rounded_down_to_hundreds():
    # Weights 3,000 : 1,000 : 0 of 6,000: 4,500 and 1,500, but the second waits for 1,000
    # only; the first then takes the other 5,000 (under its 10,000); the third nothing.
    assert share(
        Decimal("6000"), [_need("3000", "10000"), _need("1000", "1000"), _need("0", "5000")]
    ) == [
        Decimal("5000"),
        Decimal("1000"),
        Decimal("0"),
    ]
    # 1,000 at 2 : 1 is 666.67 and 333.33: 600 and 300, 100 stays in the pool.
    assert share(Decimal("1000"), [_need("2", "9000"), _need("1", "9000")]) == [
        Decimal("600"),
        Decimal("300"),
    ]
    # More capital than demand: everyone capped, the rest stays.
    assert share(Decimal("9000"), [_need("1", "2000"), _need("1", "3000")]) == [
        Decimal("2000"),
        Decimal("3000"),
    ]


def _waiting_village(code: str, name: str, tag: str, capital: str, lent: str, asked: str):
    """A village of 夏官营镇 with `capital`, one loan of `lent` from 2026-03-01 (nothing due
    yet) and an application of `asked` waiting for funds on TODAY."""
    branch = _village("620123", "620123101", code, ("夏官营镇", name), tag)
    with at(D(2024, 1, 2)):
        builders.capital(branch, capital, D(2024, 1, 2))
    leader, (k1, k2, k3) = _households(
        branch,
        [
            (f"周队长{tag}", False),
            (f"周一{tag}", True),
            (f"周二{tag}", False),
            (f"周三{tag}", False),
        ],
    )
    group = builders.group(
        branch.association,
        branch.users[Role.VILLAGE_CLERK],
        name="一组",
        leader=leader,
        households=[k1, k2, k3],
    )
    lend(branch, k1, group, lent, D(2026, 3, 1))
    with at(TODAY):
        loan = builders.to_ready(branch, builders.apply(branch, k2, group, asked), TODAY)
    assert loan.status == "waitlisted"
    return branch


@pytest.fixture
def county(db):
    world = build_county()
    # C1: capital 5,000, 4,000 lent, 8,000 waiting; C2: capital 10,000, 5,000 lent, 6,000
    # waiting. Nothing of theirs has fallen due: repayment counts as 1.
    _waiting_village("620123101202", "新庄村", "c1", "5000", "4000", "8000")
    _waiting_village("620123101203", "上庄村", "c2", "10000", "5000", "6000")
    # A1 and A2 also keep capital in the bank (a recall goes from bank to bank): A1 20,000,
    # A2 10,000, received on 2024-01-02 like the rest.
    for tag, amount in (("A1", "20000"), ("A2", "10000")):
        branch = world.branches[tag]
        with at(D(2024, 1, 2)):
            capital_receive(
                book=book_for_association(branch.association),
                source="government",
                contributor="县财政局",
                into="bank",
                amount=Decimal(amount),
                received_on=D(2024, 1, 2),
                by=branch.users[Role.VILLAGE_CLERK],
            )
    office = world.branches["A2"].users[Role.COUNTY_OFFICE]
    pool = pool_book_open(area=world.county)
    with at(TODAY):
        capital_receive(
            book=pool,
            source="government",
            contributor="省财政厅",
            into="bank",
            amount=Decimal("50000"),
            received_on=TODAY,
            by=office,
        )
        world.pool = pool
        yield world


def _lendable(branch) -> Decimal:
    return lendable_cash(branch.association)


def test_figures_per_association_by_hand(county):
    needs = {need.book.area_id: need for need in needs_of(county.county, TODAY)}
    a1, a2, b1 = needs["620123100201"], needs["620123100202"], needs["620123101201"]
    # A1: 50,000 − 10,000 (L1) − 8,000 (L2) + 3,000 repaid + 20,000 in the bank = 55,000
    # lendable; usage 15,12x / 70,000 = 21.60 %; L2's 8,000 lent in the six months since
    # 2025-12-30: 1,333.33 a month, reserve 3 × 8,000 / 6 = 4,000; nothing waits: idle
    # 55,000 − 4,000 = 51,000, of which the 20,000 in the bank is recalled.
    assert (a1.cash, a1.usage, a1.waitlisted, a1.monthly, a1.reserve, a1.idle) == (
        Decimal("55000.00"),
        Decimal("0.2160"),
        Decimal("0"),
        Decimal("1333.33"),
        Decimal("4000.00"),
        Decimal("51000.00"),
    )
    assert (a1.bank, a1.recall) == (Decimal("20000.00"), Decimal("20000"))
    # A2: 40,000 − 6,000 − 4,000 − 3,000 + 1,015.29 + 1,009.21 + 1,007.57 + 10,000 in the
    # bank = 40,032.07; usage 10,000 / 50,000 = 20 %; L4's 3,000 in six months: reserve 1,500;
    # idle 38,532.07, the bank's 10,000 recalled.
    assert (a2.cash, a2.usage, a2.reserve, a2.idle, a2.recall) == (
        Decimal("40032.07"),
        Decimal("0.2000"),
        Decimal("1500.00"),
        Decimal("38532.07"),
        Decimal("10000"),
    )
    assert (a2.on_time, a2.repayment) == (Decimal("0.2222"), Decimal("0.3333"))
    # B1: usage 33.33 % is low too, but its 3,000 lendable is less than the 8,000 waiting:
    # left alone (and its record of nothing repaid gives it no share).
    assert (b1.cash, b1.waitlisted, b1.usage, b1.recall, b1.weight) == (
        Decimal("3000.00"),
        Decimal("8000.00"),
        Decimal("0.3333"),
        Decimal("0"),
        Decimal("0.0000"),
    )
    assert "33.33%" in reason_of(b1) and "3,000.00" in reason_of(b1)
    # The grouped figures are the loans selector's, association by association.
    for branch in county.branches.values():
        assert needs[branch.association.area_id].cash == _lendable(branch)


def test_the_query_count_does_not_grow_with_the_associations(county):
    with CaptureQueriesContext(connection) as small:
        assert len(needs_of(county.county, TODAY)) == 5
    _waiting_village("620123101204", "下庄二村", "c3", "2000", "1000", "9000")
    _waiting_village("620123101205", "下庄三村", "c4", "2000", "1000", "9000")
    # A loan approved and in notice in A2 is committed: lendable drops by its 2,000.
    a2 = county.branches["A2"]
    leader, (h, h2, h3) = _households(
        a2, [("孙队长", False), ("孙一", False), ("孙二", False), ("孙三", False)]
    )
    group = builders.group(
        a2.association,
        a2.users[Role.VILLAGE_CLERK],
        name="二组",
        leader=leader,
        households=[h, h2, h3],
    )
    with at(TODAY):
        loan = builders.to_ready(a2, builders.apply(a2, h, group, "2000"), TODAY)
    assert loan.status in ("in_notice", "ready")
    with CaptureQueriesContext(connection) as large:
        needs = {need.book.area_id: need for need in needs_of(county.county, TODAY)}
    assert len(needs) == 7
    assert len(large.captured_queries) == len(small.captured_queries)
    assert needs["620123100202"].cash == _lendable(a2) == Decimal("38032.07")


def test_recalls_and_allocations_edited_approved_and_moving_the_cash(county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    second = county.branches["B1"].users[Role.COUNTY_OFFICE]
    assert office != second
    # No new money at all: only what is recalled is shared.
    proposal = allocation_propose(area=county.county, amount=Decimal("0"), by=office)
    lines = {line.target.area_id: line for line in proposal.lines.all()}
    a1, a2 = lines["620123100201"], lines["620123100202"]
    b1, c1, c2 = lines["620123101201"], lines["620123101202"], lines["620123101203"]
    # A1 and A2 give back 20,000 + 10,000 = 30,000 (test_figures_per_association_by_hand).
    # C1: 8,000 × usage 4,000 / 5,000 = 0.8000 × repayment 1 = 6,400; C2: 6,000 × 5,000 /
    # 10,000 = 0.5000 (not below 50 %: not recalled from) × 1 = 3,000; B1: 0 (nothing repaid).
    # 30,000 × 6,400 / 9,400 = 20,425.53 is more than C1's 8,000: C1 8,000, C2 its 6,000.
    assert [(k, x.kind, x.proposed) for k, x in sorted(lines.items())] == [
        ("620123100201", "recall", Decimal("20000.00")),
        ("620123100202", "recall", Decimal("10000.00")),
        ("620123101201", "allocate", Decimal("0.00")),
        ("620123101202", "allocate", Decimal("8000.00")),
        ("620123101203", "allocate", Decimal("6000.00")),
    ]
    assert (c1.weight, c2.weight, b1.weight) == (
        Decimal("6400.0000"),
        Decimal("3000.0000"),
        Decimal("0.0000"),
    )
    assert (a1.cash, a1.reserve, a1.monthly_disbursed, a1.bank) == (
        Decimal("55000.00"),
        Decimal("4000.00"),
        Decimal("1333.33"),
        Decimal("20000.00"),
    )
    assert "21.60%" in a1.reason and "20,000.00" in a1.reason and "1,333.33" in a1.reason
    assert "33.33%" in b1.reason and "8,000.00" in b1.reason
    assert "8,000.00" in c1.reason and "80.00%" in c1.reason

    # A recall takes no more than A1's bank: at most 20,000.
    with pytest.raises(AllocationError) as refused:
        allocation_update(proposal=proposal, amounts={a1.pk: Decimal("20000.01")}, by=office)
    assert refused.value.code == "recall"
    # Recalling only 5,000 of A2 leaves 20,000 + 5,000 = 25,000; giving B1 30,000 as well
    # would allocate 44,000: refused, nothing written.
    with pytest.raises(AllocationError) as refused:
        allocation_update(
            proposal=proposal, amounts={a2.pk: Decimal("5000"), b1.pk: Decimal("30000")}, by=office
        )
    assert refused.value.code == "total"
    assert AllocationLine.objects.get(pk=a2.pk).amount == Decimal("10000.00")
    allocation_update(
        proposal=proposal,
        amounts={a2.pk: Decimal("5000"), b1.pk: Decimal("1000"), c2.pk: Decimal("5000")},
        by=office,
    )

    # A township committee may not approve.
    with pytest.raises(AllocationError):
        allocation_approve(
            proposal=proposal, by=county.branches["A1"].users[Role.TOWNSHIP_COMMITTEE]
        )
    with at(TODAY):
        transfers = allocation_approve(proposal=proposal, by=office)
    assert [(t.kind, t.target.area_id, t.amount, t.status) for t in transfers] == [
        ("recall", "620123100201", Decimal("20000.00"), "requested"),
        ("recall", "620123100202", Decimal("5000.00"), "requested"),
        ("allocate", "620123101201", Decimal("1000.00"), "requested"),
        ("allocate", "620123101202", Decimal("8000.00"), "requested"),
        ("allocate", "620123101203", Decimal("5000.00"), "requested"),
    ]
    assert transfers[0].reason.startswith("收回闲置资金")
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.approved_by == office
    with pytest.raises(AllocationError):  # approved once only
        allocation_approve(proposal=proposal, by=office)
    with pytest.raises(AllocationError):  # no more editing
        allocation_update(proposal=proposal, amounts={b1.pk: Decimal("1")}, by=office)
    # Nothing posted yet: the pool still holds 50,000; another officer approves (four eyes).
    assert balances_by_key(book=county.pool)["bank"] == Decimal("50000.00")
    with pytest.raises(FundsRuleError):
        transfer_decide(transfer=transfers[0], by=office, approve=True)
    with at(TODAY):
        for transfer in transfers:
            transfer_decide(transfer=transfer, by=second, approve=True)
    # Pool: 50,000 + 20,000 + 5,000 − 1,000 − 8,000 − 5,000 = 61,000.
    assert balances_by_key(book=county.pool)["bank"] == Decimal("61000.00")
    # A1 55,000 − 20,000 (its bank now empty); A2 40,032.07 − 5,000; the receivers hold
    # what they got more.
    assert _lendable(county.branches["A1"]) == Decimal("35000.00")
    assert balances_by_key(book=a1.target)["bank"] == Decimal("0.00")
    assert _lendable(county.branches["A2"]) == Decimal("35032.07")
    assert _lendable(county.branches["B1"]) == Decimal("4000.00")
    assert lendable_cash(c1.target.association) == Decimal("9000.00")
    assert lendable_cash(c2.target.association) == Decimal("10000.00")


def test_no_more_than_the_pool_holds(county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    with pytest.raises(AllocationError) as refused:
        allocation_propose(area=county.county, amount=Decimal("50000.01"), by=office)
    assert refused.value.code == "available"
    with pytest.raises(AllocationError):
        allocation_propose(area=county.county, amount=Decimal("-1"), by=office)
    with pytest.raises(AllocationError):  # a township keeps no pool
        allocation_propose(area=county.townships[0], amount=Decimal("100"), by=office)
    assert not AllocationProposal.objects.exists()


def test_requested_recalls_are_not_recalled_twice(county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    with at(TODAY):
        allocation_approve(
            proposal=allocation_propose(area=county.county, amount=Decimal("0"), by=office),
            by=office,
        )
    # A1's 20,000 and A2's 10,000 are requested, not yet decided: they are no longer lendable
    # (A1 55,000 − 20,000 = 35,000) nor in the bank, so there is nothing left to recall and no
    # new money: refused, nothing written.
    needs = {need.book.area_id: need for need in needs_of(county.county, TODAY)}
    a1 = needs["620123100201"]
    assert (a1.cash, a1.bank, a1.recall) == (Decimal("35000.00"), Decimal("0.00"), Decimal("0"))
    assert "31,000.00" in reason_of(a1)  # idle, but nothing in the bank
    with pytest.raises(AllocationError) as refused:
        allocation_propose(area=county.county, amount=Decimal("0"), by=office)
    assert refused.value.code == "amount"
    assert AllocationProposal.objects.count() == 1


def test_pages_show_the_figures_propose_once_edit_and_approve(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    client.force_login(office)
    url = reverse("reports:allocation", args=["620123"])
    with at(TODAY):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "50,000.00" in html
    # The figures table and the rule with its threshold.
    assert "55,000.00" in html and "51,000.00" not in html and "20,000.00" in html
    assert "50%" in html and "21.60%" in html
    key = page.context["form"]["idempotency_key"].value()
    with at(TODAY):
        for _twice in range(2):
            response = client.post(url, {"amount": "5000", "idempotency_key": key})
            assert response.status_code == 302
    proposal = AllocationProposal.objects.get()
    assert response["Location"] == reverse("reports:allocation_detail", args=[proposal.pk])
    lines = {line.target.area_id: line for line in proposal.lines.all()}
    # 5,000 + 30,000 recalled covers C1's 8,000 and C2's 6,000 in full.
    assert [(k, x.kind, x.proposed) for k, x in sorted(lines.items()) if x.proposed] == [
        ("620123100201", "recall", Decimal("20000.00")),
        ("620123100202", "recall", Decimal("10000.00")),
        ("620123101202", "allocate", Decimal("8000.00")),
        ("620123101203", "allocate", Decimal("6000.00")),
    ]
    detail = client.get(response["Location"]).content.decode()
    assert "30,000.00" in detail and "14,000.00" in detail and "新庄村" in detail
    data = {f"line_{line.pk}": str(line.amount) for line in lines.values()}
    data[f"line_{lines['620123101201'].pk}"] = "-5"
    assert client.post(response["Location"], data).status_code == 200
    data[f"line_{lines['620123101201'].pk}"] = "abc"
    assert client.post(response["Location"], data).status_code == 200
    data[f"line_{lines['620123101201'].pk}"] = "0"
    data[f"line_{lines['620123100201'].pk}"] = "40000"  # more than A1's bank of 20,000
    refused = client.post(response["Location"], data)
    assert refused.status_code == 200 and "最多收回 20,000.00 元" in refused.content.decode()
    assert AllocationLine.objects.get(pk=lines["620123100201"].pk).amount == Decimal("20000.00")
    assert AllocationLine.objects.get(pk=lines["620123101201"].pk).amount == Decimal("0.00")
    approve = reverse("reports:allocation_approve", args=[proposal.pk])
    assert client.get(approve).status_code == 405
    assert client.post(approve).status_code == 302
    requested = Transfer.objects.filter(pool=county.pool, status="requested")
    assert sorted(requested.values_list("kind", "amount")) == [
        ("allocate", Decimal("6000.00")),
        ("allocate", Decimal("8000.00")),
        ("recall", Decimal("10000.00")),
        ("recall", Decimal("20000.00")),
    ]
    # The other township's committee, and a village clerk, see no proposal.
    for role in (Role.TOWNSHIP_COMMITTEE, Role.VILLAGE_CLERK):
        client.force_login(county.branches["B1"].users[role])
        detail_url = reverse("reports:allocation_detail", args=[proposal.pk])
        assert client.get(detail_url).status_code == 404
        assert client.get(url).status_code == 404
