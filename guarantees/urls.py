from django.urls import path

from guarantees import views

app_name = "guarantees"

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/export/", views.group_export, name="group_export"),
    path("groups/import/", views.group_import, name="group_import"),
    path("groups/import/template/", views.group_template, name="group_template"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/change/", views.group_change, name="group_change"),
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/new/", views.placement_create, name="placement_create"),
    path("placements/<int:placement_id>/end/", views.placement_end, name="placement_end"),
]
