"""Check a world: every book balances, loans receivable equals outstanding principal, cash
never below zero, loans and groups within the rules, stored loan figures equal the replay."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from worldgen.check import check


class Command(BaseCommand):
    help = "Verify the books and the loans of the database (worldgen.check)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=int, default=1, help="replay every n-th loan (1: all of them)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = check(lambda line: self.stdout.write(line), every=options["every"])
        if problems:
            raise CommandError(f"{problems} problems")
        self.stdout.write("world is consistent")
