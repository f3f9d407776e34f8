from django.urls import path

from loans.views import actions, documents, loans, policy

app_name = "loans"

urlpatterns = [
    path("loans/policies/", policy.policy_list, name="policy_list"),
    path("loans/policies/<str:area_code>/", policy.policy_detail, name="policy_detail"),
    path("loans/policies/<str:area_code>/edit/", policy.policy_edit, name="policy_edit"),
    path("loans/", loans.loan_list, name="loan_list"),
    path("loans/new/", loans.loan_new, name="loan_new"),
    path("loans/inbox/", loans.committee_inbox, name="inbox"),
    path("loans/<int:loan_id>/", loans.loan_detail, name="loan_detail"),
    path("loans/<int:loan_id>/action/", actions.loan_action, name="loan_action"),
    path("loans/<int:loan_id>/repay/", loans.loan_repay, name="loan_repay"),
    path("loans/<int:loan_id>/reverse/", actions.repayment_reverse, name="repayment_reverse"),
    path("loans/<int:loan_id>/contract.pdf", documents.loan_contract, name="loan_contract"),
    path(
        "loans/<int:loan_id>/receipts/<int:repayment_id>.pdf",
        documents.repayment_receipt,
        name="repayment_receipt",
    ),
]
