"""What the automatic scoping test needs to know about each URL parameter and page.

A new URL with a parameter not listed here fails the scoping test until its in-scope value is
given below. That is the point: nobody can add a page without saying how it is scoped.
"""

from collections.abc import Callable

# URL prefixes that are not area-scoped pages, with why.
UNSCOPED_PREFIXES = {
    "admin/": "Django admin: superusers only, guarded by admin's own staff check",
    "accounts/": "allauth: the user's own login, logout and password",
    "i18n/": "language switch: a POST that only sets a cookie",
    "health/": "health endpoint for load balancers: no personal data, open to anyone",
}

# kwarg name -> value for an object inside the "inside" branch (see tests/conftest.py `world`).
URL_KWARGS: dict[str, Callable] = {
    "area_code": lambda world: world.inside.village.code,
    "association_id": lambda world: world.inside.association.pk,
    "member_id": lambda world: _factories().scoped_member(world).pk,
    "group_id": lambda world: _factories().scoped_group(world).pk,
    "book_id": lambda world: _funds(world).book.pk,
    "account_code": lambda world: "1001",
    "report": lambda world: "trial_balance",
    "entry_id": lambda world: _funds(world).entry.pk,
    "expense_id": lambda world: _funds(world).expense.pk,
    "year": lambda world: 2025,
    "transfer_id": lambda world: _funds(world).transfer.pk,
    "loan_id": lambda world: _loan(world).pk,
    # The scoping loan is being repaid: its clerk may ask for an extension (issue 13).
    "action": lambda world: "extension_request",
    "repayment_id": lambda world: _loan(world).repayments.first().pk,
    "report_id": lambda world: _report(world).pk,
    "job_id": lambda world: _import_job(world).pk,
    "session_id": lambda world: _training(world).pk,
    "proposal_id": lambda world: _allocation(world).pk,
    "placement_id": lambda world: _placement(world).pk,
}


def _placement(world):
    """A current placement of the inside branch's member household with a cooperative."""
    import datetime

    from guarantees.models import Placement
    from guarantees.services import placement_create

    member = _factories().scoped_member(world)
    existing = Placement.objects.filter(member=member).first()
    if existing:
        return existing
    return placement_create(
        member=member,
        partner_kind="cooperative",
        partner_name="高原夏菜专业合作社",
        agreed_on=datetime.date(2025, 3, 1),
        dividend_terms="每年按入社资金的8%分红",
        by=world.inside.users["village_clerk"],
    )


def _allocation(world):
    """A draft allocation proposal of the inside county's pool (its lines do not matter)."""
    import datetime
    from decimal import Decimal

    from reports.models import AllocationProposal

    pool = _funds(world).transfer.pool
    existing = AllocationProposal.objects.filter(pool=pool).first()
    if existing:
        return existing
    return AllocationProposal.objects.create(
        area=world.inside.county,
        pool=pool,
        amount=Decimal("100.00"),
        on=datetime.date(2025, 3, 3),
        created_by=world.inside.users["county_office"],
    )


def _training(world):
    """A training of the inside village, held by its clerk, with the scoped household there."""
    import datetime
    from decimal import Decimal

    from associations.models import TrainingSession
    from associations.services.training import training_attendance_add, training_session_create

    existing = TrainingSession.objects.filter(area=world.inside.village).first()
    if existing:
        return existing
    clerk = world.inside.users["village_clerk"]
    session = training_session_create(
        area=world.inside.village,
        held_on=datetime.date(2025, 3, 1),
        topic="记账培训",
        trainer="县扶贫办",
        hours=Decimal("3"),
        place="村委会",
        by=clerk,
    )
    training_attendance_add(session=session, by=clerk, members=[_factories().scoped_member(world)])
    return session


def _import_job(world):
    """A roster upload of the inside clerk (a stand-in file): only that clerk sees its page."""
    from associations.models import ImportJob, ImportState

    job, _created = ImportJob.objects.get_or_create(
        association=world.inside.association,
        kind="members",
        by=world.inside.users["village_clerk"],
        defaults={"file": "imports/scoping.xlsx", "state": ImportState.CHECKING},
    )
    return job


