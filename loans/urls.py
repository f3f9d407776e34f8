from django.urls import path

from loans import loan_views, views

app_name = "loans"

urlpatterns = [
    path("loans/policies/", views.policy_list, name="policy_list"),
    path("loans/policies/<str:area_code>/", views.policy_detail, name="policy_detail"),
    path("loans/policies/<str:area_code>/edit/", views.policy_edit, name="policy_edit"),
    path("loans/", loan_views.loan_list, name="loan_list"),
    path("loans/new/", loan_views.loan_new, name="loan_new"),
    path("loans/inbox/", loan_views.committee_inbox, name="inbox"),
    path("loans/<int:loan_id>/", loan_views.loan_detail, name="loan_detail"),
    path("loans/<int:loan_id>/action/", loan_views.loan_action, name="loan_action"),
    path("loans/<int:loan_id>/repay/", loan_views.loan_repay, name="loan_repay"),
    path("loans/<int:loan_id>/reverse/", loan_views.repayment_reverse, name="repayment_reverse"),
    path("loans/<int:loan_id>/contract.pdf", loan_views.loan_contract, name="loan_contract"),
    path(
        "loans/<int:loan_id>/receipts/<int:repayment_id>.pdf",
        loan_views.repayment_receipt,
        name="repayment_receipt",
    ),
]
