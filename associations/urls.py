from django.urls import path

from associations.views import access, areas, imports, members, training

app_name = "associations"

urlpatterns = [
    path("areas/", areas.area_list, name="area_list"),
    path("areas/<str:area_code>/", areas.area_detail, name="area_detail"),
    path("associations/", areas.association_list, name="association_list"),
    path("associations/<int:association_id>/", areas.association_detail, name="association_detail"),
    path("members/", members.member_list, name="member_list"),
    path("members/new/", members.member_create, name="member_create"),
    path("members/export/", imports.member_export, name="member_export"),
    path("members/import/", imports.member_import, name="member_import"),
    path("members/import/template/", imports.member_template, name="member_template"),
    path("members/import/jobs/<int:job_id>/", imports.import_job, name="import_job"),
    path("members/village-groups/", members.village_groups, name="village_groups"),
    path("members/<int:member_id>/", members.member_detail, name="member_detail"),
    path("members/<int:member_id>/edit/", members.member_edit, name="member_edit"),
    path("members/<int:member_id>/exit/", members.member_exit, name="member_exit"),
    path(
        "members/<int:member_id>/contribution/",
        members.member_contribution,
        name="member_contribution",
    ),
    path("members/<int:member_id>/access/", access.member_access, name="member_access"),
    path(
        "members/<int:member_id>/other-loans/",
        members.member_other_loans,
        name="member_other_loans",
    ),
    path("training/", training.training_list, name="training_list"),
    path("training/new/", training.training_new, name="training_new"),
    path("training/<int:session_id>/", training.training_detail, name="training_detail"),
    path(
        "training/<int:session_id>/import/",
        training.training_import_page,
        name="training_import",
    ),
    path("training/import/template/", training.training_template, name="training_template"),
]
