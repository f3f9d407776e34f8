"""Two joint-liability groups for the demo village (idempotent)."""

import datetime

from associations.demo import DEMO_VILLAGE
from associations.models import Member, User
from guarantees.models import GroupStatus, GuaranteeGroup
from guarantees.services import group_form

# group name, formed on, leaders, households (names of demo members)
DEMO_GROUPS = [
    ("一组联保小组", datetime.date(2020, 3, 1), ["王建国"], ["马福海", "张三", "李秀兰"]),
    (
        "二组联保小组",
        datetime.date(2021, 5, 10),
        ["刘永红", "周海军"],
        ["陈德胜", "杨春生", "黄天宝", "吴长林"],
    ),
]


def load_demo_groups() -> None:
    for name, formed_on, leader_names, household_names in DEMO_GROUPS:
        group_qs = GuaranteeGroup.objects.filter(
            association__area__code=DEMO_VILLAGE, name=name, status=GroupStatus.ACTIVE
        )
        if group_qs.exists():
            continue
        members = {
            m.name: m
            for m in Member.objects.filter(
                association__area__code=DEMO_VILLAGE, name__in=leader_names + household_names
            )
        }
        group_form(
            association=members[leader_names[0]].association,
            name=name,
            formed_on=formed_on,
            leaders=[members[n] for n in leader_names],
            households=[members[n] for n in household_names],
            by=User.objects.get(username="clerk_sanjiaocheng"),
        )
