from django.urls import path

from reports.views import audit, dashboards, ledgers, supervision

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
        "reports/<str:area_code>/supervision/generate/",
        supervision.generate,
        name="supervision_generate",
    ),
]
