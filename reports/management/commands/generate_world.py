"""Generate a realistic world of associations, members and loans (issue 14): worldgen.build."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from worldgen.build import generate, preset_policy
from worldgen.config import Config, county_plans, lanzhou_plans


class Command(BaseCommand):
    help = "Generate a deterministic world: areas, associations, members, groups, loans, books."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--counties", type=int, default=1)
        parser.add_argument("--townships-per-county", type=int, default=15)
        parser.add_argument("--villages-per-township", type=int, default=20)
        parser.add_argument("--members-per-village", type=int, default=80)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=14)
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
        parser.add_argument("--preset", choices=["lanzhou-2017"], default=None)
        parser.add_argument(
            "--workers", type=int, default=2, help="processes (PostgreSQL; 1 on SQLite)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        if options["preset"] == "lanzhou-2017":
            plans = lanzhou_plans()
            cfg = Config(
                seed=options["seed"],
                today=today,
                start=datetime.date(2017, 6, 1),
                members=options["members_per_village"],
                terms=(12, 12, 12, 18, 24),
                government=(500_000, 500_000),
                poor_groups=True,
            )
        else:
            if min(options["counties"], options["townships_per_county"]) < 1:
                raise CommandError("At least one county and one township.")
            if not 1 <= options["villages_per_township"] <= 798:
                raise CommandError("1 to 798 villages per township (three-digit codes).")
            plans = county_plans(
                options["counties"],
                options["townships_per_county"],
                options["villages_per_township"],
            )
            start = today.replace(year=today.year - options["years"])
            cfg = Config(
                seed=options["seed"],
                today=today,
                start=start,
                members=options["members_per_village"],
            )
        result = generate(
            cfg, plans, workers=options["workers"], log=lambda line: self.stdout.write(line)
        )
        if options["preset"] == "lanzhou-2017":  # the city's rules, once its area exists
            preset_policy(plans[0].city[0])
        villages = sum(sum(p.villages_by_township) for p in plans)
        self.stdout.write(
            f"{villages} villages, {result['rows']:,.0f} rows in {result['seconds']:.1f} s "
            f"(generator CPU {result['cpu']:.1f} s, not counting PostgreSQL's)"
        )
