"""An area's overdue loans and its written-off loans by one index range per association (issue
14: at a full province a city dashboard read the province's 25,000 overdue loans and its 41,500
write-offs to keep its own). The plain index of the oldest unpaid due date goes: every overdue
list is an area's or a household's."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0012_loan_association_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="loan",
            index=models.Index(
                condition=models.Q(("oldest_unpaid_due_on__isnull", False)),
                fields=["association", "oldest_unpaid_due_on"],
                name="loan_association_unpaid",
            ),
        ),
        migrations.AddIndex(
            model_name="loan",
            index=models.Index(
                condition=models.Q(("status", "written_off")),
                fields=["association"],
                name="loan_written_off",
            ),
        ),
        migrations.AlterField(
            model_name="loan",
            name="oldest_unpaid_due_on",
            field=models.DateField(blank=True, null=True, verbose_name="oldest unpaid due date"),
        ),
    ]
