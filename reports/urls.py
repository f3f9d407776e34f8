from django.urls import path

from reports.views import (
    allocation,
    audit,
    dashboards,
    duplicates,
    ledgers,
    statements,
    supervision,
)

app_name = "reports"

urlpatterns = [
    path("audit/", audit.audit_log, name="audit"),
    path("reports/supervision/", supervision.archive, name="supervision_archive"),
    path("reports/supervision/<int:report_id>/", supervision.detail, name="supervision_detail"),
    path(
        "reports/supervision/<int:report_id>/report.pdf",
        supervision.download,
        name="supervision_download",
    ),
    path("reports/<str:area_code>/", dashboards.dashboard, name="dashboard"),
    path(
        "reports/<str:area_code>/children.xlsx",
        dashboards.children_export,
        name="children_export",
    ),
    path("reports/<str:area_code>/loans.xlsx", ledgers.loan_ledger_export, name="loan_ledger"),
    path(
        "reports/<str:area_code>/repayments.xlsx",
        ledgers.repayment_ledger_export,
        name="repayment_ledger",
    ),
    path(
        "reports/<str:area_code>/monthly.xlsx",
        statements.monthly_table_export,
        name="monthly_table",
    ),
    path(
        "reports/books/<int:book_id>/yearly-statement/",
        statements.yearly_statement_page,
        name="yearly_statement",
    ),
    path(
        "reports/books/<int:book_id>/yearly-statement.pdf",
        statements.yearly_statement_pdf,
        name="yearly_statement_pdf",
    ),
    path(
        "reports/members/<int:member_id>/statement.pdf",
        statements.member_statement_pdf,
        name="member_statement_pdf",
    ),
    path("reports/<str:area_code>/duplicates/", duplicates.duplicates, name="duplicates"),
    path("reports/<str:area_code>/allocation/", allocation.allocation, name="allocation"),
    path(
        "reports/allocations/<int:proposal_id>/",
        allocation.allocation_detail,
        name="allocation_detail",
    ),
    path(
        "reports/allocations/<int:proposal_id>/approve/",
        allocation.allocation_approve,
        name="allocation_approve",
    ),
    path(
        "reports/<str:area_code>/duplicates.xlsx",
        duplicates.duplicates_export,
        name="duplicates_export",
    ),
    path(
        "reports/<str:area_code>/supervision/generate/",
        supervision.generate,
        name="supervision_generate",
    ),
]
