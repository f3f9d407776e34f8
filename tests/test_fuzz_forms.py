"""Every form of the app, fuzzed as a user allowed to use it: random strings, numbers (NaN,
Infinity, sNaN, 1e400, 60 digits, negatives, many places) and dates in every field. Never a
500, and nothing written when the answer is an error.

The world is built once for the module; each example runs in a savepoint that is rolled back,
so a random input that happens to be valid does not change what the next example sees.
"""

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.messages import ERROR, get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from associations.models import Role
from tests.conftest import World, _branch, _ensure_reference_data
from tests.scoping_registry import URL_KWARGS, _funds, _loan

pytestmark = pytest.mark.django_db
EXAMPLES = 25
SEEN: Counter[str] = Counter()

NASTY = [
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "-1e400",
    "1E+999999999",
    "9" * 60,
    "9" * 25,
    "-1",
    "0",
    "0.001",
    "1.005",
    "123456789012345.67",
    "-0.00",
    "1,000",
    "１２３",
    "0000-00-00",
    "1900-01-01",
    "2999-12-31",
    "9999-12-31",
    "1999-12-31",
    "2026-02-30",
    "",
    " ",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "\x00",
    "'; DROP TABLE x; --",
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.dates(datetime.date(2000, 1, 1), datetime.date(2031, 12, 31)).map(str),
)

# Audit trails may record a look or a login; what the fuzz checks is the business tables.
AUDIT_MODELS = {"authevent", "exportrecord", "idnumberview", "importjob"}


def _row_counts() -> dict[str, int]:
    counts = {}
    for label in ("associations", "funds", "guarantees", "loans"):
        for model in apps.get_app_config(label).get_models():
            name = model._meta.model_name
            if name in AUDIT_MODELS or name.startswith("historical"):
                continue
            counts[f"{label}.{name}"] = model._default_manager.count()
    return counts


@dataclass(frozen=True)
class Page:
    """A page with a form: its URL, the role allowed to use it and the field names posted."""

    name: str
    role: str
    fields: tuple[str, ...]
    kwargs: Callable[[World], dict] = lambda world: {}
    fixed: dict = field(default_factory=dict)
    query: Callable[[World], str] = lambda world: ""
    method: str = "post"
    label: str = ""  # when one URL carries several forms (an entry page per kind of record)

    @property
    def key(self) -> str:
        return self.label or self.name


def _kw(*names: str) -> Callable[[World], dict]:
    return lambda world: {name: URL_KWARGS[name](world) for name in names}


def _pool(world: World) -> dict:
    return {"book_id": _funds(world).transfer.pool_id}


def _reversible(world: World) -> dict[str, dict]:
    """An approved expense, an approved transfer and a member's contribution in the inside
    branch's books: their entry pages carry each record's own reversal form (issue 9)."""
    cached = getattr(world, "_reversible", None)
    if cached is not None:
        return cached
    from decimal import Decimal

    from associations.models import Member
    from funds import services
    from tests import factories

    day = datetime.date(2025, 3, 10)
    users = world.inside.users
    book = _funds(world).book
    expense = services.expense_record(
        book=book,
        category="office",
        payee="文具店",
        amount=Decimal("40"),
        spent_on=day,
        by=users[Role.VILLAGE_CLERK],
    )
    expense = services.expense_decide(expense=expense, by=users[Role.VILLAGE_BOARD], approve=True)
    pool = _funds(world).transfer.pool
    services.capital_receive(
        book=pool,
        source="government",
        contributor="省财政",
        amount=Decimal("500"),
        received_on=day,
        by=users[Role.COUNTY_OFFICE],
    )
    transfer = services.transfer_request(
        pool=pool,
        target=book,
        kind="allocate",
        amount=Decimal("200"),
        on=day,
        reason="分配",
        by=factories.user_with_role(Role.COUNTY_OFFICE, world.inside.county),
    )
    transfer = services.transfer_decide(
        transfer=transfer, by=users[Role.COUNTY_OFFICE], approve=True
    )
    member = Member.objects.filter(association=world.inside.association).first()
    assert member is not None
    contribution = services.member_contribution_receive(
        member=member, amount=Decimal("100"), on=day, by=users[Role.VILLAGE_CLERK]
    )
    world._reversible = {  # type: ignore[attr-defined]
        "expense": {"book_id": book.pk, "entry_id": expense.entry_id},
        "transfer": {"book_id": pool.pk, "entry_id": transfer.pool_entry_id},
        "contribution": {"book_id": book.pk, "entry_id": contribution.pk},
    }
    return world._reversible  # type: ignore[attr-defined]


