"""Books closed before the closed totals existed get theirs at their last closed month, so that a
book closed through a month always has every account's totals through it (AccountBalance): the
dashboards then read a book's balances as those totals plus the lines after them."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Exists, OuterRef, Sum


def _fen(value) -> Decimal:  # SQLite sums NUMERIC columns in floating point
    return Decimal(str(value)).quantize(Decimal("0.01"))


def backfill(apps, schema_editor):
    Book = apps.get_model("funds", "Book")
    AccountBalance = apps.get_model("funds", "AccountBalance")
    JournalLine = apps.get_model("funds", "JournalLine")
    lacking = Book.objects.filter(closed_through__isnull=False).exclude(
        Exists(
            AccountBalance.objects.filter(book=OuterRef("pk"), month_end=OuterRef("closed_through"))
        )
    )
    for book in lacking.iterator():
        totals = (
            JournalLine.objects.filter(book=book, date__lte=book.closed_through)
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .order_by()
        )
        AccountBalance.objects.bulk_create(
            AccountBalance(
                book=book,
                account_id=row["account_id"],
                month_end=book.closed_through,
                debit=_fen(row["d"]),
                credit=_fen(row["c"]),
            )
            for row in totals
        )


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_account_closed_totals")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