def _report(world):
    """A stored supervision report of the inside township (a stand-in file, not rendered)."""
    import datetime

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.models import ReportStatus, SupervisionReport

    name = "supervision/scoping-test.pdf"  # one file, written once, shared by every test
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4 scoping"))
    report, _created = SupervisionReport.objects.get_or_create(
        area=world.inside.township,
        month=datetime.date(2025, 3, 1),
        defaults={"status": ReportStatus.READY, "job": "scoping", "file": name},
    )
    return report


def _loan(world):
    """A loan of the inside branch's member household (its `member` login sees it), paid out
    and partly repaid, so every loan page and document has something to show."""
    import datetime
    from decimal import Decimal

    from funds.journal import book_for_association
    from funds.services import capital_receive
    from loans.models import Loan
    from loans.services import money

    member = _factories().scoped_member(world)
    existing = Loan.objects.filter(member=member).first()
    if existing:
        return existing
    day = datetime.date(2025, 3, 1)
    capital_receive(
        book=book_for_association(world.inside.association),
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("20000"),
        received_on=day,
        by=world.inside.users["village_clerk"],
    )
    loan = _factories().loan_disbursed(
        world.inside,
        member,
        group=_factories().scoped_group(world),
        amount="5000",
        approved_on=day,
        on=day + datetime.timedelta(days=5),
    )
    money.repayment_record(
        loan=loan,
        amount=Decimal("100"),
        paid_on=day + datetime.timedelta(days=40),
        by=world.inside.users["village_clerk"],
        token="scoping",
    )
    return loan


def _funds(world):
    from tests.funds.scoped import scoped_funds

    return scoped_funds(world)


def _factories():
    from tests import factories

    return factories


# URL name -> roles that may open it; every other role gets a 404. Absent: every role.
_ALL_ROLES = {
    "village_clerk",
    "village_board",
    "township_committee",
    "township_station",
    "county_office",
    "city_office",
    "auditor",
    "member",
}

