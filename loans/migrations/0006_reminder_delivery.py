"""How each reminder went out (channel, delivered or failed, the provider's answer, when);
reminders recorded before were written to the log when recorded."""

from django.db import migrations, models


def earlier_went_to_the_log(apps, schema_editor):
    apps.get_model("loans", "Reminder").objects.update(channel="log", delivery="delivered")


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0005_loan_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="mobile",
            field=models.CharField(blank=True, max_length=11, verbose_name="mobile number"),
        ),
        migrations.AddField(
            model_name="reminder",
            name="channel",
            field=models.CharField(
                blank=True,
                choices=[("sms", "SMS"), ("email", "e-mail"), ("log", "log only")],
                max_length=10,
                verbose_name="channel",
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="delivery",
            field=models.CharField(
                choices=[
                    ("pending", "being sent"),
                    ("delivered", "delivered"),
                    ("failed", "failed"),
                ],
                default="pending",
                max_length=10,
                verbose_name="delivery",
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="answer",
            field=models.CharField(blank=True, max_length=500, verbose_name="provider answer"),
        ),
        migrations.AddField(
            model_name="reminder",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.RunPython(earlier_went_to_the_log, migrations.RunPython.noop, elidable=True),
    ]
