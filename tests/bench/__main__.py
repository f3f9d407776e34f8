import importlib
import os
import pkgutil
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
os.environ.setdefault("TESTING", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

import tests.bench as package  # noqa: E402


def main(names: list[str]) -> None:
    available = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    chosen = names or [n for n in available if n.startswith("bench_")]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        for name in chosen:
            importlib.import_module(f"tests.bench.{name}").run()
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1:])
