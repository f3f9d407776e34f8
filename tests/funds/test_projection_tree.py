"""Bank-borrowing projection per association, summed up the tree, in two queries."""

import datetime
from decimal import Decimal

from associations.models import Role
from funds.journal import book_for_association, pool_book_open
from funds.models import Book, CapitalSource
from funds.selectors import bank_borrowing_tree
from funds.services import capital_receive
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY

D = datetime.date


def _bank_loan(book, by, amount, rate, subsidy, received_on, months):
    capital_receive(
        book=book,
        source=CapitalSource.BANK_LOAN,
        contributor="农商银行",
        amount=Decimal(amount),
        received_on=received_on,
        by=by,
        annual_rate=Decimal(rate),
        term_months=months,
        subsidy_rate=Decimal(subsidy),
    )


def test_projection_sums_up_township_county_and_city(world, django_assert_max_num_queries):
    inside = world.inside
    second_village = factories.area("620123100202", "周前村", "village", inside.township)
    second = book_for_association(factories.association(second_village))
    first = book_for_association(inside.association)
    pool = pool_book_open(area=inside.county)
    clerk = inside.users[Role.VILLAGE_CLERK]
    # 100,000 at 5 %, subsidy 4 %, 1 Jan 2026 for 36 months: 5,000 / 4,000 in 2026 and 2027;
    # 2028 is a leap year and costs run actual days / 365: 5000 * 366/365 = 5013.6986.
    _bank_loan(first, clerk, "100000", "0.05", "0.04", D(2026, 1, 1), 36)
    # 50,000 at 4 %, subsidy 2 %, 1 Mar 2026 for 12 months: 306 days in 2026, 59 in 2027.
    #   2026: 50000 * 306/365 * 0.04 = 1676.7123; subsidy 838.3562.
    #   2027: 50000 * 59/365 * 0.04 = 323.2877; subsidy 161.6438.
    _bank_loan(
        second, factories.clerk_of(second.association), "50000", "0.04", "0.02", D(2026, 3, 1), 12
    )
    # The county pool: 200,000 at 3 %, no subsidy, 1 Jan 2026 for 60 months: 6,000 a year,
    # 6000 * 366/365 = 6016.4384 in 2028.
    _bank_loan(pool, inside.users[Role.COUNTY_OFFICE], "200000", "0.03", "0", D(2026, 1, 1), 60)
    # Outside the inside county: must not be counted.
    outside = book_for_association(world.outside.association)
    _bank_loan(
        outside, world.outside.users[Role.VILLAGE_CLERK], "1000000", "0.05", "0", D(2026, 1, 1), 60
    )

    county_user = inside.users[Role.COUNTY_OFFICE]
    with django_assert_max_num_queries(3):  # role assignments, loans, area names
        rows = bank_borrowing_tree(books=Book.objects.visible_to(county_user), from_year=2026)
    by_name = {(row.level, row.name): row.years for row in rows}

    township = by_name[("township", "城关镇")]
    assert township[0].interest == Decimal("6676.71")
    assert township[0].subsidy == Decimal("4838.36")
    assert township[1].interest == Decimal("5323.29")
    assert township[2].interest == Decimal("5013.70")
    assert township[3].interest == Decimal("0.00")

    county = by_name[("county", "榆中县")]
    assert [y.interest for y in county] == [
        Decimal("12676.71"),
        Decimal("11323.29"),
        Decimal("11030.14"),  # 5013.6986 + 6016.4384
        Decimal("6000.00"),
        Decimal("6000.00"),
    ]
    assert by_name[("city", "兰州市")] == county
    assert rows[0].level == "total" and rows[0].years == county
    assert not any(row.name in ("大城村", "秦州区") for row in rows)
    # Areas come before their parts: city, county, the county pool, township, villages.
    levels = [row.level for row in rows[1:]]
    assert levels == ["city", "county", "book", "township", "book", "book"]


def test_projection_page_shows_the_sums(client, world):
    book = book_for_association(world.inside.association)
    _bank_loan(
        book, world.inside.users[Role.VILLAGE_CLERK], "100000", "0.05", "0.04", D(2026, 1, 1), 36
    )
    client.force_login(world.inside.users[Role.CITY_OFFICE])
    body = client.get("/funds/projections/").content.decode()
    assert "城关镇" in body and "榆中县" in body and "5,000.00" in body
    client.force_login(world.outside.users[Role.CITY_OFFICE])
    body = client.get("/funds/projections/").content.decode()
    assert "城关镇" not in body and "5,000.00" not in body
