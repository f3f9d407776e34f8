"""The generator: areas, staff, associations and their members, groups, capital, expenses,
loans through every state, repayments and month closes, written one township at a time.
This module drives it; worldgen.village and worldgen.lending simulate one association,
worldgen.tables holds the rows to write, worldgen.config the plan and the shared helpers.

Every association is simulated on its own random stream (seed and village code), event by
event in date order, so cash and bank never go below zero on any day, a loan is paid out only
when the association's cash covers it (otherwise it waits), a group whose member is overdue
gets no new loan, and each repayment is split by loans.domain.allocation exactly as
repayment_record splits it. The stored figures come from loans.services.figures.
"""

import datetime
import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from stdnum.cn import ric

from associations.models import (
    Area,
    Role,
)
from loans.models import (
    LoanPolicy,
    LoanPurpose,
)
from worldgen.config import Config, CountyPlan, at
from worldgen.places import GIVEN, PLACE_HEADS, SURNAMES
from worldgen.tables import Allocator, Tables
from worldgen.village import Village
from worldgen.write import write


class World:
    def __init__(self, cfg: Config, log: Callable[[str], None] = print) -> None:
        self.cfg, self.log = cfg, log
        self.ids = Allocator()
        self.tables = Tables()
        self.password = make_password(cfg.password)
        self.purposes = dict(LoanPurpose.objects.values_list("code", "id"))
        self.purpose_weights = {
            "livestock": 45,
            "crops": 20,
            "orchards": 10,
            "processing": 8,
            "marketing": 7,
            "small_trade": 10,
        }
        last = cfg.today.replace(day=1) - relativedelta(months=1)
        self.closed_through = last - datetime.timedelta(days=1)
        self.reimbursed: list[tuple[int, datetime.date, int]] = []
        self.closes: list[tuple[int, datetime.date]] = []

    def purpose(self, rng: random.Random) -> int:
        code = rng.choices(list(self.purpose_weights), list(self.purpose_weights.values()))[0]
        return self.purposes[code]

    def person_name(self, rng: random.Random) -> str:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.8 else "")
        return rng.choice(SURNAMES) + given

    def id_number(self, region: str, serial: int, male: bool) -> tuple[datetime.date, str]:
        """A valid resident ID number, distinct for each serial below 8.5 million in a county:
        the birth day walks 17,000 days (1950-1996) by a step prime to it, the sequence counts
        the rounds, its parity is the gender (GB 11643)."""
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=serial * 7919 % 17000)
        sequence = serial // 17000 * 2 + (1 if male else 0)
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        return birth, body + ric.calc_check_digit(body + "0")

    def user(self, username: str, role: str, area: str, name: str) -> int:
        user = self.ids.user()
        joined = at(self.cfg.start, 8)
        self.tables.user.add(
            user, self.password, False, username, name[1:], name[:1], "", False, True, joined, 0
        )
        self.tables.role.add(self.ids.role(), user, role, area, joined)
        return user

    def areas(
        self, plans: list[CountyPlan]
    ) -> list[tuple[CountyPlan, list[tuple[str, str, list[tuple[str, str, int]]]]]]:
        """Create the tree above the villages; return per county its townships and villages."""
        rng = random.Random(f"{self.cfg.seed}:areas")
        rows: list[Area] = []
        if not Area.objects.filter(code="620000").exists():
            rows.append(Area(code="620000", name="甘肃省", level="province", prefix="62"))
        known = set(Area.objects.filter(code__startswith="62").values_list("code", flat=True))
        result = []
        for plan in plans:
            city_code, city_name = plan.city
            if city_code not in known:
                known.add(city_code)
                rows.append(
                    Area(
                        code=city_code,
                        name=city_name,
                        level="city",
                        parent_id="620000",
                        prefix=city_code[:4],
                    )
                )
                self.user(f"city_{city_code}", Role.CITY_OFFICE, city_code, self.person_name(rng))
            county_code, county_name = plan.county
            if county_code in known:
                raise ValueError(f"{county_name} ({county_code}) is already in this database")
            rows.append(
                Area(
                    code=county_code,
                    name=county_name,
                    level="county",
                    parent_id=city_code,
                    prefix=county_code,
                )
            )
            self.user(
                f"county_{county_code}", Role.COUNTY_OFFICE, county_code, self.person_name(rng)
            )
            townships, rank = [], 0
            heads = rng.sample(PLACE_HEADS, len(PLACE_HEADS))
            for t_index, villages in enumerate(plan.villages_by_township):
                code = f"{county_code}{(100 if t_index < 10 else 190) + t_index:03d}"
                name = (
                    "城关镇"
                    if t_index == 0
                    else f"{heads[t_index % len(heads)]}{'镇' if t_index < 6 else '乡'}"
                )
                rows.append(
                    Area(code=code, name=name, level="township", parent_id=county_code, prefix=code)
                )
                village_rows = []
                for v_index in range(villages):
                    v_code = f"{code}{200 + v_index + 1:03d}"
                    suffix = rng.choice(["村", "村", "川村", "湾村", "沟村"])
                    v_name = f"{rng.choice(PLACE_HEADS)}{suffix}"
                    rows.append(
                        Area(
                            code=v_code, name=v_name, level="village", parent_id=code, prefix=v_code
                        )
                    )
                    village_rows.append((v_code, v_name, rank))
                    rank += 1
                townships.append((code, name, village_rows))
            result.append((plan, townships))
        Area.objects.bulk_create(rows, batch_size=5000)
        return result

    def township(self, code: str, villages: list[tuple[str, str, int]]) -> int:
        """Simulate and write one township's associations; returns the rows written."""
        committee = self.user(
            f"committee_{code}",
            Role.TOWNSHIP_COMMITTEE,
            code,
            self.person_name(random.Random(code)),
        )
        station = self.user(
            f"station_{code}",
            Role.TOWNSHIP_STATION,
            code,
            self.person_name(random.Random(code + "s")),
        )
        for village in villages:
            rng = random.Random(f"{self.cfg.seed}:{village[0]}")
            staff = {
                "clerk": self.user(
                    f"clerk_{village[0]}", Role.VILLAGE_CLERK, village[0], self.person_name(rng)
                ),
                "board": self.user(
                    f"board_{village[0]}", Role.VILLAGE_BOARD, village[0], self.person_name(rng)
                ),
                "committee": committee,
                "station": station,
            }
            Village(self, village, staff, rng).build()
        # Reimbursements are known only once the advance's day has come: patch them in.
        reimbursed = {expense: (day, entry) for expense, day, entry in self.reimbursed}
        if reimbursed:
            rows = self.tables.expense.rows
            for index, row in enumerate(rows):
                if row[0] in reimbursed:
                    day, entry = reimbursed[row[0]]
                    rows[index] = (*row[:15], day, entry)
        self.reimbursed.clear()
        with transaction.atomic():
            written = write(self.tables.in_order())
            # Months are closed after their lines are in (the database refuses posts into a
            # closed month); every entry balances at commit (the deferred trigger checks).
            with connection.cursor() as cursor:
                for book, through in self.closes:
                    cursor.execute(
                        "UPDATE funds_book SET closed_through = %s WHERE id = %s", [through, book]
                    )
        self.closes.clear()
        return written


