"""Pages of the books. Each view finds its object in the user's scope (or 404s), parses the
form, calls one service and renders; the rules are in funds.services and funds.journal."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.idempotency import idempotent
from associations.scoping import get_visible_or_404, user_roles
from associations.services.audit import export_record
from funds import selectors, services
from funds.exceptions import FundsRuleError
from funds.forms import (
    CapitalForm,
    CapitalReverseForm,
    DateReasonForm,
    ExpenseForm,
    PeriodForm,
    RecordReverseForm,
    SurplusForm,
    TransferForm,
)
from funds.journal import (
    RECORD_KINDS,
    journal_reverse,
    pool_book_open,
    record_owner_message,
)
from funds.models import (
    Account,
    ApprovalStatus,
    Book,
    CapitalContribution,
    EntryKind,
    Expense,
    JournalEntry,
    SurplusAllocation,
    Transfer,
)
from funds.roles import (
    CLOSERS,
    EXPENSE_DECIDERS,
    OFFICES,
    RECORDERS,
    REVERSERS,
    STAFF,
    SURPLUS_DECIDERS,
    may_on_book,
    recorder_roles,
)
from mutualaid.http import xlsx_response
from mutualaid.money import format_yuan
from mutualaid.xlsx import workbook_bytes


def _require(user, roles, book: Book | None = None) -> None:
    """404 unless `user` holds one of `roles` at the book's area (anywhere, for lists)."""
    if book is not None:
        if not may_on_book(user, roles, book):
            raise Http404
    elif not (user.is_superuser or user_roles(user) & roles):
        raise Http404


def _book(request, book_id: int, roles: Iterable[str] = STAFF) -> Book:
    return get_visible_or_404(
        Book.objects.select_related("area", "association"), request.user, roles=roles, pk=book_id
    )


def _can(request, roles, book: Book) -> bool:
    """What the page offers: the same role table the services check, at this book's area."""
    return may_on_book(request.user, roles, book)


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _period(request) -> tuple[datetime.date | None, datetime.date | None, PeriodForm]:
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        return form.cleaned_data["start"], form.cleaned_data["end"], form
    return None, None, PeriodForm()


