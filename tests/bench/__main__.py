import importlib
import os
import pkgutil
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
os.environ.setdefault("TESTING", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

import tests.bench as package  # noqa: E402
from tests.bench import drop_worlds, isolated, uptime, world_template  # noqa: E402


def main(names: list[str]) -> None:
    """Each benchmark runs in a database of its own: on PostgreSQL a copy of the migrated test
    database (or, for those that declare WORLD = True, of the generated world), dropped after
    it; on SQLite inside a transaction that is rolled back."""
    available = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    chosen = names or [n for n in available if n.startswith("bench_")]
    setup_test_environment()  # the test client's host, a local mail outbox
    old = setup_databases(verbosity=0, interactive=False)
    settings.DEBUG = False  # as in production: no query log but the benchmarks' own captures
    base = connection.settings_dict["NAME"]
    try:
        print(f"database: {connection.vendor} {base}; {uptime()}")
        for name in chosen:
            module = importlib.import_module(f"tests.bench.{name}")
            template = base
            if getattr(module, "WORLD", False):
                if connection.vendor != "postgresql":
                    print(f"{name} needs PostgreSQL (set DATABASE_URL)")
                    continue
                template = world_template(base)
            with isolated(template, name):
                module.run()
    finally:
        connection.settings_dict["NAME"] = base
        if connection.vendor == "postgresql":
            drop_worlds()
        connection.close()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1:])