def _work(cfg: Config, jobs: list[tuple[str, list[tuple[str, str, int]]]]) -> tuple[int, float]:
    """One worker: simulate and write its townships; (rows, CPU seconds)."""
    world, rows = World(cfg, lambda _line: None), 0
    for code, villages in jobs:
        rows += world.township(code, villages)
    return rows, time.process_time()


def _forked(cfg: Config, jobs: list[tuple[str, list[tuple[str, str, int]]]], out: Any) -> None:
    try:
        out.send(_work(cfg, jobs))
    finally:
        connections.close_all()
        out.close()


def generate(
    cfg: Config,
    plans: list[CountyPlan],
    *,
    workers: int = 1,
    log: Callable[[str], None] = print,
) -> dict[str, float]:
    """Build the world of `plans`; returns wall and CPU seconds and the rows written. With
    `workers` > 1 (PostgreSQL) the townships are dealt to that many forked processes; every
    village has its own random stream, so the world is the same whatever the workers."""
    started = time.perf_counter()
    world = World(cfg, log)
    with transaction.atomic():
        counties = world.areas(plans)
        write(world.tables.in_order())
    jobs = [(code, villages) for _plan, towns in counties for code, _name, villages in towns]
    if workers <= 1 or connection.vendor != "postgresql":
        rows, cpu = _work(cfg, jobs)
    else:
        connections.close_all()
        context = multiprocessing.get_context("fork")
        pipes, processes = [], []
        for index in range(workers):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_forked, args=(cfg, jobs[index::workers], send))
            process.start()
            pipes.append(receive)
            processes.append(process)
        results = [pipe.recv() for pipe in pipes]
        for process in processes:
            process.join()
            if process.exitcode:
                raise RuntimeError(f"a generator worker failed ({process.exitcode})")
        rows, cpu = sum(r for r, _c in results), sum(c for _r, c in results)
    log(f"{len(jobs)} townships: {time.perf_counter() - started:.1f} s, {rows:,} rows")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"seconds": time.perf_counter() - started, "rows": rows, "cpu": cpu}


def preset_policy(city_code: str, *, by: int | None = None) -> None:
    """兰州's pilot rules: up to 20,000 yuan for one to two years (the rest DESIGN defaults)."""
    LoanPolicy.objects.get_or_create(
        area_id=city_code,
        defaults={
            "scope_code": city_code,
            "max_amount": Decimal("20000.00"),
            "usual_term_months": 12,
            "max_term_months": 24,
        },
    )


def iter_days(start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)
