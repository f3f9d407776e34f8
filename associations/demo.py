"""A small realistic world for `make run`: 甘肃省 › 兰州市 › two counties, one login per role."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_stubs_ext import StrOrPromise
from pypinyin import lazy_pinyin

from associations import hooks
from associations.models import Area, Association, Member, Role, User
from associations.services.areas import areas_import
from associations.services.associations import association_create, role_assign

DEMO_PASSWORD = "demo-2026"

AREAS = [
    ("620000", "甘肃省"),
    ("620100", "兰州市"),
    ("620123", "榆中县"),
    ("620123100", "城关镇"),
    ("620123100201", "三角城村"),
    ("620123100202", "周前村"),
    ("620123100203", "李家庄村"),
    ("620123102", "金崖镇"),
    ("620123102201", "金崖村"),
    ("620123102202", "黄家庄村"),
    ("620123102203", "岳家巷村"),
    ("620122", "皋兰县"),
    ("620122100", "石洞镇"),
    ("620122100201", "石洞村"),
    ("620122100202", "魏家庄村"),
    ("620122100203", "蒋家湾村"),
    ("620122101", "什川镇"),
    ("620122101201", "什川村"),
    ("620122101202", "北庄村"),
    ("620122101203", "上车村"),
]

# (households, registered poor, founded) per village, in AREAS order.
VILLAGE_FIGURES = [
    (412, 96, datetime.date(2008, 5, 12)),
    (287, 71, datetime.date(2009, 3, 20)),
    (356, 88, datetime.date(2010, 6, 8)),
    (503, 132, datetime.date(2008, 9, 1)),
    (241, 64, datetime.date(2011, 4, 15)),
    (318, 77, datetime.date(2012, 7, 2)),
    (276, 69, datetime.date(2009, 11, 18)),
    (198, 58, datetime.date(2013, 3, 5)),
    (334, 90, datetime.date(2010, 10, 26)),
    (455, 101, datetime.date(2008, 12, 9)),
    (221, 47, datetime.date(2014, 5, 30)),
    (367, 83, datetime.date(2011, 8, 22)),
]

SECRETARIES = [
    "王建国",
    "李明华",
    "张志强",
    "刘永红",
    "陈德胜",
    "杨春生",
    "赵玉兰",
    "黄天宝",
    "周海军",
    "吴长林",
    "徐秀英",
    "孙文杰",
]


@dataclass
class DemoLogin:
    username: str
    password: str
    role: StrOrPromise
    area: str


def _slug(name: str) -> str:
    """三角城村 -> sanjiaocheng: usernames clerks can type on any keyboard."""
    for suffix in ("村", "镇", "乡", "县", "市", "省"):
        if name.endswith(suffix) and len(name) > 2:
            name = name[: -len(suffix)]
            break
    return "".join(lazy_pinyin(name))


_password_hash: list[str] = []  # hashed once: every demo login shares the password


def _user(username: str, full_name: str, mobile: str | None = None) -> User:
    from django.contrib.auth.hashers import make_password

    if not _password_hash:
        _password_hash.append(make_password(DEMO_PASSWORD))
    user, _created = User.objects.get_or_create(username=username)
    user.last_name = full_name[:1]
    user.first_name = full_name[1:]
    user.mobile = mobile
    user.password = _password_hash[0]
    user.save()
    return user


def _parent(area: Area) -> Area:
    assert area.parent is not None  # the demo tree is complete up to its city
    return area.parent


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    areas_import([(i + 1, code, name) for i, (code, name) in enumerate(AREAS)])
    villages = [Area.objects.get(code=code) for code, _name in AREAS if len(code) == 12]
    for index, (village, (households, poor, founded)) in enumerate(
        zip(villages, VILLAGE_FIGURES, strict=True)
    ):
        if not Association.objects.filter(area=village).exists():
            association_create(
                village=village,
                name=f"{_parent(_parent(village)).name}{_parent(village).name}{village.name}"
                "发展互助资金协会",
                founded_on=founded,
                total_households=households,
                registered_poor_households=poor,
                party_secretary=SECRETARIES[index],
                board_chair=SECRETARIES[(index + 3) % len(SECRETARIES)],
                supervisory_chair=SECRETARIES[(index + 6) % len(SECRETARIES)],
            )
    logins = _demo_users()
    _demo_village_staff()
    _demo_members()
    _history_members()
    _demo_trainings()
    for loader in hooks.demo_loaders:  # guarantees, funds, loans: in INSTALLED_APPS order
        loader()
    return logins


def _demo_users() -> list[DemoLogin]:
    village = Area.objects.get(code="620123100201")
    other_village = Area.objects.get(code="620122100201")
    township = _parent(village)
    county = _parent(township)
    city = _parent(county)
    plan = [
        (f"clerk_{_slug(village.name)}", "马文清", Role.VILLAGE_CLERK, village, "13909310001"),
        (f"board_{_slug(village.name)}", SECRETARIES[3], Role.VILLAGE_BOARD, village, None),
        (f"member_{_slug(village.name)}", "马福海", Role.MEMBER, village, None),
        (f"committee_{_slug(township.name)}", "冯立新", Role.TOWNSHIP_COMMITTEE, township, None),
        (f"station_{_slug(township.name)}", "魏红梅", Role.TOWNSHIP_STATION, township, None),
        (f"county_{_slug(county.name)}", "郭建平", Role.COUNTY_OFFICE, county, None),
        (f"auditor_{_slug(county.name)}", "何静", Role.AUDITOR, county, None),
        (f"city_{_slug(city.name)}", "宋志远", Role.CITY_OFFICE, city, None),
        (f"clerk_{_slug(other_village.name)}", "蒋小军", Role.VILLAGE_CLERK, other_village, None),
    ]
    logins = []
    for username, full_name, role, area, mobile in plan:
        user = _user(username, full_name, mobile)
        role_assign(user=user, role=role, area=area)
        logins.append(DemoLogin(username, DEMO_PASSWORD, Role(role).label, area.name))
    admin = _user("admin", "管理员")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    logins.append(DemoLogin("admin", DEMO_PASSWORD, "superuser", "—"))
    return logins


DEMO_VILLAGE = "620123100201"
VILLAGE_GROUPS = ["一组", "二组", "三组", "四组"]
# name, village group, poverty status, party member, wealth leader, joined, contribution
DEMO_MEMBERS = [
    ("马福海", "一组", "registered_poor", False, False, datetime.date(2015, 3, 2), "300"),
    ("王建国", "一组", "general", True, False, datetime.date(2010, 5, 18), "500"),
    ("张三", "一组", "registered_poor", False, False, datetime.date(2016, 4, 9), "200"),
    ("李秀兰", "一组", "lifted", False, False, datetime.date(2017, 6, 1), "200"),
    ("赵玉兰", "一组", "monitored", False, False, datetime.date(2018, 3, 15), "200"),
    ("刘永红", "二组", "general", False, True, datetime.date(2012, 9, 20), "500"),
    ("陈德胜", "二组", "registered_poor", False, False, datetime.date(2019, 2, 11), "200"),
    ("杨春生", "二组", "registered_poor", False, False, datetime.date(2019, 2, 11), "200"),
    ("黄天宝", "二组", "relatively_poor", False, False, datetime.date(2020, 7, 7), "200"),
    ("周海军", "三组", "general", True, True, datetime.date(2011, 1, 5), "800"),
    ("吴长林", "三组", "registered_poor", False, False, datetime.date(2021, 4, 22), "200"),
    ("徐秀英", "三组", "lifted", False, False, datetime.date(2021, 4, 22), "200"),
    ("孙文杰", "三组", "registered_poor", False, False, datetime.date(2022, 3, 3), "200"),
    ("郭玉梅", "四组", "registered_poor", False, False, datetime.date(2022, 8, 18), "100"),
    ("何建军", "四组", "general", False, False, datetime.date(2023, 5, 30), "300"),
    ("宋丽娟", "四组", "monitored", False, False, datetime.date(2024, 1, 8), "150"),
]


def demo_contribution(member: Member) -> Decimal:
    """What a demo household paid in, for the funds loader to receive through the books (a
    member has no typed figure): the table's amount in the demo village, 100 to 500 else."""
    if member.association.area_id == DEMO_VILLAGE:
        for name, *_rest, paid in DEMO_MEMBERS:
            if name == member.name:
                return Decimal(paid)
    return Decimal(100 * (1 + int(member.id_number[14:17]) % 5))