PAGES = [
    Page(
        "associations:member_create",
        Role.VILLAGE_CLERK,
        (
            "name",
            "id_number",
            "mobile",
            "village_group",
            "household_size",
            "labourers",
            "poverty_status",
            "joined_on",
        ),
    ),
    Page(
        "associations:member_edit",
        Role.VILLAGE_CLERK,
        ("name", "household_size", "labourers", "joined_on", "mobile"),
        _kw("member_id"),
    ),
    Page("associations:member_exit", Role.VILLAGE_CLERK, ("on", "reason"), _kw("member_id")),
    Page(
        "associations:member_contribution",
        Role.VILLAGE_CLERK,
        ("amount", "on"),
        _kw("member_id"),
    ),
    Page(
        "associations:member_other_loans",
        Role.VILLAGE_CLERK,
        ("kind", "lender", "amount", "due_on", "loan"),
        _kw("member_id"),
        fixed={"action": "add"},
    ),
    Page("associations:village_groups", Role.VILLAGE_CLERK, ("name",)),
    Page(
        "associations:training_import",
        Role.VILLAGE_CLERK,
        ("action", "token", "file"),
        _kw("session_id"),
    ),
    Page(
        "associations:member_list",
        Role.VILLAGE_CLERK,
        ("q", "poverty_status", "party", "village_group", "status", "page"),
        method="get",
    ),
    Page(
        "guarantees:group_create",
        Role.VILLAGE_CLERK,
        ("name", "formed_on", "leader", "household", "add_leader", "unpick", "q"),
        fixed={"form_group": "1"},
    ),
    Page(
        "guarantees:group_change",
        Role.VILLAGE_CLERK,
        ("on", "reason", "add_household", "remove", "replace_with", "add_leader"),
        _kw("group_id"),
    ),
    Page("guarantees:group_list", Role.VILLAGE_CLERK, ("q", "status", "page"), method="get"),
    Page(
        "guarantees:placement_create",
        Role.VILLAGE_CLERK,
        ("member", "partner_kind", "partner_name", "agreed_on", "dividend_terms", "q"),
        fixed={"save": "1"},
    ),
    Page("guarantees:placement_end", Role.VILLAGE_CLERK, ("on", "reason"), _kw("placement_id")),
    Page("guarantees:placement_list", Role.VILLAGE_CLERK, ("q", "status", "page"), method="get"),
    Page(
        "funds:capital_new",
        Role.VILLAGE_CLERK,
        (
            "source",
            "contributor",
            "amount",
            "received_on",
            "into",
            "annual_rate",
            "term_months",
            "subsidy_rate",
            "subsidy_payer",
        ),
        _kw("book_id"),
    ),
    Page(
        "funds:expense_list",
        Role.VILLAGE_CLERK,
        ("category", "payee", "amount", "spent_on", "receipt_number", "advanced_by"),
        _kw("book_id"),
    ),
    # The scoping entry is a capital receipt's: its page reverses it through capital_reverse.
    Page(
        "funds:entry_detail",
        Role.TOWNSHIP_STATION,
        ("on", "reason", "confirm"),
        _kw("book_id", "entry_id"),
    ),
    # An expense's, a transfer's and a contribution's entry pages: their own reversals.
    *(
        Page(
            "funds:entry_detail",
            role,
            ("on", "reason", "confirm"),
            lambda world, kind=kind: _reversible(world)[kind],
            label=f"funds:entry_detail[{kind}]",
        )
        for kind, role in (
            ("expense", Role.VILLAGE_CLERK),
            ("transfer", Role.COUNTY_OFFICE),
            ("contribution", Role.VILLAGE_CLERK),
        )
    ),
    Page(
        "funds:book_close",
        Role.TOWNSHIP_STATION,
        ("month", "cash_counted", "bank_counted", "reason"),
        _kw("book_id"),
    ),
    Page(
        "funds:close_all",
        Role.TOWNSHIP_STATION,
        ("month", "cash_{book}", "bank_{book}", "reason_{book}"),
        fixed={"month": "2025-03"},
    ),
    Page(
        "funds:surplus",
        Role.VILLAGE_CLERK,
        ("accumulation", "welfare", "risk_reserve", "running_costs", "dividends"),
        _kw("book_id", "year"),
        fixed={"action": "propose"},
    ),
    Page(
        "funds:transfers",
        Role.COUNTY_OFFICE,
        ("target", "kind", "amount", "on", "reason"),
        _pool,
    ),
    Page("funds:book_detail", Role.VILLAGE_CLERK, ("start", "end"), _kw("book_id"), method="get"),
    Page(
        "funds:account_ledger",
        Role.VILLAGE_CLERK,
        ("start", "end"),
        _kw("book_id", "account_code"),
        method="get",
    ),
    Page(
        "loans:policy_edit",
        Role.COUNTY_OFFICE,
        (
            "max_amount",
            "min_amount",
            "first_loan_max_amount",
            "max_term_months",
            "usage_fee_rate",
            "overdue_fee_rate",
            "fee_method",
            "group_stop",
        ),
        lambda world: {"area_code": world.inside.county.code},
    ),
    Page(
        "loans:loan_new",
        Role.VILLAGE_CLERK,
        (
            "amount",
            "term_months",
            "purpose",
            "schedule_kind",
            "custom_rows",
            "guarantee_kind",
            "group",
            "guarantor",
            "placement",
            "expected_income",
        ),
        query=lambda world: f"?member={URL_KWARGS['member_id'](world)}",
    ),
    Page(
        "loans:loan_action",
        Role.TOWNSHIP_STATION,
        ("action", "reason", "on", "new_maturity", "into", "amount"),
        _kw("loan_id"),
    ),
    Page(
        "loans:loan_repay",
        Role.VILLAGE_CLERK,
        ("amount", "paid_on", "confirm_duplicate"),
        _kw("loan_id"),
    ),
    Page(
        "loans:repayment_reverse",
        Role.TOWNSHIP_STATION,
        ("repayment", "reason", "on"),
        _kw("loan_id"),
    ),
    Page(
        "loans:reversal_request",
        Role.VILLAGE_CLERK,
        ("repayment", "reason"),
        _kw("loan_id"),
    ),
    Page(
        "loans:reversal_refuse",
        Role.TOWNSHIP_STATION,
        ("request", "reason"),
        _kw("loan_id"),
    ),
    Page(
        "loans:loan_list",
        Role.VILLAGE_CLERK,
        ("status", "purpose", "area", "overdue", "due", "page"),
        method="get",
    ),
    Page(
        "reports:allocation",
        Role.COUNTY_OFFICE,
        ("amount",),
        lambda world: {"area_code": world.inside.county.code},
    ),
    Page(
        "reports:dashboard",
        Role.COUNTY_OFFICE,
        ("start", "end", "on", "sort", "order", "area", "page"),
        lambda world: {"area_code": world.inside.county.code},
        method="get",
    ),
    Page(
        "reports:monthly_table",
        Role.COUNTY_OFFICE,
        ("month",),
        lambda world: {"area_code": world.inside.county.code},
        method="get",
    ),
    Page("reports:yearly_statement", Role.VILLAGE_CLERK, ("year",), _kw("book_id"), method="get"),
]


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """One world for the module, with a disbursed and partly repaid loan and the books."""
    with django_db_blocker.unblock(), transaction.atomic():
        _ensure_reference_data()
        from tests import factories

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
        world = World(province, inside, outside)
        _loan(world)
        _funds(world)
        _reversible(world)
        yield world
        transaction.set_rollback(True)


