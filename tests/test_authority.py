"""Members, groups, imports and books: each writing service refuses a user who holds the right
role only in another area, even when that user also audits this area (issue 9's two-role hole),
and a user of this village with the wrong role. Nothing is written."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from associations.exceptions import MemberRuleError
from associations.models import Member, Role, VillageGroup
from associations.services.member_import import members_import
from associations.services.members import (
    member_create,
    member_exit,
    member_update,
    other_loan_add,
    village_group_create,
)
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, book_for_association, journal_post, journal_reverse, month_close
from funds.models import Expense, JournalEntry, MonthClose
from funds.services import capital_receive, expense_record, member_contribution_receive
from guarantees.exceptions import GuaranteeRuleError
from guarantees.models import GuaranteeGroup
from guarantees.services import group_form
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0), tick=False):
        yield


def _refused(world, roles: set[str]):
    """The right role in the other city plus an auditor's role over this county; and every role
    of this village's own users that is not one of `roles`."""
    users = [
        factories.role_assign_extra(world.outside.users[role], Role.AUDITOR, world.inside.county)
        for role in roles
    ]
    users += [u for role, u in world.inside.users.items() if role not in roles]
    return users


def test_roster_writes_need_the_clerk_of_this_village(world):
    association = world.inside.association
    member = factories.member(association, joined_on=D(2024, 1, 1))
    fields = {
        "name": "新农户",
        "id_number": factories.id_number(77001),
        "mobile": "",
        "village_group": factories.village_group(association),
        "household_size": 3,
        "labourers": 1,
        "poverty_status": "registered_poor",
        "is_party_member": False,
        "is_wealth_leader": False,
        "joined_on": D(2025, 1, 1),
    }
    calls = [
        lambda by: member_create(association=association, by=by, **fields),
        lambda by: member_update(member=member, by=by, household_size=9),
        lambda by: member_exit(member=member, by=by, on=D(2026, 2, 1), reason="迁出"),
        lambda by: other_loan_add(
            member=member,
            by=by,
            kind="targeted_poverty",
            lender="农商银行",
            amount=Decimal("50000"),
            due_on=D(2027, 1, 1),
        ),
        lambda by: village_group_create(association=association, name="九组", by=by),
        lambda by: members_import(association=association, rows=[], by=by, dry_run=True),
    ]
    for by in _refused(world, {Role.VILLAGE_CLERK}):
        for call in calls:
            with pytest.raises(MemberRuleError) as raised:
                call(by)
            assert raised.value.code == "role", by.username
    member.refresh_from_db()
    assert (member.status, member.household_size) == ("active", 4)
    assert Member.objects.count() == 1 and not member.other_loans.exists()
    assert not VillageGroup.objects.filter(name="九组").exists()


def test_forming_a_group_needs_the_clerk_of_this_village(world):
    association = world.inside.association
    leader = factories.member(association, is_party_member=True)
    households = [factories.member(association) for _ in range(3)]
    for by in _refused(world, {Role.VILLAGE_CLERK}):
        with pytest.raises(GuaranteeRuleError) as raised:
            group_form(
                association=association,
                name="联保三组",
                formed_on=D(2026, 1, 1),
                leaders=[leader],
                households=households,
                by=by,
            )
        assert raised.value.code == "role"
    assert not GuaranteeGroup.objects.exists()


def test_book_writes_need_their_role_at_this_village_or_township(world):
    association = world.inside.association
    book = book_for_association(association)
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    capital_receive(
        book=book,
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("1000"),
        received_on=D(2026, 1, 2),
        by=clerk,
    )
    member = factories.member(association)
    other = journal_post(
        book=book,
        date=D(2026, 1, 3),
        kind="other",
        by=clerk,
        memo="存入银行",
        lines=[Dr("bank", Decimal("100")), Cr("cash", Decimal("100"))],
    )
    before = JournalEntry.objects.count()
    recorders = {Role.VILLAGE_CLERK, Role.TOWNSHIP_STATION}
    for by in _refused(world, recorders):
        for call in (
            lambda by: capital_receive(
                book=book,
                source="government",
                contributor="x",
                amount=Decimal("1"),
                received_on=D(2026, 1, 5),
                by=by,
            ),
            lambda by: expense_record(
                book=book,
                category="office",
                payee="文具店",
                amount=Decimal("50"),
                spent_on=D(2026, 1, 5),
                by=by,
            ),
            lambda by: member_contribution_receive(
                member=member, amount=Decimal("200"), on=D(2026, 1, 5), by=by
            ),
        ):
            with pytest.raises(FundsRuleError) as raised:
                call(by)
            assert raised.value.code == "role"
    for by in _refused(world, {Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION}):
        with pytest.raises(FundsRuleError) as raised:
            journal_reverse(entry=other, by=by, reason="错", date=D(2026, 1, 6))
        assert raised.value.code == "role"
    for by in _refused(world, {Role.TOWNSHIP_STATION}):
        with pytest.raises(FundsRuleError) as raised:
            month_close(book=book, month=D(2026, 1, 1), by=by)
        assert raised.value.code == "role"
    assert JournalEntry.objects.count() == before
    assert not Expense.objects.exists() and not MonthClose.objects.exists()
