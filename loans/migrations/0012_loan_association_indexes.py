"""An area's loans by one index range per association, from the index alone on PostgreSQL
(amount, outstanding principal and borrower included): the dashboards' sums, borrowers and
monthly payouts. The plain index of the association's foreign key goes: the new one leads with
the association. And a small partial index of the waitlisted loans, which the waitlists read
(at a partial province they were found by walking every active loan of the province)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0010_household_logins_hold_member_role"),
        ("loans", "0011_instalment_repayment_association"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="loan",
            index=models.Index(
                fields=["association", "disbursed_on"],
                include=("amount", "principal_outstanding", "member"),
                name="loan_association_disbursed",
            ),
        ),
        migrations.AddIndex(
            model_name="loan",
            index=models.Index(
                condition=models.Q(("status", "waitlisted")),
                fields=["association"],
                name="loan_waitlisted",
            ),
        ),
        migrations.AlterField(
            model_name="loan",
            name="association",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="loans",
                to="associations.association",
                verbose_name="association",
            ),
        ),
    ]
