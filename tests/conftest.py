import os
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import connection

from associations.models import Area, Association, Role, User
from tests import factories


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # rate-limit counters live in the cache (Redis in CI)
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _ci_uses_real_services(django_db_setup, django_db_blocker):
    """Under CI a run that fell back to SQLite or a local cache is a failure, not a pass."""
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql", (
            f"CI must test on PostgreSQL, got {connection.vendor}"
        )
        from django.conf import settings

        assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "CI must use Redis"


@dataclass
class Branch:
    """One line of the tree: city › county › township › village with its association."""

    city: Area
    county: Area
    township: Area
    village: Area
    association: Association
    users: dict[str, User] = field(default_factory=dict)

    def area_for(self, role: str) -> Area:
        return getattr(self, factories.ROLE_AREA_LEVEL[role])


@dataclass
class World:
    province: Area
    inside: Branch
    outside: Branch


def _branch(province: Area, codes: tuple[str, str, str, str], names, tag: str) -> Branch:
    city = factories.area(codes[0], names[0], "city", province)
    county = factories.area(codes[1], names[1], "county", city)
    township = factories.area(codes[2], names[2], "township", county)
    village = factories.area(codes[3], names[3], "village", township)
    branch = Branch(city, county, township, village, factories.association(village))
    for role in Role.values:
        branch.users[role] = factories.user_with_role(
            role, branch.area_for(role), username=f"{role}_{tag}"
        )
    return branch


@pytest.fixture
def world(db) -> World:
    """Two branches in different cities, one user per role in each: in scope and out of scope."""
    _ensure_reference_data()
    province = factories.area("620000", "甘肃省", "province")
    inside = _branch(
        province,
        ("620100", "620123", "620123100", "620123100201"),
        ("兰州市", "榆中县", "城关镇", "三角城村"),
        "in",
    )
    outside = _branch(
        province,
        ("620500", "620502", "620502100", "620502100201"),
        ("天水市", "秦州区", "大城街道", "大城村"),
        "out",
    )
    return World(province, inside, outside)


def _ensure_reference_data() -> None:
    """Rows that data migrations create (the loan purposes). A transactional test empties
    every table when it ends, so later tests put them back."""
    from importlib import import_module

    from loans.models import LoanPurpose

    cycles = import_module("loans.migrations.0002_default_purposes").CYCLES
    for code, months in cycles.items():
        LoanPurpose.objects.get_or_create(code=code, defaults={"typical_cycle_months": months})