URL_ROLES: dict[str, set[str]] = {
    # Member households and groups: only the village clerk writes (issue 3).
    **dict.fromkeys(
        [
            "associations:member_create",
            "associations:member_edit",
            "associations:member_exit",
            "associations:member_other_loans",
            "associations:member_import",
            "associations:member_template",
            "associations:village_groups",
            "guarantees:group_create",
            "guarantees:group_change",
            "guarantees:group_import",
            "guarantees:group_template",
            # Placements (issue 13): the clerk records and ends them; every role reads.
            "guarantees:placement_create",
            "guarantees:placement_end",
        ],
        {"village_clerk"},
    ),
    # Loan policy (issue 5): every staff role reads it; city, county and township committee edit.
    "loans:policy_list": {r for r in _ALL_ROLES if r != "member"},
    "loans:policy_detail": {r for r in _ALL_ROLES if r != "member"},
    "loans:policy_edit": {"city_office", "county_office", "township_committee"},
    # The books (issue 4): every staff role reads; members get nothing.
    **dict.fromkeys(
        [
            "funds:book_list",
            "funds:book_detail",
            "funds:account_ledger",
            "funds:book_export",
            "funds:entry_detail",
            "funds:expense_list",
            "funds:surplus",
            "funds:transfers",
            "funds:projections",
            "funds:advances",
            "funds:month_summary",
            "funds:month_summary_pdf",
        ],
        {r for r in _ALL_ROLES if r != "member"},
    ),
    "funds:capital_new": {"village_clerk", "township_station", "county_office", "city_office"},
    "funds:expense_decide": {"village_clerk", "village_board", "township_station"},
    "funds:expense_reimburse": {"village_clerk", "township_station"},
    "funds:book_close": {"township_station"},
    "funds:close_all": {"township_station"},
    "funds:transfer_decide": {"county_office", "city_office"},
    # Loans (issue 5): a member household sees its own loans; the clerk applies and records
    # repayments; the committee has its inbox; the station reverses repayments.
    "loans:loan_new": {"village_clerk"},
    "loans:loan_draft_edit": {"village_clerk"},
    "loans:loan_repay": {"village_clerk"},
    "loans:inbox": {"township_committee"},
    "loans:loan_action": {r for r in _ALL_ROLES if r != "member"},
    "loans:loan_action_confirm": {"village_clerk"},
    "loans:repayment_reverse": {"township_station"},
    "loans:reversal_request": {"village_clerk"},
    "loans:reversal_refuse": {"township_station"},
    # The contract carries full ID numbers (issue 13): staff of the area print it, a member
    # household (the borrower too) gets 404.
    "loans:loan_contract": {r for r in _ALL_ROLES if r != "member"},
    # The village public notice (issue 11): every staff role of the village and above (members
    # read it on their own notices page).
    **dict.fromkeys(
        ["loans:public_notice", "loans:public_notice_pdf"], {r for r in _ALL_ROLES if r != "member"}
    ),
    # Dashboards (issue 10): every staff role of the area; members get nothing.
    **dict.fromkeys(
        [
            "reports:dashboard",
            "reports:children_export",
            "reports:loan_ledger",
            "reports:repayment_ledger",
            "reports:duplicates",
            "reports:duplicates_export",
        ],
        {r for r in _ALL_ROLES if r != "member"},
    ),
    # Supervision reports (issue 11): the offices and auditors read them; the offices generate.
    **dict.fromkeys(
        [
            "reports:supervision_archive",
            "reports:supervision_detail",
            "reports:supervision_download",
        ],
        {"township_committee", "township_station", "county_office", "city_office", "auditor"},
    ),
    "reports:supervision_generate": {
        "township_committee",
        "township_station",
        "county_office",
        "city_office",
    },
    # Scheduled jobs (issue 11) run for every area at once: the station and the county office.
    "jobs:job_list": {"township_station", "county_office"},
    # Issue 9: a long import's progress is its clerk's; the audit trail is the auditor's and
    # the county and city offices'.
    "associations:import_job": {"village_clerk"},
    # Issue 12: a household's own pages are its login's alone (no id of a household or loan in
    # their URLs; a receipt is looked up among the household's own repayments); the clerk gives
    # the activation code.
    **dict.fromkeys(
        [
            "loans:member_schedule",
            "loans:member_repayments",
            "loans:member_receipt",
            "loans:member_statement",
            "loans:member_notices",
            "loans:member_account",
            "loans:member_logout_everywhere",
        ],
        {"member"},
    ),
    "associations:member_access": {"village_clerk"},
    # Issue 9: a household's contribution is received into the books by a recorder of its
    # village (the clerk, or the township's station), from the member page.
    "associations:member_contribution": {"village_clerk", "township_station"},
    # Training (seed recommendation 5): every staff role reads the sessions of its areas; the
    # office of a level records them (the village clerk, the township, county and city offices).
    **dict.fromkeys(
        ["associations:training_list", "associations:training_detail"],
        {r for r in _ALL_ROLES if r != "member"},
    ),
    "associations:training_new": {
        "village_clerk",
        "township_committee",
        "township_station",
        "county_office",
        "city_office",
    },
    # An attendance list is imported by the session's organiser (the village's clerk for the
    # scoping session); the template by any office that holds trainings.
    "associations:training_import": {"village_clerk"},
    "associations:training_template": {
        "village_clerk",
        "township_committee",
        "township_station",
        "county_office",
        "city_office",
    },
    "reports:audit": {"auditor", "county_office", "city_office"},
    # Allocation by need (issue 10): the offices owning a pool propose, edit and approve.
    **dict.fromkeys(
        ["reports:allocation", "reports:allocation_detail", "reports:allocation_approve"],
        {"county_office", "city_office"},
    ),
    # Statements (issue 11): the monthly table of an area, the association's yearly statement
    # and a household's statement are for every staff role of the area; a member household
    # downloads its own statement from its own page (no id in that URL).
    **dict.fromkeys(
        [
            "reports:monthly_table",
            "reports:yearly_statement",
            "reports:yearly_statement_pdf",
            "reports:member_statement_pdf",
        ],
        {r for r in _ALL_ROLES if r != "member"},
    ),
    # The association's yearly statement as the member reads it (until a year is approved, the
    # notices page saying so; tests/reports/test_statements.py approves one).
    **dict.fromkeys(
        ["loans:member_statement_pdf", "loans:member_yearly_statement_pdf"], {"member"}
    ),
}


# Text of the inside branch that a list page must never show to an outside user.
def inside_markers(world) -> list[str]:
    return [world.inside.village.name, world.inside.association.name]
