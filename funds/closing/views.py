"""Pages of the month close: one book's review and close, the month summary (page and PDF),
and the township station's page that closes all its villages' books for a month."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from associations.idempotency import idempotent
from associations.scoping import get_visible_or_404, user_roles
from funds.closing import documents, selectors
from funds.closing.forms import CloseAllForm, CloseForm, MonthPickForm
from funds.closing.selectors import last_ended_month, month_review, township_review
from funds.closing.services import BookCount, CloseOutcome, month_close_all, month_close_counted
from funds.exceptions import FundsRuleError
from funds.models import Book, MonthClose
from funds.roles import CLOSERS, STAFF
from mutualaid.http import pdf_response

FIELD_OF_ERROR = {"count_differs": "reason"}


def _book(request, book_id: int, roles) -> Book:
    return get_visible_or_404(
        Book.objects.select_related("area", "association"), request.user, roles=roles, pk=book_id
    )


def _month(data, default: datetime.date) -> datetime.date:
    form = MonthPickForm(data)
    return form.cleaned_data["month"] if form.is_valid() else default


def _first_open_month(book: Book, today: datetime.date) -> datetime.date:
    """The month to review by default: the first not yet closed, if it has ended."""
    last = last_ended_month(today)
    if book.closed_through is None:
        return last
    following = (book.closed_through + datetime.timedelta(days=1)).replace(day=1)
    return min(following, last)


def _summary_url(book: Book, month: datetime.date) -> str:
    return f"{reverse('funds:month_summary', args=[book.pk])}?month={month:%Y-%m}"


@login_required
def book_close(request, book_id: int):
    """Review what is open at the month's end, confirm the count, close."""
    book = _book(request, book_id, CLOSERS)
    today = timezone.localdate()
    month = _month(request.POST or request.GET, _first_open_month(book, today))
    form = CloseForm(request.POST or None, initial={"month": month})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with idempotent(request.user, form.claim_key) as claim:
                close = claim.first_as(MonthClose) or claim.created(
                    month_close_counted(
                        book=book,
                        month=data["month"],
                        cash_counted=data["cash_counted"],
                        bank_counted=data["bank_counted"],
                        reason=data["reason"],
                        by=request.user,
                    )
                )
        except FundsRuleError as error:
            form.add_error(FIELD_OF_ERROR.get(error.code), error.message)
        else:
            claim.tell(
                request,
                _("The books of %(book)s are closed through %(date)s.")
                % {"book": book.name, "date": date_format(close.month_end)},
            )
            return redirect(_summary_url(book, close.month_end))
    return render(
        request,
        "funds/closing/review.html",
        {
            "book": book,
            "title": _("Close a month"),
            "review": month_review(book=book, month=month, today=today),
            "form": form,
            "pick": MonthPickForm(initial={"month": month}),
            "closes": book.closes.select_related("closed_by")[:12],
        },
    )


def _summary(request, book_id: int):
    book = _book(request, book_id, STAFF)
    today = timezone.localdate()
    default = (book.closed_through or today.replace(day=1) - datetime.timedelta(days=1)).replace(
        day=1
    )
    return book, selectors.month_summary(book=book, month=_month(request.GET, default), today=today)


@login_required
def month_summary(request, book_id: int):
    """The month's balances, movements and open items, printable from the browser."""
    book, summary = _summary(request, book_id)
    return render(
        request,
        "funds/closing/summary.html",
        {
            "book": book,
            "title": _("Month summary"),
            "summary": summary,
            "review": summary.review,
            "pick": MonthPickForm(initial={"month": summary.review.start}),
        },
    )


@login_required
def month_summary_pdf(request, book_id: int):
    book, summary = _summary(request, book_id)
    content = documents.month_summary_pdf(summary, generated_at=timezone.now())
    return pdf_response(content, f"month-summary-{book.area.code}-{summary.review.start:%Y-%m}.pdf")


class _NothingClosed(Exception):
    pass


def _tell(request, claim, outcomes: list[CloseOutcome]) -> None:
    """One line per book: closed, or why not (a warning: the others are closed all the same)."""
    if claim.repeated:
        claim.tell(request, "")
    for outcome in outcomes:
        if outcome.close:
            messages.success(
                request,
                _("%(book)s: closed through %(date)s.")
                % {"book": outcome.book.name, "date": date_format(outcome.close.month_end)},
            )
        else:
            messages.warning(
                request,
                _("%(book)s: not closed. %(error)s")
                % {"book": outcome.book.name, "error": outcome.error},
            )


@login_required
def close_all(request):
    """The township station closes its villages' books for a month, each book on its own."""
    if not (request.user.is_superuser or user_roles(request.user) & CLOSERS):
        raise Http404
    today = timezone.localdate()
    month = _month(request.POST or request.GET, last_ended_month(today))
    reviews = township_review(user=request.user, roles=CLOSERS, month=month, today=today)
    open_books = [r.book for r in reviews if r.ended and not r.closed]
    form = CloseAllForm(request.POST or None, books=open_books, initial={"month": month})
    outcomes: list[CloseOutcome] = []
    if request.method == "POST" and form.is_valid():
        counts = [BookCount(*row) for row in form.counts()]
        try:
            with idempotent(request.user, form.claim_key) as claim:
                if not claim.repeated:
                    outcomes = month_close_all(counts=counts, month=month, by=request.user)
                    closed = [o.close for o in outcomes if o.close]
                    if not closed:
                        raise _NothingClosed  # the key is free again, nothing is written
                    claim.created(closed[0])
        except _NothingClosed:
            if not counts:
                form.add_error(None, _("Type the count of at least one village."))
        else:
            _tell(request, claim, outcomes)
            return redirect(f"{reverse('funds:close_all')}?month={month:%Y-%m}")
    errors = {o.book.pk: o.error for o in outcomes if o.error}
    return render(
        request,
        "funds/closing/close_all.html",
        {
            "title": _("Close a month for all villages"),
            "month": month,
            "pick": MonthPickForm(initial={"month": month}),
            "rows": [(r, errors.get(r.book.pk)) for r in reviews],
            "open_rows": [
                (r, form.row(r.book), errors.get(r.book.pk))
                for r in reviews
                if r.book in open_books
            ],
            "form": form,
            "outcomes": outcomes,
        },
    )
