from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/<str:area_code>/", views.dashboard, name="dashboard"),
    path("reports/<str:area_code>/children.xlsx", views.children_export, name="children_export"),
]
