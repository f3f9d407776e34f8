import datetime

import pytest

from tests import factories


@pytest.fixture
def roster(world):
    """Members in both branches: 张三 and 李四 inside, 王五 outside."""
    inside, outside = world.inside.association, world.outside.association
    factories.village_group(inside, "二组")
    return {
        "zhangsan": factories.member(
            inside, name="张三", mobile="13900001111", is_party_member=True
        ),
        "lisi": factories.member(
            inside,
            name="李四",
            poverty_status="general",
            village_group=factories.village_group(inside, "二组"),
            joined_on=datetime.date(2021, 1, 1),
        ),
        "wangwu": factories.member(outside, name="王五"),
    }
