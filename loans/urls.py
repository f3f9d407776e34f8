from django.urls import path

from loans.views import actions, applications, documents, loans, member, notices, policy

app_name = "loans"

urlpatterns = [
    path("loans/policies/", policy.policy_list, name="policy_list"),
    path("loans/policies/<str:area_code>/", policy.policy_detail, name="policy_detail"),
    path("loans/policies/<str:area_code>/edit/", policy.policy_edit, name="policy_edit"),
    path("loans/", loans.loan_list, name="loan_list"),
    path("loans/new/", applications.loan_new, name="loan_new"),
    path("loans/inbox/", loans.committee_inbox, name="inbox"),
    path("loans/notice/<str:area_code>/", notices.notice_page, name="public_notice"),
    path("loans/notice/<str:area_code>/notice.pdf", notices.notice_pdf, name="public_notice_pdf"),
    path("loans/<int:loan_id>/", loans.loan_detail, name="loan_detail"),
    path("loans/<int:loan_id>/edit/", applications.loan_draft_edit, name="loan_draft_edit"),
    path("loans/<int:loan_id>/action/", actions.loan_action, name="loan_action"),
    path(
        "loans/<int:loan_id>/action/<str:action>/",
        actions.loan_action_confirm,
        name="loan_action_confirm",
    ),
    path("loans/<int:loan_id>/repay/", loans.loan_repay, name="loan_repay"),
    path("loans/<int:loan_id>/reverse/", actions.repayment_reverse, name="repayment_reverse"),
    path(
        "loans/<int:loan_id>/reversal-request/",
        actions.reversal_request,
        name="reversal_request",
    ),
    path("loans/<int:loan_id>/reversal-refuse/", actions.reversal_refuse, name="reversal_refuse"),
    path("loans/<int:loan_id>/contract.pdf", documents.loan_contract, name="loan_contract"),
    path(
        "loans/<int:loan_id>/receipts/<int:repayment_id>.pdf",
        documents.repayment_receipt,
        name="repayment_receipt",
    ),
    # A member household's own pages (issue 12); its home is `/` (associations.hooks).
    path("my/schedule/", member.member_schedule, name="member_schedule"),
    path("my/repayments/", member.member_repayments, name="member_repayments"),
    path("my/repayments/<int:repayment_id>/", member.member_receipt, name="member_receipt"),
    path("my/statement/", member.member_statement, name="member_statement"),
    path("my/statement.pdf", member.member_statement_pdf, name="member_statement_pdf"),
    path("my/notices/", member.member_notices, name="member_notices"),
    path(
        "my/notices/yearly-statement.pdf",
        member.member_yearly_statement_pdf,
        name="member_yearly_statement_pdf",
    ),
    path("my/account/", member.member_account, name="member_account"),
    path(
        "my/account/logout-everywhere/",
        member.member_logout_everywhere,
        name="member_logout_everywhere",
    ),
]
