"""Exit and the refund of the member's own contribution (the seam for the funds app)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from associations import hooks
from associations.exceptions import MemberRuleError
from associations.models import Member, MemberEvent
from associations.services.members import member_exit
from funds.models import JournalEntry
from funds.services import member_contribution_held
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 6, 30, 10, 0), tick=False):
        yield


@pytest.fixture
def member(world):
    from funds.services import member_contribution_receive

    member = factories.member(
        world.inside.association,
        joined_on=datetime.date(2024, 6, 30),
    )
    # The contribution went into the association's cash when the household joined.
    member_contribution_receive(
        member=member,
        amount=Decimal("500.00"),
        on=member.joined_on,
        by=factories.clerk_of(member.association),
    )
    return member


def _unchanged(member):
    fresh = Member.objects.get(pk=member.pk)
    return fresh.status == "active" and fresh.refund_amount is None and fresh.exited_on is None


def test_exit_after_twelve_months_refunds_the_contribution_through_the_seam(world, member):
    clerk = world.inside.users["village_clerk"]
    member_exit(member=member, by=clerk, on=TODAY, reason="迁出本村")
    member.refresh_from_db()
    assert (member.status, member.exited_on, member.refund_amount) == (
        "exited",
        TODAY,
        Decimal("500.00"),
    )
    refund = JournalEntry.objects.get(kind="refund", source_id=member.pk)
    assert (refund.date, refund.created_by) == (TODAY, clerk)
    assert member_contribution_held(member) == Decimal("0.00")
    assert member.events.filter(kind="exited", by=clerk).count() == 1


def test_one_day_short_of_twelve_months_refuses_the_refund(member):
    with pytest.raises(MemberRuleError) as error:
        member_exit(
            member=member,
            by=factories.clerk_of(member.association),
            on=datetime.date(2025, 6, 29),
            reason="x",
        )
    assert error.value.code == "refund_too_early"
    assert "12" in str(error.value)
    assert _unchanged(member)


def test_exit_without_refund_is_allowed_before_twelve_months(member):
    member_exit(
        member=member,
        by=factories.clerk_of(member.association),
        on=datetime.date(2025, 1, 1),
        reason="x",
        refund=False,
    )
    member.refresh_from_db()
    assert (member.status, member.refund_amount) == ("exited", Decimal("0.00"))
    assert not JournalEntry.objects.filter(kind="refund").exists()


def test_the_months_come_from_the_setting(settings, member):
    settings.MEMBER_REFUND_AFTER_MONTHS = 6
    member_exit(
        member=member,
        by=factories.clerk_of(member.association),
        on=datetime.date(2024, 12, 30),
        reason="x",
    )
    member.refresh_from_db()
    assert member.refund_amount == Decimal("500.00")


def test_a_household_an_upper_app_holds_back_cannot_exit(member, monkeypatch):
    monkeypatch.setattr(hooks, "exit_guards", [lambda m: "还有未结清的借款"])
    with pytest.raises(MemberRuleError) as error:
        member_exit(member=member, by=factories.clerk_of(member.association), on=TODAY, reason="x")
    assert (error.value.code, error.value.message) == ("exit_guard", "还有未结清的借款")
    assert _unchanged(member)
    assert not MemberEvent.objects.filter(kind="exited").exists()


def test_a_failing_journal_posting_leaves_nothing_written(member, monkeypatch):
    def post_refund(**kwargs):
        raise RuntimeError("the books refused")

    monkeypatch.setattr(hooks, "refund_posters", [post_refund])
    with pytest.raises(RuntimeError):
        member_exit(member=member, by=factories.clerk_of(member.association), on=TODAY, reason="x")
    assert _unchanged(member)
    assert not MemberEvent.objects.filter(kind="exited").exists()


@pytest.mark.parametrize(
    ("on", "reason", "code"),
    [
        (datetime.date(2024, 6, 29), "x", "exit_date"),
        (datetime.date(2025, 7, 1), "x", "exit_date"),
        (TODAY, "  ", "exit_reason"),
    ],
)
def test_bad_dates_and_a_missing_reason_are_refused(member, on, reason, code):
    with pytest.raises(MemberRuleError) as error:
        member_exit(member=member, by=factories.clerk_of(member.association), on=on, reason=reason)
    assert error.value.code == code
    assert _unchanged(member)


def test_a_member_exits_once(member):
    member_exit(member=member, by=factories.clerk_of(member.association), on=TODAY, reason="x")
    with pytest.raises(MemberRuleError) as error:
        member_exit(
            member=member, by=factories.clerk_of(member.association), on=TODAY, reason="again"
        )
    assert error.value.code == "already_exited"
    assert member.events.filter(kind="exited").count() == 1
