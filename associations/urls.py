from django.urls import path

from associations import member_views, views

app_name = "associations"

urlpatterns = [
    path("areas/", views.area_list, name="area_list"),
    path("areas/<str:area_code>/", views.area_detail, name="area_detail"),
    path("associations/", views.association_list, name="association_list"),
    path("associations/<int:association_id>/", views.association_detail, name="association_detail"),
    path("members/", member_views.member_list, name="member_list"),
    path("members/new/", member_views.member_create, name="member_create"),
    path("members/export/", member_views.member_export, name="member_export"),
    path("members/import/", member_views.member_import, name="member_import"),
    path("members/import/template/", member_views.member_template, name="member_template"),
    path("members/village-groups/", member_views.village_groups, name="village_groups"),
    path("members/<int:member_id>/", member_views.member_detail, name="member_detail"),
    path("members/<int:member_id>/edit/", member_views.member_edit, name="member_edit"),
    path("members/<int:member_id>/exit/", member_views.member_exit, name="member_exit"),
    path(
        "members/<int:member_id>/other-loans/",
        member_views.member_other_loans,
        name="member_other_loans",
    ),
]
