import contextlib
import copy
import os
from dataclasses import dataclass, field

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction

from associations.models import Area, Association, Role, User
from tests import factories


def pytest_configure(config):
    """Under pytest-xdist (`make test` runs two workers) each worker has its own test database
    (pytest-django names it) and, here, its own Redis database: `cache.clear()` empties a whole
    Redis database, and one worker must not wipe the other's rate-limit counters mid-test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    from django.conf import settings

    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        from urllib.parse import urlsplit

        own = urlsplit(cache["LOCATION"])._replace(path=f"/{1 + int(worker[2:])}").geturl()
        settings.CACHES = {"default": {**cache, "LOCATION": own}}


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # rate-limit counters live in the cache (Redis in CI)
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """The test client builds the middleware anew for every `client`, and WhiteNoise lists
    every static file each time (with the finders, about 400 files: once a third of the
    suite's time). The files do not change during a run, so each listing is made once and
    every middleware gets the same table of files."""
    from whitenoise.base import WhiteNoise
    from whitenoise.middleware import WhiteNoiseMiddleware

    def listed_once(method):
        made: dict = {}

        def once(self, *args):
            if args not in made:
                before = dict(self.files)
                method(self, *args)
                made[args] = {url: f for url, f in self.files.items() if before.get(url) is not f}
            self.files.update(made[args])

        return once

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            WhiteNoise, "update_files_dictionary", listed_once(WhiteNoise.update_files_dictionary)
        )
        patch.setattr(
            WhiteNoiseMiddleware,
            "add_files_from_finders",
            listed_once(WhiteNoiseMiddleware.add_files_from_finders),
        )
        yield


@pytest.fixture(scope="session", autouse=True)
def _ci_uses_real_services(django_db_setup, django_db_blocker):
    """Under CI a run that fell back to SQLite or a local cache is a failure, not a pass."""
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql", (
            f"CI must test on PostgreSQL, got {connection.vendor}"
        )
        from django.conf import settings

        assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "CI must use Redis"


@dataclass
class Branch:
    """One line of the tree: city › county › township › village with its association."""

    city: Area
    county: Area
    township: Area
    village: Area
    association: Association
    users: dict[str, User] = field(default_factory=dict)

    def area_for(self, role: str) -> Area:
        return getattr(self, factories.ROLE_AREA_LEVEL[role])


@dataclass
class World:
    province: Area
    inside: Branch
    outside: Branch


def _branch(province: Area, codes: tuple[str, str, str, str], names, tag: str) -> Branch:
    city = factories.area(codes[0], names[0], "city", province)
    county = factories.area(codes[1], names[1], "county", city)
    township = factories.area(codes[2], names[2], "township", county)
    village = factories.area(codes[3], names[3], "village", township)
    branch = Branch(city, county, township, village, factories.association(village))
    for role in Role.values:
        branch.users[role] = factories.user_with_role(
            role, branch.area_for(role), username=f"{role}_{tag}"
        )
    return branch


def _build_world() -> World:
    _ensure_reference_data()
    province = factories.area("620000", "甘肃省", "province")
    inside = _branch(
        province,
        ("620100", "620123", "620123100", "620123100201"),
        ("兰州市", "榆中县", "城关镇", "三角城村"),
        "in",
    )
    outside = _branch(
        province,
        ("620500", "620502", "620502100", "620502100201"),
        ("天水市", "秦州区", "大城街道", "大城村"),
        "out",
    )
    return World(province, inside, outside)


@pytest.fixture
def world(_module_world, db) -> World:
    """Two branches in different cities, one user per role in each: in scope and out of scope.

    Built once per module inside a transaction that is rolled back when the module ends; each
    test gets a deep copy of the objects and its own savepoint, as Django's setUpTestData does.
    A module with a transactional test (live server, threads) builds it afresh for each test,
    since committed rows cannot sit inside an open transaction.
    """
    if _module_world is None:
        return _build_world()
    return copy.deepcopy(_module_world)


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    if request.node.nodeid in request.config.stash[_UNSHARED]:
        yield None
        return
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with _today_of(request.node):
                shared = _build_world()
                # A module may add objects every test of it reads (tests/test_scoping.py).
                prepare = getattr(request.module, "prepare_world", None)
                if prepare:
                    prepare(shared)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield shared
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


_UNSHARED = pytest.StashKey[set[str]]()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or "transactional_db" in names
        or "live_server" in names
    )


# The longest modules (about 10-20 s each), started first: `make test`'s two workers take whole
# modules (`--dist loadfile`), and a long module taken last leaves the other worker idle.
LONGEST_FIRST = (
    "tests/test_scoping.py",
    "tests/test_fuzz_forms.py",
    "tests/loans/test_demo_loans.py",
    "tests/browser/test_drilldown.py",
    "tests/browser/test_member_pages.py",
    "tests/reports/test_supervision_reports.py",
    "tests/test_posture.py",
    "tests/browser/test_loan_journey.py",
)


def pytest_collection_modifyitems(config, items):
    """Modules with a transactional test build the world per test (see `world`). In the other
    modules the tests without the world run first, before the shared world's rows exist. The
    longest modules come first (LONGEST_FIRST)."""
    config.stash[_UNSHARED] = {_module_of(item) for item in items if _transactional(item)}
    first = {}
    for index, item in enumerate(items):
        first.setdefault(_module_of(item), index)

    def order(pair):
        index, item = pair
        module = _module_of(item)
        rank = LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)
        uses_world = "world" in getattr(item, "fixturenames", ())
        return rank, first[module], uses_world, index

    items[:] = [item for _index, item in sorted(enumerate(items), key=order)]


def _module_of(item) -> str:
    module = item.getparent(pytest.Module)
    return module.nodeid if module else item.nodeid


def _today_of(node):
    marker = node.get_closest_marker("today")
    if marker is None:
        return contextlib.nullcontext()
    return time_machine.travel(marker.args[0], tick=False)


@pytest.fixture(autouse=True)
def _today(request):
    """Time stands still at the moment of the test's or module's `today` marker, e.g.
    `pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))`; a test moves it
    with `_today.move_to(...)`. Without the marker the clock runs as usual."""
    with _today_of(request.node) as traveller:
        yield traveller


def _ensure_reference_data() -> None:
    """Rows that data migrations create (the loan purposes). A transactional test empties
    every table when it ends, so later tests put them back."""
    from importlib import import_module

    from loans.models import LoanPurpose

    cycles = import_module("loans.migrations.0002_default_purposes").CYCLES
    for code, months in cycles.items():
        LoanPurpose.objects.get_or_create(code=code, defaults={"typical_cycle_months": months})
