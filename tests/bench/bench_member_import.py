"""10,000-row member roster import (issue 3: must take under 30 s on PostgreSQL).

Times the product's path (read the Excel file, check every row, write all in one
transaction) against a raw-SQL lower bound that only inserts the same rows.
"""

import datetime
import statistics
import time

from django.db import connection

from associations.households import pinyin_keys
from associations.models import Member, MemberEvent
from associations.services.member_import import HEADERS, members_import, read_rows
from tests import factories
from tests.bench import print_table
from tests.xlsx import workbook

ROWS = 10_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀兰玉梅德胜春生天宝海军长林文杰丽娟永红志强明华"


def _rows() -> list[list]:
    rows = []
    for i in range(ROWS):
        name = SURNAMES[i % 20] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)]
        rows.append(
            [
                name,
                factories.id_number(i),
                f"139{i:08d}",
                f"{i % 8 + 1}组",
                3 + i % 4,
                1 + i % 3,
                ["建档立卡贫困户", "一般户", "已脱贫户", "监测户"][i % 4],
                "是" if i % 10 == 0 else "否",
                "否",
                datetime.date(2015, 1, 1) + datetime.timedelta(days=i % 3000),
            ]
        )
    return rows


def _clean() -> None:
    MemberEvent.objects.all().delete()
    Member.objects.all().delete()


def _timed(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        _clean()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    _clean()
    return statistics.median(times)


def run() -> None:
    province = factories.area("620000", "甘肃省", "province")
    city = factories.area("620100", "兰州市", "city", province)
    county = factories.area("620123", "榆中县", "county", city)
    township = factories.area("620123100", "城关镇", "township", county)
    village = factories.area("620123100201", "三角城村", "village", township)
    association = factories.association(village)
    groups = {g: factories.village_group(association, f"{g}组") for g in range(1, 9)}
    content = workbook(list(HEADERS.values()), _rows())

    parse = _timed(lambda: read_rows(content), repeat=1)
    rows = read_rows(content)
    check = _timed(
        lambda: members_import(
            association=association, rows=rows, by=factories.clerk_of(association), dry_run=True
        )
    )
    full = _timed(
        lambda: members_import(
            association=association,
            rows=read_rows(content),
            by=factories.clerk_of(association),
            dry_run=False,
        )
    )
    assert Member.objects.count() == 0

    raw_rows = []
    for i, row in enumerate(_rows()):
        full_py, initials = pinyin_keys(row[0])
        raw_rows.append(
            (
                association.pk,
                row[0],
                row[1],
                "male",
                datetime.date(1960, 1, 1),
                row[2],
                groups[i % 8 + 1].pk,
                row[4],
                row[5],
                "general",
                False,
                False,
                row[9],
                "active",
                "",
                full_py,
                initials,
            )
        )

    def raw_insert():
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO associations_member (association_id, name, id_number, gender, "
                "birth_date, mobile, village_group_id, household_size, labourers, "
                "poverty_status, is_party_member, is_wealth_leader, joined_on, "
                "status, exit_reason, pinyin_full, pinyin_initials, "
                "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, CURRENT_TIMESTAMP)",
                raw_rows,
            )

    raw = _timed(raw_insert)
    print_table(
        f"member import, {ROWS:,} rows ({connection.vendor})",
        ["step", "seconds"],
        [
            ["read the Excel file", f"{parse:.2f}"],
            ["check every row (dry run, rows already read)", f"{check:.2f}"],
            ["full import: read + check + write", f"{full:.2f}"],
            ["raw SQL insert only (lower bound)", f"{raw:.2f}"],
        ],
    )
