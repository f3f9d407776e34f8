"""Allocation of new capital by need (reports.allocation) on the hand-built county: the
formula worked by hand, the office's edits, approval into transfer requests through the funds
services (four eyes), idempotent proposing, role checks and scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import pool_book_open
from funds.models import Transfer
from funds.selectors import balances_by_key
from funds.services import capital_receive, transfer_decide
from reports.allocation import (
    AllocationError,
    Need,
    allocation_approve,
    allocation_propose,
    allocation_update,
    need_of,
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


def test_a_proposal_by_need_edited_and_approved_into_transfers(county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    second = county.branches["B1"].users[Role.COUNTY_OFFICE]
    assert office != second
    proposal = allocation_propose(area=county.county, amount=Decimal("12000"), by=office)
    lines = {line.target.area_id: line for line in proposal.lines.all()}
    assert set(lines) == {
        "620123100201",
        "620123100202",
        "620123101201",
        "620123101202",
        "620123101203",
    }
    b1, c1, c2 = lines["620123101201"], lines["620123101202"], lines["620123101203"]
    # C1: 8,000 × usage 4,000 / 5,000 = 0.8000 × repayment 1 = 6,400.
    assert (c1.waitlisted, c1.fund_usage_rate, c1.repayment_rate, c1.weight) == (
        Decimal("8000.00"),
        Decimal("0.8000"),
        None,
        Decimal("6400.0000"),
    )
    # C2: 6,000 × 5,000 / 10,000 = 0.5000 × 1 = 3,000.
    assert c2.weight == Decimal("3000.0000")
    # B1: 8,000 waiting but nothing repaid of the 5,000 fallen due (L6): weight 0.
    assert (b1.waitlisted, b1.repayment_rate, b1.weight) == (
        Decimal("8000.00"),
        Decimal("0.0000"),
        Decimal("0.0000"),
    )
    # 12,000 × 6,400 / 9,400 = 8,170.21 is more than C1's 8,000 waiting: C1 gets 8,000 and
    # C2 the other 4,000 (under its 6,000); A1 and A2 wait for nothing.
    assert [(k, line.proposed) for k, line in sorted(lines.items())] == [
        ("620123100201", Decimal("0.00")),
        ("620123100202", Decimal("0.00")),
        ("620123101201", Decimal("0.00")),
        ("620123101202", Decimal("8000.00")),
        ("620123101203", Decimal("4000.00")),
    ]
    assert "8,000.00" in c1.reason and "80.00%" in c1.reason

    # Giving B1 5,000 as well would make 17,000, more than the 12,000: refused, nothing
    # written.
    with pytest.raises(AllocationError) as refused:
        allocation_update(proposal=proposal, amounts={b1.pk: Decimal("5000")}, by=office)
    assert refused.value.code == "total"
    assert AllocationLine.objects.get(pk=b1.pk).amount == Decimal("0.00")
    allocation_update(
        proposal=proposal, amounts={c2.pk: Decimal("3000"), b1.pk: Decimal("1000")}, by=office
    )

    # A township committee may not approve.
    with pytest.raises(AllocationError):
        allocation_approve(
            proposal=proposal, by=county.branches["A1"].users[Role.TOWNSHIP_COMMITTEE]
        )
    with at(TODAY):
        transfers = allocation_approve(proposal=proposal, by=office)
    assert sorted((t.target.area_id, t.amount, t.status) for t in transfers) == [
        ("620123101201", Decimal("1000.00"), "requested"),
        ("620123101202", Decimal("8000.00"), "requested"),
        ("620123101203", Decimal("3000.00"), "requested"),
    ]
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
    assert balances_by_key(book=county.pool)["bank"] == Decimal("38000.00")


def test_no_more_than_the_pool_holds(county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    with pytest.raises(AllocationError) as refused:
        allocation_propose(area=county.county, amount=Decimal("50000.01"), by=office)
    assert refused.value.code == "available"
    with pytest.raises(AllocationError):
        allocation_propose(area=county.county, amount=Decimal("0"), by=office)
    with pytest.raises(AllocationError):  # a township keeps no pool
        allocation_propose(area=county.townships[0], amount=Decimal("100"), by=office)
    assert not AllocationProposal.objects.exists()


def test_pages_propose_once_edit_and_approve(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    client.force_login(office)
    url = reverse("reports:allocation", args=["620123"])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "50,000.00" in html
    key = page.context["form"]["idempotency_key"].value()
    for _twice in range(2):
        response = client.post(url, {"amount": "5000", "idempotency_key": key})
        assert response.status_code == 302
    proposal = AllocationProposal.objects.get()
    assert response["Location"] == reverse("reports:allocation_detail", args=[proposal.pk])
    lines = {line.target.area_id: line for line in proposal.lines.all()}
    # 5,000 × 6,400 / 9,400 = 3,404.26 → 3,400; × 3,000 / 9,400 = 1,595.74 → 1,500.
    assert (lines["620123101202"].proposed, lines["620123101203"].proposed) == (
        Decimal("3400.00"),
        Decimal("1500.00"),
    )
    detail = client.get(response["Location"]).content.decode()
    assert "3,400.00" in detail and "新庄村" in detail
    data = {f"line_{line.pk}": str(line.amount) for line in lines.values()}
    data[f"line_{lines['620123101201'].pk}"] = "-5"
    assert client.post(response["Location"], data).status_code == 200
    data[f"line_{lines['620123101201'].pk}"] = "abc"
    assert client.post(response["Location"], data).status_code == 200
    assert AllocationLine.objects.get(pk=lines["620123101201"].pk).amount == Decimal("0.00")
    approve = reverse("reports:allocation_approve", args=[proposal.pk])
    assert client.get(approve).status_code == 405
    assert client.post(approve).status_code == 302
    assert Transfer.objects.filter(pool=county.pool, status="requested").count() == 2
    # The other township's committee, and a village clerk, see no proposal.
    for role in (Role.TOWNSHIP_COMMITTEE, Role.VILLAGE_CLERK):
        client.force_login(county.branches["B1"].users[role])
        detail_url = reverse("reports:allocation_detail", args=[proposal.pk])
        assert client.get(detail_url).status_code == 404
        assert client.get(url).status_code == 404
