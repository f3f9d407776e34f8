from django.urls import path

from associations import views

app_name = "associations"

urlpatterns = [
    path("areas/", views.area_list, name="area_list"),
    path("areas/<str:area_code>/", views.area_detail, name="area_detail"),
    path("associations/", views.association_list, name="association_list"),
    path("associations/<int:association_id>/", views.association_detail, name="association_detail"),
]
