"""A login linked to a household holds role `member` at the household's village: the scoped
querysets add a household's own records only for such logins (associations.scoping), so a login
linked before the link gave the role gets it here."""

from django.db import migrations


def give_member_role(apps, schema_editor):
    Member = apps.get_model("associations", "Member")
    RoleAssignment = apps.get_model("associations", "RoleAssignment")
    linked = Member.objects.filter(user__isnull=False).values_list(
        "user_id", "association__area_id"
    )
    for user_id, area_id in linked.iterator():
        RoleAssignment.objects.get_or_create(user_id=user_id, role="member", area_id=area_id)


class Migration(migrations.Migration):
    dependencies = [("associations", "0009_member_event_contribution")]

    operations = [migrations.RunPython(give_member_role, migrations.RunPython.noop)]
