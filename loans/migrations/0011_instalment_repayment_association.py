"""Instalments and repayments carry their loan's association, so an area's figures read them by
one index range per association instead of one probe per loan (issue 14: at half a province a
city's dashboard probed the instalments and the repayments of its 179,343 loans one by one).

The copy is filled from the loans and, on PostgreSQL, held equal to the loan's by a foreign key
on (loan, association) to a unique (id, association) of the loans."""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("loans_instalment", "loans_repayment")


def fill(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            if schema_editor.connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {table} AS t SET association_id = l.association_id"
                    " FROM loans_loan AS l WHERE l.id = t.loan_id"
                )
            else:
                cursor.execute(
                    f"UPDATE {table} SET association_id = (SELECT l.association_id"
                    f" FROM loans_loan AS l WHERE l.id = {table}.loan_id)"
                )


def same_association(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in zip(TABLES, ("instalment", "repayment"), strict=True):
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name}_loan_association_fk"
            " FOREIGN KEY (loan_id, association_id) REFERENCES loans_loan (id, association_id)"
            " DEFERRABLE INITIALLY DEFERRED"
        )


def drop_same_association(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in zip(TABLES, ("instalment", "repayment"), strict=True):
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}_loan_association_fk")


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0010_household_logins_hold_member_role"),
        ("loans", "0010_reversal_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="instalment",
            name="association",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="associations.association",
            ),
        ),
        migrations.AddField(
            model_name="repayment",
            name="association",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="associations.association",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="instalment",
            name="association",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="associations.association",
            ),
        ),
        migrations.AlterField(
            model_name="repayment",
            name="association",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="associations.association",
            ),
        ),
        migrations.AddIndex(
            model_name="instalment",
            index=models.Index(
                fields=["association", "due_on"],
                include=("principal", "principal_paid", "paid_by_due"),
                name="instalment_association_due",
            ),
        ),
        migrations.AddIndex(
            model_name="instalment",
            index=models.Index(
                condition=models.Q(("principal_paid__lt", models.F("principal"))),
                fields=["association", "due_on"],
                include=("principal", "principal_paid"),
                name="instalment_association_unpaid",
            ),
        ),
        migrations.AddIndex(
            model_name="repayment",
            index=models.Index(
                condition=models.Q(("reversal_entry__isnull", True)),
                fields=["association", "paid_on"],
                include=("principal", "usage_fee", "overdue_fee"),
                name="repayment_association_paid",
            ),
        ),
        migrations.AddConstraint(
            model_name="loan",
            constraint=models.UniqueConstraint(
                fields=("id", "association"), name="loan_id_association"
            ),
        ),
        migrations.RunPython(same_association, drop_same_association),
    ]
