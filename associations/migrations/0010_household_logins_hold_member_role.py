"""A household's own login (no staff role) holds role `member` at the household's village: the
scoped querysets add a household's own records only for such logins (associations.scoping), so
a login linked before the link gave the role gets it here. Staff logins get none (it would widen
what their staff pages show)."""

from django.db import migrations


def give_member_role(apps, schema_editor):
    Member = apps.get_model("associations", "Member")
    RoleAssignment = apps.get_model("associations", "RoleAssignment")
    staff = RoleAssignment.objects.exclude(role="member").values("user_id")
    linked = Member.objects.filter(user__isnull=False).exclude(user_id__in=staff).values_list(
        "user_id", "association__area_id"
    )
    for user_id, area_id in linked.iterator():
        RoleAssignment.objects.get_or_create(user_id=user_id, role="member", area_id=area_id)


class Migration(migrations.Migration):
    dependencies = [("associations", "0009_member_event_contribution")]

    operations = [migrations.RunPython(give_member_role, migrations.RunPython.noop)]
