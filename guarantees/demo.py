"""Two joint-liability groups and a cooperative placement for the demo village (idempotent)."""

import datetime

from associations.demo import DEMO_VILLAGE, demo_staff, history_villages
from associations.models import Association, Member, Role, User
from guarantees.models import GroupMembership, GroupStatus, GuaranteeGroup, Placement
from guarantees.services import group_form, placement_create

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
    _demo_village_groups()
    _history_groups()
    _demo_placement()


def _demo_placement() -> None:
    """One household of the demo village in no group places its funds with a cooperative, so
    the placement pages and the loan form's placement guarantee have something to show."""
    association = Association.objects.filter(area__code=DEMO_VILLAGE).first()
    if association is None or Placement.objects.filter(association=association).exists():
        return
    grouped = GroupMembership.objects.filter(left_on__isnull=True).values("member")
    member = (
        Member.objects.filter(association=association, status="active")
        .exclude(pk__in=grouped)
        .order_by("pk")
        .first()
    )
    if member is None:
        return
    placement_create(
        member=member,
        partner_kind="cooperative",
        partner_name="三角城村高原夏菜专业合作社",
        agreed_on=datetime.date(2024, 3, 1),
        dividend_terms="每年按入社资金的 8% 分红，年底兑付",
        by=User.objects.get(username="clerk_sanjiaocheng"),
    )


def _demo_village_groups() -> None:
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


def _history_groups() -> None:
    """Every village of the demo county: its free households in groups of 1–2 leaders (party
    members or wealth leaders) and 3–5 households, formed before the history starts."""
    for village in history_villages():
        association = Association.objects.get(area=village)
        if GuaranteeGroup.objects.filter(association=association, name__startswith="第").exists():
            continue
        grouped = GroupMembership.objects.filter(
            group__association=association, group__status=GroupStatus.ACTIVE, left_on__isnull=True
        ).values("member")
        free = list(
            Member.objects.filter(association=association).exclude(pk__in=grouped).order_by("pk")
        )
        leaders = [m for m in free if m.can_lead_group]
        others = [m for m in free if not m.can_lead_group]
        clerk = demo_staff(village.code, Role.VILLAGE_CLERK)
        number = GuaranteeGroup.objects.filter(association=association).count()
        for g in range(len(free)):
            lead_count, household_count = (2 if g % 3 == 2 else 1), 3 + g % 3
            if len(leaders) < lead_count:
                break
            group_leaders, leaders = leaders[:lead_count], leaders[lead_count:]
            while len(others) < household_count and len(leaders) > 1:
                others.append(leaders.pop())
            if len(others) < household_count:
                break
            households, others = others[:household_count], others[household_count:]
            number += 1
            group_form(
                association=association,
                name=f"第{number}联保小组",
                formed_on=datetime.date(2023, 1 + g % 12, 1 + g),
                leaders=group_leaders,
                households=households,
                by=clerk,
            )
