"""What a generated world is made of: its configuration, the plan of its counties, and the
small date and money helpers the simulation shares."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from associations.households import pinyin_keys
from worldgen.places import GANSU

ZERO = Decimal("0.00")
TZ = ZoneInfo("Asia/Shanghai")
RATE, MULTIPLIER = Decimal("0.0600"), Decimal("1.50")
DIGITS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Config:
    seed: int
    today: datetime.date
    start: datetime.date
    members: int
    max_amount: Decimal = Decimal("20000.00")
    first_max: Decimal = Decimal("10000.00")
    terms: tuple[int, ...] = (12, 12, 12, 6, 18, 24)
    government: tuple[int, int] | None = None  # fixed (low, high) in yuan, or by village size
    poor_groups: bool = False  # preset: groups of leaders and registered-poor households
    password: str = "world-pass-123"


@dataclass
class CountyPlan:
    city: tuple[str, str]
    county: tuple[str, str]
    villages_by_township: list[int]


# --- the area plan --------------------------------------------------------------------------


def county_plans(counties: int, townships: int, villages: int) -> list[CountyPlan]:
    """The first `counties` counties of Gansu (synthetic codes 6201xx.. past the real ones)."""
    real = [(c[:2], (code, name)) for c in GANSU for code, name in c[2]]
    plans = []
    for index in range(counties):
        if index < len(real):
            (city_code, city_name, _list), county = _city_of(real[index][1][0]), real[index][1]
        else:
            city_code, city_name, _list = GANSU[index % len(GANSU)]
            county = (f"{city_code[:4]}{40 + index // len(GANSU):02d}", f"新设{index}县")
        plans.append(CountyPlan((city_code, city_name), county, [villages] * townships))
    return plans


def _city_of(county_code: str) -> tuple[str, str, list[tuple[str, str]]]:
    return next(c for c in GANSU if c[0][:4] == county_code[:4])


def lanzhou_plans() -> list[CountyPlan]:
    """兰州市's 2017 pilot: 120 villages over its six rural counties and districts."""
    spread = {"620121": 34, "620122": 20, "620123": 40, "620111": 10, "620103": 8, "620104": 8}
    city = GANSU[0]
    plans = []
    for code, name in city[2]:
        count, towns = spread[code], max(2, spread[code] // 8)
        per = [count // towns + (1 if i < count % towns else 0) for i in range(towns)]
        plans.append(CountyPlan((city[0], city[1]), (code, name), per))
    return plans


# --- helpers ----------------------------------------------------------------------------------


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + relativedelta(months=1)) - datetime.timedelta(days=1)


def yuan(value: int | float) -> Decimal:
    return Decimal(int(value)).quantize(Decimal("0.01"))


_PINYIN: dict[str, tuple[str, str]] = {}


def pinyin(name: str) -> tuple[str, str]:
    if name not in _PINYIN:
        _PINYIN[name] = pinyin_keys(name)
    return _PINYIN[name]
