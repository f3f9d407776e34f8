"""Stored loan figures (DESIGN §6): outstanding principal and oldest unpaid due date per loan,
principal paid (and paid by the due date, and the day paid in full) per instalment; existing
loans are filled from their standing repayments."""

from decimal import Decimal

from django.db import migrations, models


def backfill(apps, schema_editor):
    from loans.services.figures import instalment_figures

    Loan = apps.get_model("loans", "Loan")
    Instalment = apps.get_model("loans", "Instalment")
    Repayment = apps.get_model("loans", "Repayment")
    zero = Decimal("0.00")
    for loan in Loan.objects.filter(disbursed_on__isnull=False).iterator():
        instalments = list(Instalment.objects.filter(loan=loan).order_by("number"))
        if not instalments:
            continue
        payments = list(
            Repayment.objects.filter(loan=loan, reversal_entry__isnull=True)
            .order_by("paid_on", "id")
            .values_list("paid_on", "principal")
        )
        for instalment, (paid, by_due, paid_on) in zip(
            instalments, instalment_figures(instalments, payments), strict=True
        ):
            instalment.principal_paid, instalment.paid_by_due, instalment.paid_on = (
                paid,
                by_due,
                paid_on,
            )
        Instalment.objects.bulk_update(instalments, ["principal_paid", "paid_by_due", "paid_on"])
        open_rows = [i for i in instalments if i.principal_paid < i.principal]
        written_off = loan.status == "written_off"
        loan.principal_outstanding = (
            zero if written_off else sum((i.principal - i.principal_paid for i in open_rows), zero)
        )
        loan.oldest_unpaid_due_on = None if written_off or not open_rows else open_rows[0].due_on
        loan.save(update_fields=["principal_outstanding", "oldest_unpaid_due_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0004_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="loan",
            name="principal_outstanding",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=14,
                verbose_name="outstanding principal",
            ),
        ),
        migrations.AddField(
            model_name="loan",
            name="oldest_unpaid_due_on",
            field=models.DateField(
                blank=True, db_index=True, null=True, verbose_name="oldest unpaid due date"
            ),
        ),
        migrations.AddField(
            model_name="instalment",
            name="principal_paid",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=14,
                verbose_name="principal paid",
            ),
        ),
        migrations.AddField(
            model_name="instalment",
            name="paid_by_due",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=14,
                verbose_name="principal paid by the due date",
            ),
        ),
        migrations.AddField(
            model_name="instalment",
            name="paid_on",
            field=models.DateField(blank=True, null=True, verbose_name="paid in full on"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
