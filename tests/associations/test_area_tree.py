import pytest
from django.db import IntegrityError, transaction

from associations.exceptions import AssociationRuleError
from associations.models import Area
from associations.services.areas import area_create


@pytest.fixture
def gansu(db):
    return area_create(code="620000", name="甘肃省", level="province", parent=None)


def test_levels_and_prefixes(gansu):
    city = area_create(code="620100", name="兰州市", level="city", parent=gansu)
    county = area_create(code="620123", name="榆中县", level="county", parent=city)
    town = area_create(code="620123100", name="城关镇", level="township", parent=county)
    village = area_create(code="620123100201", name="三角城村", level="village", parent=town)
    assert [a.prefix for a in (gansu, city, county, town, village)] == [
        "62",
        "6201",
        "620123",
        "620123100",
        "620123100201",
    ]
    assert list(Area.objects.subtree(county).values_list("code", flat=True)) == [
        "620123",
        "620123100",
        "620123100201",
    ]
    assert gansu.contains(village) and not town.contains(county)


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("6201", "city"),
        ("62012", "county"),
        ("620123100", "county"),
        ("62012310020", "village"),
        ("62012A", "county"),
        ("620123", "township"),
    ],
)
def test_code_length_must_match_level(gansu, code, level):
    with pytest.raises(AssociationRuleError) as raised:
        area_create(code=code, name="x", level=level, parent=gansu)
    assert raised.value.code == "code_length"
    assert not Area.objects.filter(code=code).exists()


def test_child_code_must_start_with_parent_code(gansu):
    city = area_create(code="620100", name="兰州市", level="city", parent=gansu)
    with pytest.raises(AssociationRuleError) as raised:
        area_create(code="620523", name="错县", level="county", parent=city)
    assert raised.value.code == "parent_prefix"
    assert "620523" in str(raised.value)


def test_child_must_be_below_parent_level(gansu):
    city = area_create(code="620100", name="兰州市", level="city", parent=gansu)
    with pytest.raises(AssociationRuleError) as raised:
        area_create(code="620200", name="嘉峪关市", level="city", parent=city)
    assert raised.value.code == "parent_level"


def test_one_root_per_province(gansu):
    with pytest.raises(AssociationRuleError) as raised:
        area_create(code="620100", name="兰州市", level="city", parent=None)
    assert raised.value.code == "second_root"
    # Another province is its own root.
    assert area_create(code="630000", name="青海省", level="province", parent=None).parent is None


def test_database_refuses_a_code_that_does_not_fit_its_level(gansu):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(code="6201001", name="x", level="city", parent=gansu, prefix="6201")


def test_database_refuses_a_prefix_that_is_not_the_codes(gansu):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(code="620100", name="x", level="city", parent=gansu, prefix="6202")