@login_required
def book_list(request):
    _require(request.user, STAFF)
    if request.method == "POST":  # a county or city office opens its capital pool
        _require(request.user, OFFICES)
        for assignment in request.user.role_assignments.filter(role__in=OFFICES):
            pool_book_open(area=assignment.area)
        messages.success(request, _("The capital pool is open."))
        return redirect("funds:book_list")
    # A page of books with their balances; a GET writes nothing. An association's books open
    # with its first entry (funds.journal.book_for_association); until then it is counted here.
    from associations.models import Association

    books = selectors.books_visible(user=request.user, roles=STAFF).order_by("area__code", "pk")
    page = Paginator(books, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    balances = selectors.book_balances(books=page.object_list)
    rows = [(book, balances.get(book.pk, {})) for book in page.object_list]
    offices = request.user.role_assignments.filter(role__in=OFFICES).values("area_id")
    can_open_pool = bool(user_roles(request.user) & OFFICES) and not (
        Book.objects.filter(association__isnull=True, area_id__in=offices).exists()
    )
    unopened = (
        Association.objects.visible_to(request.user, roles=STAFF).filter(book__isnull=True).count()
    )
    return render(
        request,
        "funds/book_list.html",
        {"rows": rows, "page": page, "can_open_pool": can_open_pool, "unopened": unopened},
    )


@login_required
def book_detail(request, book_id: int):
    book = _book(request, book_id)
    start, end, form = _period(request)
    rows = selectors.trial_balance(book=book, start=start, end=end)
    return render(
        request,
        "funds/book_detail.html",
        {
            "book": book,
            "rows": rows,
            "form": form,
            "total_debit": sum((r.debit for r in rows), Decimal(0)),
            "total_credit": sum((r.credit for r in rows), Decimal(0)),
            "entries": book.entries.order_by("-date", "-id")[:20],
            "can_record": _can(request, recorder_roles(book), book),
            "can_close": _can(request, CLOSERS, book),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def account_ledger(request, book_id: int, account_code: str):
    """A page of the account's ledger (the latest by default) for the period asked, or for the
    current year: a page's cost does not grow with the book's history."""
    book = _book(request, book_id)
    account = Account.objects.filter(book=book, code=account_code).first()
    if account is None:
        raise Http404
    start, end, form = _period(request)
    if start is None and end is None:
        start = timezone.localdate().replace(month=1, day=1)
        form = PeriodForm(initial={"start": start})
    ledger = selectors.account_ledger_page(
        account=account, start=start, end=end, number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funds/account_ledger.html",
        {
            "book": book,
            "account": account,
            "opening": ledger.brought_forward,
            "lines": ledger.rows,
            "page": ledger.page,
            "form": form,
            "query": query.urlencode(),
            "extra_query": f"{query.urlencode()}&" if query else "",
        },
    )


EXPORTS = {"trial_balance", "ledger"}


@login_required
def book_export(request, book_id: int, report: str):
    """Excel of the trial balance, or of one account's ledger (?account=1001 for the cash
    book, 1002 for the bank book), for the period in the query."""
    book = _book(request, book_id)
    if report not in EXPORTS:
        raise Http404
    start, end, _form = _period(request)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if report == "trial_balance":
        sheet.title = _("Trial balance")[:31]
        sheet.append([book.name, str(start or ""), str(end or "")])
        sheet.append([_("Code"), _("Account"), _("Debit"), _("Credit"), _("Balance")])
        for row in selectors.trial_balance(book=book, start=start, end=end):
            sheet.append([row.code, row.name, row.debit, row.credit, row.balance])
        name = f"trial-balance-{book.area_id}.xlsx"
    else:
        account = Account.objects.filter(book=book, code=request.GET.get("account", "")).first()
        if account is None:
            raise Http404
        opening, lines = selectors.account_ledger(account=account, start=start, end=end)
        sheet.title = account.code
        sheet.append([book.name, f"{account.code} {account.name}"])
        sheet.append([_("Date"), _("Memo"), _("Debit"), _("Credit"), _("Balance")])
        sheet.append(["", _("Opening balance"), "", "", opening])
        for line in lines:
            sheet.append(
                [line["date"], line["entry__memo"], line["debit"], line["credit"], line["balance"]]
            )
        name = f"ledger-{account.code}-{book.area_id}.xlsx"
    export_record(by=request.user, kind=report, filename=name, area_code=book.area_id)
    return xlsx_response(workbook_bytes(workbook), name)


@login_required
def entry_detail(request, book_id: int, entry_id: int):
    book = _book(request, book_id)
    entry = (
        JournalEntry.objects.filter(book=book, pk=entry_id)
        .select_related("reverses", "created_by")
        .first()
    )
    if entry is None:
        raise Http404
    # A capital receipt is reversed through its own service, here on its entry's page.
    capital = CapitalContribution.objects.filter(entry=entry).first()
    if capital is not None:
        return _capital_entry(request, book, entry, capital)
    # An expense, a transfer or a member's contribution: reversed through its own service.
    if entry.kind in (EntryKind.EXPENSE, EntryKind.REIMBURSEMENT):
        expense = Expense.objects.filter(Q(entry=entry) | Q(reimbursement_entry=entry)).first()
        if expense is not None:
            return _expense_entry(request, book, entry, expense)
    if entry.kind == EntryKind.TRANSFER:
        transfer = (
            Transfer.objects.filter(Q(pool_entry=entry) | Q(target_entry=entry))
            .select_related("pool__area", "target")
            .first()
        )
        if transfer is not None:
            return _transfer_entry(request, book, entry, transfer)
    if entry.kind == EntryKind.CONTRIBUTION and entry.source_type == "associations.member":
        return _contribution_entry(request, book, entry)
    form = DateReasonForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST":
        _require(request.user, REVERSERS, book)
        if form.is_valid():
            try:
                reversal = journal_reverse(
                    entry=entry,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    date=form.cleaned_data["on"],
                )
            except FundsRuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The reversing entry is posted."))
                return redirect("funds:entry_detail", book_id=book.pk, entry_id=reversal.pk)
    return render(request, "funds/entry_detail.html", _entry_context(request, book, entry, form))


def _entry_context(request, book: Book, entry: JournalEntry, form) -> dict:
    return {
        "book": book,
        "entry": entry,
        "lines": entry.lines.select_related("account"),
        "reversal": JournalEntry.objects.filter(reverses=entry).first(),
        "form": form,
        "can_reverse": _can(request, REVERSERS, book) and entry.kind not in RECORD_KINDS,
        "belongs_to_record": entry.kind in RECORD_KINDS,
        "record_owner": record_owner_message(entry.kind) if entry.kind in RECORD_KINDS else "",
    }


def _record_reverse(
    request, book: Book, entry: JournalEntry, *, may: bool, reverse, done: str, extra
) -> HttpResponse:
    """The entry's page with the confirmation form of its record's own reversal: offered only
    when the service would allow it (a POST from anyone else is a 404); the service is called
    once with the date and reason; a second submit is refused by the service (reversed once).
    `extra()` gives the record's own part of the page."""
    form = RecordReverseForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST":
        if not may:
            raise Http404
        if form.is_valid():
            try:
                reversal = reverse(
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["on"],
                )
            except FundsRuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, done)
                return redirect(
                    "funds:entry_detail", book_id=reversal.book_id, entry_id=reversal.pk
                )
    context = _entry_context(request, book, entry, form)
    context.update(can_reverse_record=may, **extra())
    return render(request, "funds/entry_detail.html", context)


def _expense_entry(request, book: Book, entry: JournalEntry, expense: Expense):
    may = services.may_reverse_expense(request.user, expense)
    return _record_reverse(
        request,
        book,
        entry,
        may=may,
        reverse=lambda **kw: services.expense_reverse(expense=expense, **kw),
        done=_("The expense of %(amount)s yuan to %(payee)s is reversed.")
        % {"amount": format_yuan(expense.amount), "payee": expense.payee},
        extra=lambda: {"expense": expense, "record_reversal": services.expense_reversal(expense)},
    )


def _transfer_entry(request, book: Book, entry: JournalEntry, transfer: Transfer):
    may = services.may_reverse_transfer(request.user, transfer)
    return _record_reverse(
        request,
        book,
        entry,
        may=may,
        reverse=lambda **kw: services.transfer_reverse(transfer=transfer, **kw),
        done=_("The transfer of %(amount)s yuan to or from %(target)s is reversed in both books.")
        % {"amount": format_yuan(transfer.amount), "target": transfer.target.name},
        extra=lambda: {
            "transfer": transfer,
            "record_reversal": services.transfer_reversal(transfer),
        },
    )


def _contribution_entry(request, book: Book, entry: JournalEntry):
    from associations.models import Member

    member = Member.objects.filter(pk=entry.source_id or 0).first()
    may = member is not None and services.may_reverse_contribution(request.user, entry)
    amount = sum((line.credit for line in entry.lines.all()), Decimal(0))
    return _record_reverse(
        request,
        book,
        entry,
        may=may,
        reverse=lambda **kw: services.member_contribution_reverse(entry=entry, **kw),
        done=_("The contribution of %(amount)s yuan from %(name)s is reversed.")
        % {"amount": format_yuan(amount), "name": member.name if member else ""},
        extra=lambda: {
            "contribution_member": member,
            "contribution_amount": amount,
            "contribution_held": (
                services.member_contribution_held(member) if member is not None else Decimal(0)
            ),
            "record_reversal": JournalEntry.objects.filter(reverses=entry).first(),
        },
    )


def _capital_entry(request, book: Book, entry: JournalEntry, capital: CapitalContribution):
    """The capital receipt's entry: who may record capital here may reverse it, after
    confirming, with a reason (funds.services.capital_reverse)."""
    may_reverse = services.may_reverse_capital(request.user, capital)
    form = CapitalReverseForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST":
        if not may_reverse:
            raise Http404
        if form.is_valid():
            try:
                reversal = services.capital_reverse(
                    receipt=capital,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["on"],
                )
            except FundsRuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("The capital receipt of %(amount)s yuan from %(who)s is reversed.")
                    % {"amount": format_yuan(capital.amount), "who": capital.contributor},
                )
                return redirect("funds:entry_detail", book_id=book.pk, entry_id=reversal.pk)
    context = _entry_context(request, book, entry, form)
    context.update(capital=capital, can_reverse_capital=may_reverse)
    return render(request, "funds/entry_detail.html", context)


@login_required
def capital_new(request, book_id: int):
    book = _book(request, book_id, roles=RECORDERS | OFFICES)
    form = CapitalForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with idempotent(request.user, form.claim_key) as claim:
                claim.first or claim.created(
                    services.capital_receive(book=book, by=request.user, **data)
                )
        except FundsRuleError as error:
            form.add_error(None, error.message)
        else:
            claim.tell(request, _("The capital is recorded."))
            return redirect("funds:book_detail", book_id=book.pk)
    return render(
        request,
        "funds/form.html",
        {"book": book, "form": form, "title": _("Record capital received")},
    )


@login_required
def expense_list(request, book_id: int):
    book = _book(request, book_id)
    form = None
    if _can(request, RECORDERS, book) and not book.is_pool:
        form = ExpenseForm(request.POST or None, initial={"spent_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                with idempotent(request.user, form.claim_key) as claim:
                    claim.first or claim.created(
                        services.expense_record(book=book, by=request.user, **form.cleaned_data)
                    )
            except FundsRuleError as error:
                form.add_error(None, error.message)
            else:
                claim.tell(request, _("The expense is recorded and awaits approval."))
                return redirect("funds:expense_list", book_id=book.pk)
    elif request.method == "POST":
        raise Http404
    expenses = list(book.expenses.select_related("recorded_by", "decided_by"))
    # An expense's reversal is read off the journal (funds.services.expense_reversal).
    reversed_ids = set(
        JournalEntry.objects.filter(
            reverses_id__in=[e.entry_id for e in expenses if e.entry_id]
        ).values_list("reverses_id", flat=True)
    )
    for expense in expenses:
        expense.is_reversed = expense.entry_id in reversed_ids  # type: ignore[attr-defined]
    return render(
        request,
        "funds/expense_list.html",
        {
            "book": book,
            "form": form,
            "expenses": expenses,
            "can_reverse": _can(request, RECORDERS, book),
            "can_decide": _can(request, EXPENSE_DECIDERS, book),
            "can_reimburse": _can(request, RECORDERS, book),
        },
    )


def _expense(request, book_id: int, expense_id: int, roles: Iterable[str]) -> Expense:
    book = _book(request, book_id, roles=roles)
    expense = Expense.objects.filter(book=book, pk=expense_id).first()
    if expense is None:
        raise Http404
    return expense


@login_required
def expense_decide(request, book_id: int, expense_id: int):
    expense = _expense(request, book_id, expense_id, EXPENSE_DECIDERS)
    if refused := _post_only(request):
        return refused
    try:
        services.expense_decide(
            expense=expense, by=request.user, approve=request.POST.get("decision") == "approve"
        )
    except FundsRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("funds:expense_list", book_id=book_id)


@login_required
def expense_reimburse(request, book_id: int, expense_id: int):
    expense = _expense(request, book_id, expense_id, RECORDERS)
    if refused := _post_only(request):
        return refused
    try:
        services.expense_reimburse(
            expense=expense,
            by=request.user,
            on=timezone.localdate(),
            into=request.POST.get("into", "cash"),
        )
    except FundsRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The advance is reimbursed."))
    return redirect("funds:expense_list", book_id=book_id)


@login_required
def surplus(request, book_id: int, year: int):
    """The year's surplus, its proposed split and the statement for public posting."""
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    book = _book(request, book_id)
    allocation = (
        SurplusAllocation.objects.filter(book=book, year=year)
        .exclude(status=ApprovalStatus.REJECTED)
        .first()
    )
    form = SurplusForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "propose":
                _require(request.user, RECORDERS, book)
                if form.is_valid():
                    split = services.Split(
                        **{
                            f"{key}_bp": int(value * 100)
                            for key, value in form.cleaned_data.items()
                        }
                    )
                    services.surplus_propose(book=book, year=year, split=split, by=request.user)
                    messages.success(request, _("The allocation is proposed."))
                    return redirect("funds:surplus", book_id=book.pk, year=year)
            elif action in ("approve", "reject") and allocation:
                _require(request.user, SURPLUS_DECIDERS, book)
                services.surplus_decide(
                    allocation=allocation,
                    by=request.user,
                    approve=action == "approve",
                    on=timezone.localdate(),
                )
                messages.success(request, _("The decision is recorded."))
                return redirect("funds:surplus", book_id=book.pk, year=year)
            else:
                raise Http404
        except FundsRuleError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "funds/surplus.html",
        {
            "book": book,
            "year": year,
            "allocation": allocation,
            "form": form,
            "year_surplus": services.year_surplus(book, year),
            "shares": services.surplus_shares(allocation) if allocation else [],
            "can_propose": _can(request, RECORDERS, book),
            "can_decide": _can(request, SURPLUS_DECIDERS, book),
        },
    )


@login_required
def transfers(request, book_id: int):
    """A pool's transfers (and the request form for its office); an association's receipts."""
    book = _book(request, book_id)
    form = None
    if book.is_pool and _can(request, OFFICES, book):
        from associations.models import Association

        targets = Book.objects.visible_to(request.user).filter(
            association__in=Association.objects.filter(area__code__startswith=book.area.prefix)
        )
        form = TransferForm(
            request.POST or None, targets=targets, initial={"on": timezone.localdate()}
        )
        if request.method == "POST" and form.is_valid():
            try:
                with idempotent(request.user, form.claim_key) as claim:
                    claim.first or claim.created(
                        services.transfer_request(pool=book, by=request.user, **form.cleaned_data)
                    )
            except FundsRuleError as error:
                form.add_error(None, error.message)
            else:
                claim.tell(request, _("The transfer awaits the office's approval."))
                return redirect("funds:transfers", book_id=book.pk)
    elif request.method == "POST":
        raise Http404
    rows = list(
        (
            Transfer.objects.filter(pool=book)
            if book.is_pool
            else Transfer.objects.filter(target=book)
        ).select_related("target", "requested_by", "decided_by")
    )
    # A transfer's reversal is read off the journal (funds.services.transfer_reversal).
    reversed_ids = set(
        JournalEntry.objects.filter(
            reverses_id__in=[t.pool_entry_id for t in rows if t.pool_entry_id]
        ).values_list("reverses_id", flat=True)
    )
    for row in rows:
        row.is_reversed = row.pool_entry_id in reversed_ids  # type: ignore[attr-defined]
    return render(
        request,
        "funds/transfers.html",
        {
            "book": book,
            "form": form,
            "transfers": rows,
            "can_decide": _can(request, OFFICES, book),
        },
    )


@login_required
def transfer_decide(request, transfer_id: int):
    transfer = get_visible_or_404(
        Transfer.objects.select_related("pool"), request.user, roles=OFFICES, pk=transfer_id
    )
    if refused := _post_only(request):
        return refused
    try:
        services.transfer_decide(
            transfer=transfer, by=request.user, approve=request.POST.get("decision") == "approve"
        )
    except FundsRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("funds:transfers", book_id=transfer.pool_id)


@login_required
def projections(request):
    """Bank-borrowing interest and subsidy for the next five years, per book and in total."""
    _require(request.user, STAFF)
    books = Book.objects.visible_to(request.user, roles=STAFF)
    rows = selectors.bank_borrowing_tree(books=books, from_year=timezone.localdate().year)
    return render(request, "funds/projections.html", {"rows": rows})


@login_required
def advances(request):
    _require(request.user, STAFF)
    return render(
        request, "funds/advances.html", {"rows": selectors.unreimbursed_advances(user=request.user)}
    )
