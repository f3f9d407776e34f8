"""One book's lines after a day with what they sum, from the index alone (issue 14: at a full
province a city dashboard read each of its 1,560 books' whole index range for its two open
months' lines). The plain indexes of the book's and the account's foreign keys go: the indexes
(book, account, date), (book, date) and (account, date) lead with them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0006_journal_line_date"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(
                fields=["book", "date"],
                include=("account", "debit", "credit"),
                name="line_book_date_idx",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="funds.account",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="book",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="funds.book",
            ),
        ),
    ]
