"""The loans' answer to the month close (funds.closing.overdue_readers): the loans of each book
overdue at a day's end and their outstanding principal then, as the supervision report counts
them (an instalment due before that day unpaid at its end; written-off loans left out).

One query finds the overdue loans of every book; each overdue loan's principal at that day is
replayed from its repayments up to it (two queries per overdue loan, not per loan)."""

import datetime
from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, Subquery

from funds.closing import OverdueFigure
from funds.models import Book
from loans.domain.allocation import replay
from loans.domain.fees import amount_owed
from loans.models import Instalment, Loan, WriteOff
from loans.selectors.loans import loan_terms, standing_payments
from loans.workflow import LoanStatus
from mutualaid.money import ZERO

LENT = [LoanStatus.DISBURSED, LoanStatus.REPAYING, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF]


def overdue_on(books: Sequence[Book], on: datetime.date) -> dict[int, OverdueFigure]:
    book_of = {book.association_id: book.pk for book in books if book.association_id}
    unpaid = Instalment.objects.filter(loan=OuterRef("pk")).filter(
        Q(paid_on__isnull=True) | Q(paid_on__gt=on)
    )
    gone = WriteOff.objects.filter(loan=OuterRef("pk"), entry__date__lte=on)
    loans = (
        Loan.objects.filter(association_id__in=book_of, status__in=LENT, disbursed_on__lte=on)
        .annotate(
            oldest_due=Subquery(unpaid.order_by("number").values("due_on")[:1]), gone=Exists(gone)
        )
        .filter(gone=False, oldest_due__lt=on)
        .order_by("pk")
    )
    figures: dict[int, OverdueFigure] = {}
    for loan in loans:
        terms = loan_terms(loan)
        _allocations, state = replay(terms, [p for p in standing_payments(loan) if p.paid_on <= on])
        book_id = book_of[loan.association_id]
        before = figures.get(book_id, OverdueFigure(0, ZERO))
        figures[book_id] = OverdueFigure(
            before.count + 1, before.principal + amount_owed(terms, state, on).principal_outstanding
        )
    return figures
