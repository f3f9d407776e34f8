"""Personal guarantors and enterprise/cooperative placements."""

import datetime

import pytest

from guarantees.exceptions import GuaranteeRuleError
from guarantees.models import PersonalGuarantee, Placement
from guarantees.services import personal_guarantee_create, placement_create
from tests import factories

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 4, 1)


def _clerk(member):
    return factories.clerk_of(member.association)


def test_a_member_guarantees_another_of_the_same_association(world, people):
    _leaders, households = people
    guarantee = personal_guarantee_create(
        borrower=households[0],
        guarantor=households[1],
        agreed_on=ON,
        by=_clerk(households[0]),
        note="亲属担保",
    )
    assert (guarantee.association, guarantee.note) == (world.inside.association, "亲属担保")


@pytest.mark.parametrize("case", ["self", "other_association"])
def test_bad_guarantors_are_refused(world, people, case):
    _leaders, households = people
    guarantor = households[0] if case == "self" else factories.member(world.outside.association)
    with pytest.raises(GuaranteeRuleError) as error:
        personal_guarantee_create(
            borrower=households[0], guarantor=guarantor, agreed_on=ON, by=_clerk(households[0])
        )
    assert error.value.code == {"self": "self_guarantee", "other_association": "not_active"}[case]
    assert not PersonalGuarantee.objects.exists()


def test_placement_with_a_cooperative(people):
    _leaders, households = people
    placement = placement_create(
        member=households[0],
        partner_kind="cooperative",
        partner_name="榆中县高原夏菜专业合作社",
        agreed_on=ON,
        dividend_terms="每年按入社资金的8%分红",
        by=_clerk(households[0]),
    )
    assert placement.get_partner_kind_display() == "合作社带动"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"partner_kind": "bank"}, "partner_kind"),
        ({"partner_name": " "}, "partner_name"),
        ({"dividend_terms": ""}, "dividend_terms"),
        ({"agreed_on": datetime.date(2999, 1, 1)}, "future_date"),
    ],
)
def test_bad_placements_are_refused(people, changes, code):
    _leaders, households = people
    fields = {
        "member": households[0],
        "partner_kind": "enterprise",
        "partner_name": "某肉牛养殖企业",
        "agreed_on": ON,
        "dividend_terms": "年底分红",
        "by": _clerk(households[0]),
        **changes,
    }
    with pytest.raises(GuaranteeRuleError) as error:
        placement_create(**fields)
    assert error.value.code == code
    assert not Placement.objects.exists()


def test_only_the_clerk_of_the_village_creates_guarantee_forms(world, people):
    """A board member of the village, and a clerk of another village who also audits this
    county, are refused: the role must be held at this village."""
    _leaders, households = people
    two_roles = world.outside.users["village_clerk"]
    factories.role_assign_extra(two_roles, "auditor", world.inside.county)
    for by in (world.inside.users["village_board"], two_roles):
        with pytest.raises(GuaranteeRuleError) as error:
            placement_create(
                member=households[0],
                partner_kind="enterprise",
                partner_name="某肉牛养殖企业",
                agreed_on=ON,
                dividend_terms="年底分红",
                by=by,
            )
        assert error.value.code == "role"
        with pytest.raises(GuaranteeRuleError) as error:
            personal_guarantee_create(
                borrower=households[0], guarantor=households[1], agreed_on=ON, by=by
            )
        assert error.value.code == "role"
    assert not Placement.objects.exists() and not PersonalGuarantee.objects.exists()