def _demo_id_number(index: int, name: str) -> str:
    """A valid, stable ID number for demo member `index` (榆中县, born 1960–1990)."""
    from stdnum.cn import ric

    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=index * 701)
    body = f"620123{born:%Y%m%d}{(index * 7) % 500 * 2 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


def _demo_members() -> None:

    from associations.models import VillageGroup
    from associations.services.members import member_create, member_link_login

    association = Association.objects.get(area__code=DEMO_VILLAGE)
    clerk = User.objects.get(username="clerk_sanjiaocheng")
    groups = {
        name: VillageGroup.objects.get_or_create(association=association, name=name)[0]
        for name in VILLAGE_GROUPS
    }
    for index, (name, group, poverty, party, leader, joined, _paid) in enumerate(DEMO_MEMBERS):
        number = _demo_id_number(index, name)
        if Member.objects.filter(association=association, id_number=number).exists():
            continue
        member_create(
            association=association,
            by=clerk,
            name=name,
            id_number=number,
            mobile=f"139093{index:05d}",
            village_group=groups[group],
            household_size=3 + index % 4,
            labourers=1 + index % 3,
            poverty_status=poverty,
            is_party_member=party,
            is_wealth_leader=leader,
            joined_on=joined,
        )
    household = Member.objects.get(association=association, id_number=_demo_id_number(0, ""))
    login = User.objects.get(username=f"member_{_slug(association.area.name)}")
    if household.user_id != login.pk:
        member_link_login(member=household, user=login)


