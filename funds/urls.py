from django.urls import path

from funds import views
from funds.closing import views as closing

app_name = "funds"

urlpatterns = [
    path("books/", views.book_list, name="book_list"),
    path("books/<int:book_id>/", views.book_detail, name="book_detail"),
    path(
        "books/<int:book_id>/accounts/<str:account_code>/",
        views.account_ledger,
        name="account_ledger",
    ),
    path("books/<int:book_id>/export/<str:report>/", views.book_export, name="book_export"),
    path("books/<int:book_id>/entries/<int:entry_id>/", views.entry_detail, name="entry_detail"),
    path("books/<int:book_id>/capital/", views.capital_new, name="capital_new"),
    path("books/<int:book_id>/expenses/", views.expense_list, name="expense_list"),
    path(
        "books/<int:book_id>/expenses/<int:expense_id>/decide/",
        views.expense_decide,
        name="expense_decide",
    ),
    path(
        "books/<int:book_id>/expenses/<int:expense_id>/reimburse/",
        views.expense_reimburse,
        name="expense_reimburse",
    ),
    path("books/<int:book_id>/close/", closing.book_close, name="book_close"),
    path("books/<int:book_id>/summary/", closing.month_summary, name="month_summary"),
    path("books/<int:book_id>/summary.pdf", closing.month_summary_pdf, name="month_summary_pdf"),
    path("close/", closing.close_all, name="close_all"),
    path("books/<int:book_id>/surplus/<int:year>/", views.surplus, name="surplus"),
    path("books/<int:book_id>/transfers/", views.transfers, name="transfers"),
    path("transfers/<int:transfer_id>/decide/", views.transfer_decide, name="transfer_decide"),
    path("projections/", views.projections, name="projections"),
    path("advances/", views.advances, name="advances"),
]
