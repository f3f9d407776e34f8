from django.urls import path

from loans import views

app_name = "loans"

urlpatterns = [
    path("loans/policies/", views.policy_list, name="policy_list"),
    path("loans/policies/<str:area_code>/", views.policy_detail, name="policy_detail"),
    path("loans/policies/<str:area_code>/edit/", views.policy_edit, name="policy_edit"),
]
