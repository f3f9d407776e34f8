"""Loan policy: tightest along the path, saving never widens, nothing written when refused."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from loans.domain.policy_rules import EffectivePolicy
from loans.exceptions import LoanRuleError
from loans.models import LoanPolicy, PurposeCode
from loans.selectors.policy import effective_policy, path_codes
from loans.services.policy import policy_save

ALL_PURPOSES = frozenset(PurposeCode.values)


@pytest.fixture
def city_office(world):
    return world.inside.users["city_office"]


def save(target, by, purposes=(), **values):
    return policy_save(target=target, by=by, values=values, purposes=purposes)


def test_path_codes_come_from_the_code_alone():
    assert path_codes("620123100201") == {
        "62",
        "620000",
        "620100",
        "620123",
        "620123100",
        "620123100201",
    }
    assert path_codes("620123") == {"62", "620000", "620100", "620123"}


def test_without_policies_the_defaults_of_design_apply(world):
    policy = effective_policy(world.inside.association)
    assert policy == EffectivePolicy(purposes=ALL_PURPOSES)
    assert (policy.min_amount, policy.max_amount, policy.first_loan_max_amount) == (
        D("1000.00"),
        D("20000.00"),
        D("10000.00"),
    )
    assert (policy.usual_term_months, policy.max_term_months) == (12, 24)
    assert (policy.fee_rate, policy.fee_method, policy.overdue_multiplier) == (
        D("0.0600"),
        "declining",
        D("1.50"),
    )
    assert (policy.notice_days, policy.write_off_overdue_months) == (3, 12)
    assert (
        policy.min_leaders,
        policy.max_leaders,
        policy.min_households,
        policy.max_households,
    ) == (1, 2, 3, 5)
    assert policy.group_stop is True and policy.concurrent_borrowers_per_group is None
    assert policy.source("max_amount") is None


def test_tightest_value_along_the_path_with_its_source(world, city_office, office, purposes):
    inside = world.inside
    save(
        inside.city,
        city_office,
        max_amount=D("15000"),
        notice_days=5,
        purposes=[purposes["livestock"], purposes["crops"], purposes["orchards"]],
    )
    save(
        inside.county,
        office,
        max_amount=D("12000"),
        min_amount=D("2000"),
        concurrent_borrowers_per_group=2,
    )
    save(
        inside.association,
        office,
        max_amount=D("8000"),
        purposes=[purposes["crops"]],
        notice_days=7,
    )
    policy = effective_policy(inside.association)
    assert (policy.min_amount, policy.source("min_amount")) == (D("2000"), "榆中县")
    assert (policy.max_amount, policy.source("max_amount")) == (D("8000"), "三角城村互助协会")
    # The first-loan cap (10000 by default) cannot exceed the maximum amount.
    assert policy.first_loan_max_amount == D("8000")
    assert (policy.notice_days, policy.source("notice_days")) == (7, "三角城村互助协会")
    assert policy.concurrent_borrowers_per_group == 2
    assert policy.purposes == {"crops"}
    # The township sees the county's and city's limits, not the association's.
    township = effective_policy(inside.township)
    assert (township.max_amount, township.source("max_amount")) == (D("12000"), "榆中县")
    assert township.purposes == {"livestock", "crops", "orchards"}
    # The outside branch is not touched by the inside city's policy.
    assert effective_policy(world.outside.association).max_amount == D("20000.00")


def test_a_wider_lower_policy_left_behind_by_a_later_upper_change_does_not_count(
    world, city_office, office
):
    save(world.inside.county, office, max_amount=D("18000"))
    save(world.inside.city, city_office, max_amount=D("15000"))  # tightened afterwards above
    policy = effective_policy(world.inside.association)
    assert (policy.max_amount, policy.source("max_amount")) == (D("15000"), "兰州市")


def test_effective_policy_takes_a_fixed_number_of_queries(
    world, office, city_office, django_assert_max_num_queries
):
    save(world.inside.city, city_office, max_amount=D("15000"))
    for area in (world.inside.county, world.inside.township):
        save(area, office, max_amount=D("15000"))
    save(world.inside.association, office, max_amount=D("9000"))
    with django_assert_max_num_queries(3):
        assert effective_policy(world.inside.association).max_amount == D("9000")


def test_usual_term_never_exceeds_the_maximum(world, office):
    save(world.inside.county, office, max_term_months=10)
    policy = effective_policy(world.inside.association)
    assert (policy.usual_term_months, policy.max_term_months) == (10, 10)
    assert policy.source("usual_term_months") == "榆中县"


def test_prices_are_fixed_by_the_highest_level_that_sets_them(world, city_office, office):
    save(world.inside.city, city_office, fee_rate=D("0.0800"))  # the top may leave the default
    save(world.inside.county, office, fee_rate=D("0.0800"), overdue_multiplier=D("2.00"))
    policy = effective_policy(world.inside.association)
    assert (policy.fee_rate, policy.source("fee_rate")) == (D("0.0800"), "兰州市")
    assert (policy.overdue_multiplier, policy.source("overdue_multiplier")) == (
        D("2.00"),
        "榆中县",
    )
    with pytest.raises(LoanRuleError) as error:
        save(world.inside.association, office, fee_rate=D("0.0500"))
    assert error.value.code == "widens_fee_rate"
    assert "8.00%" in str(error.value) and "兰州市" in str(error.value)


REFUSALS = [
    # (county policy, association policy, code)
    ({"max_amount": D("12000")}, {"max_amount": D("12000.01")}, "widens_max_amount"),
    ({"min_amount": D("2000")}, {"min_amount": D("1500")}, "widens_min_amount"),
    ({}, {"first_loan_max_amount": D("10000.01")}, "widens_first_loan_max_amount"),
    ({"max_term_months": 18}, {"max_term_months": 24}, "widens_max_term_months"),
    ({}, {"usual_term_months": 10, "max_term_months": 8}, "range_usual_term_months"),
    ({"notice_days": 5}, {"notice_days": 4}, "widens_notice_days"),
    ({"min_leaders": 2}, {"min_leaders": 1}, "widens_min_leaders"),
    ({}, {"max_households": 6}, "widens_max_households"),
    ({}, {"group_stop": False}, "widens_group_stop"),
    ({"poor_first": True}, {"poor_first": False}, "widens_poor_first"),
    (
        {"concurrent_borrowers_per_group": 2},
        {"concurrent_borrowers_per_group": 3},
        "widens_concurrent_borrowers_per_group",
    ),
    (
        {"write_off_overdue_months": 18},
        {"write_off_overdue_months": 12},
        "widens_write_off_overdue_months",
    ),
    ({"fee_method": "declining"}, {"fee_method": "flat"}, "widens_fee_method"),
    ({"min_amount": D("5000")}, {"max_amount": D("4000")}, "contradicts_min_amount_max_amount"),
    ({}, {"min_amount": D("12000")}, "contradicts_min_amount_first_loan_max_amount"),
    ({}, {"max_amount": D("0")}, "range_max_amount"),
    ({}, {"fee_rate": D("0.3")}, "range_fee_rate"),
    ({}, {"overdue_multiplier": D("0.5")}, "range_overdue_multiplier"),
    ({}, {"max_term_months": 25}, "range_max_term_months"),
]


@pytest.mark.parametrize(("county", "association", "code"), REFUSALS, ids=[r[2] for r in REFUSALS])
def test_every_widening_is_refused_and_nothing_is_written(world, office, county, association, code):
    if county:
        save(world.inside.county, office, **county)
    save(world.inside.association, office, max_amount=D("9000"))  # an existing policy
    before = list(LoanPolicy.objects.values())
    with pytest.raises(LoanRuleError) as error:
        save(world.inside.association, office, **{"max_amount": None, **association})
    assert error.value.code == code
    assert str(error.value)
    assert list(LoanPolicy.objects.values()) == before


def test_purposes_may_only_narrow(world, office, purposes):
    save(world.inside.county, office, purposes=[purposes["livestock"], purposes["crops"]])
    with pytest.raises(LoanRuleError) as error:
        save(world.inside.association, office, purposes=[purposes["crops"], purposes["marketing"]])
    assert error.value.code == "widens_purposes"
    assert not LoanPolicy.objects.filter(association=world.inside.association).exists()
    save(world.inside.association, office, purposes=[purposes["crops"]])
    assert effective_policy(world.inside.association).purposes == {"crops"}


def test_refusal_names_the_limit_and_the_ancestor_in_chinese(world, office):
    save(world.inside.county, office, max_amount=D("12000"))
    with translation.override("zh-hans"), pytest.raises(LoanRuleError) as error:
        save(world.inside.township, office, max_amount=D("15000"))
    message = str(error.value)
    assert "最高借款金额" in message and "榆中县" in message and "12000" in message


def test_refusal_names_the_defaults_when_nobody_set_the_limit(world, city_office, office):
    with translation.override("en"), pytest.raises(LoanRuleError) as error:
        save(world.inside.city, city_office, max_amount=D("30000"))
    assert "the defaults" in str(error.value) and "20000" in str(error.value)


def test_a_village_area_takes_its_policy_on_the_association(world, office):
    with pytest.raises(LoanRuleError) as error:
        save(world.inside.village, office, max_amount=D("5000"))
    assert error.value.code == "village_area"
    assert not LoanPolicy.objects.exists()


def test_saving_again_replaces_the_policy(world, office):
    first = save(world.inside.county, office, max_amount=D("12000"), notice_days=5)
    second = save(world.inside.county, office, max_amount=D("11000"))
    assert first.pk == second.pk
    second.refresh_from_db()
    assert (second.max_amount, second.notice_days, second.scope_code) == (
        D("11000"),
        None,
        "620123",
    )


@pytest.mark.parametrize(
    "fields",
    [
        {},  # no target at all
        {"min_amount": D("5000"), "max_amount": D("4000")},
        {"fee_rate": D("0.5")},
        {"max_term_months": 30},
    ],
)
def test_database_refuses_broken_rows(world, fields):
    values = {"area": world.inside.county, "scope_code": "620123", **fields}
    if not fields:
        values = {"scope_code": "620123"}
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanPolicy.objects.create(**values)


def test_database_refuses_two_targets_and_a_wrong_scope(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanPolicy.objects.create(
            area=world.inside.county, association=world.inside.association, scope_code="620123"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanPolicy.objects.create(area=world.inside.county, scope_code="620502")
