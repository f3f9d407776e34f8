"""The six production purposes of DESIGN §5 with a typical cycle each (editable in admin)."""

from django.db import migrations

CYCLES = {
    "livestock": 18,  # cattle bought as calves, sold at about month 18
    "crops": 8,
    "orchards": 24,
    "processing": 12,
    "marketing": 6,
    "small_trade": 6,
}


def add(apps, schema_editor):
    LoanPurpose = apps.get_model("loans", "LoanPurpose")
    for code, months in CYCLES.items():
        LoanPurpose.objects.get_or_create(code=code, defaults={"typical_cycle_months": months})


def remove(apps, schema_editor):
    apps.get_model("loans", "LoanPurpose").objects.filter(code__in=CYCLES).delete()


class Migration(migrations.Migration):
    dependencies = [("loans", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