# --- the demo county with history (榆中县): staff per village and township, 30–60 households
# per village; groups, capital and two years of loans are built by the upper apps' loaders.

HISTORY_COUNTY = "620123"
# Member households per village of the county (三角城村 counts its 16 DEMO_MEMBERS).
HISTORY_HOUSEHOLDS = {
    "620123100201": 48,
    "620123100202": 36,
    "620123100203": 42,
    "620123102201": 54,
    "620123102202": 31,
    "620123102203": 40,
}
STAFF_NAMES = [
    "马晓东", "杨桂芳", "金德顺", "朱海燕", "罗振华", "邓丽萍",
    "韩国庆", "曹玉珍", "谢永福", "董晓梅", "潘建伟", "田淑芬",
    "蔡明远", "袁秀琴", "彭志刚", "余春燕",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
GIVEN_NAMES = [
    "建华", "秀梅", "国强", "玉兰", "志明", "桂英", "德福", "春花", "永平", "海燕",
    "文军", "淑珍", "金山", "凤英", "长青", "小红", "宝林", "翠萍", "振宇", "丽娟",
    "富贵", "彩霞", "立军", "雪梅", "红旗", "芳芳", "明亮", "晓燕", "光辉", "月娥",
]  # fmt: skip
POVERTY_CYCLE = [
    "registered_poor", "general", "lifted", "registered_poor", "general",
    "monitored", "registered_poor", "general", "relatively_poor", "lifted",
]  # fmt: skip


def history_villages() -> list[Area]:
    return list(Area.objects.filter(code__in=HISTORY_HOUSEHOLDS).order_by("code"))


def demo_staff(area_code: str, role: str) -> User | None:
    """The demo user holding `role` exactly at `area_code` (the first one assigned), if any."""
    return (
        User.objects.filter(role_assignments__role=role, role_assignments__area_id=area_code)
        .order_by("role_assignments__created_at", "pk")
        .first()
    )


DEMO_TRAINING_TOPIC = "互助资金借款、担保与还款规则培训"


def _demo_trainings() -> None:
    """Each township of the county trains this year (through the training services): about a
    third of its villages' active households and every village's clerk and board member, so
    the training pages and the dashboards' coverage show real figures."""
    from associations.models import MemberStatus, TrainingSession
    from associations.services.training import training_attendance_add, training_session_create

    today = timezone.localdate()
    held_on = today - datetime.timedelta(days=min(30, today.timetuple().tm_yday - 1))
    for township in Area.objects.filter(code__startswith=HISTORY_COUNTY, level="township").order_by(
        "code"
    ):
        if TrainingSession.objects.filter(area=township, topic=DEMO_TRAINING_TOPIC).exists():
            continue
        committee = demo_staff(township.code, Role.TOWNSHIP_COMMITTEE)
        if committee is None:
            continue
        session = training_session_create(
            area=township,
            held_on=held_on,
            topic=DEMO_TRAINING_TOPIC,
            trainer="县互助资金办公室",
            hours=Decimal("3"),
            place=f"{township.name}政府会议室",
            by=committee,
        )
        households = Member.objects.filter(
            association__area__code__startswith=township.prefix, status=MemberStatus.ACTIVE
        ).order_by("pk")[::3]
        staff = User.objects.filter(
            role_assignments__area__code__startswith=township.prefix,
            role_assignments__role__in=[Role.VILLAGE_CLERK, Role.VILLAGE_BOARD],
        ).distinct()
        training_attendance_add(session=session, by=committee, members=households, staff=staff)


def _demo_village_staff() -> None:
    """A clerk and a board member in every village of the county, a committee and a station
    in every township: the services check each one's role at its own village or township."""
    names = iter(STAFF_NAMES)
    for area in Area.objects.filter(code__startswith=HISTORY_COUNTY).order_by("code"):
        if area.level == "village":
            plan = [("clerk", Role.VILLAGE_CLERK), ("board", Role.VILLAGE_BOARD)]
        elif area.level == "township":
            plan = [("committee", Role.TOWNSHIP_COMMITTEE), ("station", Role.TOWNSHIP_STATION)]
        else:
            continue
        for prefix, role in plan:
            name = next(names)
            if demo_staff(area.code, role) is None:
                role_assign(user=_user(f"{prefix}_{_slug(area.name)}", name), role=role, area=area)


def household_name(village_no: int, index: int) -> str:
    """A deterministic Chinese name, distinct across the county and from DEMO_MEMBERS."""
    k = village_no * 61 + index
    return SURNAMES[(k * 7) % len(SURNAMES)] + GIVEN_NAMES[(k * 11 + k // 30) % len(GIVEN_NAMES)]


def household_id_number(village_no: int, index: int) -> str:
    """A valid, stable ID number; the even order codes never meet DEMO_MEMBERS' odd ones."""
    from stdnum.cn import ric

    born = datetime.date(1958, 1, 1) + datetime.timedelta(
        days=(index * 389 + village_no * 53) % 12000
    )
    body = f"620123{born:%Y%m%d}{2 * (village_no * 60 + index) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _history_members() -> None:

    from associations.models import VillageGroup
    from associations.services.members import member_create

    taken = {name for name, *_rest in DEMO_MEMBERS}
    for village_no, village in enumerate(history_villages()):
        association = Association.objects.get(area=village)
        clerk = demo_staff(village.code, Role.VILLAGE_CLERK)
        if clerk is None:
            raise LookupError(f"the demo has no clerk at {village.code}")
        groups = [
            VillageGroup.objects.get_or_create(association=association, name=name)[0]
            for name in VILLAGE_GROUPS
        ]
        existing = set(
            Member.objects.filter(association=association).values_list("id_number", flat=True)
        )
        wanted = HISTORY_HOUSEHOLDS[village.code] - (
            len(DEMO_MEMBERS) if village.code == DEMO_VILLAGE else 0
        )
        index = 0
        made = 0
        while made < wanted:
            name = household_name(village_no, index)
            index += 1
            if name in taken:
                continue
            taken.add(name)
            made += 1
            number = household_id_number(village_no, index)
            if number in existing:
                continue
            member_create(
                association=association,
                by=clerk,
                name=name,
                id_number=number,
                mobile=f"138{village_no:02d}93{index:04d}",
                village_group=groups[index % len(groups)],
                household_size=3 + index % 4,
                labourers=1 + index % 3,
                poverty_status=POVERTY_CYCLE[index % len(POVERTY_CYCLE)],
                is_party_member=index % 5 == 1,
                is_wealth_leader=index % 5 == 3,
                joined_on=datetime.date(2012 + index % 12, 1 + index % 12, 1 + index % 28),
            )