def _is_error(response) -> bool:
    if response.status_code >= 400 or response.status_code == 200:
        return True
    return any(m.level == ERROR for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_random_input_never_breaks_a_form(fuzz_world, page):
    world = fuzz_world
    client = Client(raise_request_exception=False)
    client.force_login(world.inside.users[page.role])
    url = reverse(page.name, kwargs=page.kwargs(world)) + page.query(world)
    # A field named per book (the township's close of all books) gets the scoped book's id.
    fields = [name.format(book=URL_KWARGS["book_id"](world)) for name in page.fields]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(fields, values)))
    def post(data: dict[str, str]) -> None:
        SEEN[page.key] += 1
        payload = {**page.fixed, "idempotency_key": uuid.uuid4().hex, **data}
        with transaction.atomic():
            before = _row_counts()
            if page.method == "get":
                response = client.get(url, payload)
            else:
                response = client.post(url, payload)
            assert response.status_code < 500, (page.name, payload)
            if page.method == "post" and _is_error(response):
                assert _row_counts() == before, (page.name, payload)
            transaction.set_rollback(True)

    post()
    assert SEEN[page.key] >= EXAMPLES // 2


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(year=st.integers(min_value=0, max_value=10**30))
def test_any_year_in_the_surplus_url_is_a_page_or_a_404(fuzz_world, year):
    client = Client(raise_request_exception=False)
    client.force_login(fuzz_world.inside.users[Role.VILLAGE_CLERK])
    url = f"/funds/books/{URL_KWARGS['book_id'](fuzz_world)}/surplus/{year}/"
    assert client.get(url).status_code in (200, 404)


def test_examples_per_form(capsys):
    """Reported with -s: how many examples each form received in this run."""
    with capsys.disabled():
        for name, count in sorted(SEEN.items()):
            print(f"fuzz {name}: {count} examples")
    assert len(SEEN) == len(PAGES) or not SEEN
