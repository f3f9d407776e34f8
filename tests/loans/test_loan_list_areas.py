"""County and city users narrow the loan list to a township or a village (issue 10)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from loans.models import LoanPurpose
from loans.services import applications
from tests import factories

pytestmark = pytest.mark.django_db


def _draft(association, name):
    clerk = factories.clerk_of(association)
    borrower = factories.member(association, name=name)
    guarantor = factories.member(association, name=f"{name}担保人")
    return applications.loan_apply(
        association=association,
        member=borrower,
        amount=Decimal("5000"),
        term_months=12,
        purpose=LoanPurpose.objects.get(code="livestock"),
        schedule_kind="lump_sum",
        guarantee_kind="personal",
        guarantor=guarantor,
        by=clerk,
    )


def test_the_county_filters_its_loans_by_village_and_township(client, world):
    inside = world.inside
    village2 = factories.area("620123100202", "周前村", "village", inside.township)
    town2 = factories.area("620123101", "夏官营镇", "township", inside.county)
    village3 = factories.area("620123101201", "红柳沟村", "village", town2)
    for association, name in (
        (inside.association, "甲农户"),
        (factories.association(village2), "乙农户"),
        (factories.association(village3), "丙农户"),
    ):
        _draft(association, name)
    client.force_login(inside.users[Role.COUNTY_OFFICE])
    url = reverse("loans:loan_list")
    page = client.get(url).content.decode()
    assert all(n in page for n in ("甲农户", "乙农户", "丙农户")) and "夏官营镇" in page
    page = client.get(url, {"area": village2.code}).content.decode()
    assert "乙农户" in page and "甲农户" not in page and "丙农户" not in page
    page = client.get(url, {"area": inside.township.code}).content.decode()
    assert "甲农户" in page and "乙农户" in page and "丙农户" not in page
    # A code outside the user's scope or not a code at all filters nothing (and breaks nothing).
    for bad in (world.outside.village.code, "9" * 25, "<x>"):
        response = client.get(url, {"area": bad})
        assert response.status_code == 200 and "丙农户" in response.content.decode()


def test_a_village_clerk_gets_no_area_filter(client, world):
    _draft(world.inside.association, "甲农户")
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    assert 'name="area"' not in client.get(reverse("loans:loan_list")).content.decode()
