"""A member household's own pages, on a phone: what it owes and when, its schedule, repayments
and receipts, its statement, the village's notices, and its login (issue 12).

Every page starts from the login's own household (`member_page`): there is no household or loan
id in these URLs, and the one id there is (a repayment) is looked up among the household's own
repayments, so another household's page cannot even be named. The pages extend
`member/base.html` (no staff menu, a small stylesheet of their own) and need no JavaScript.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from associations.models import Member, Role
from associations.scoping import user_roles
from associations.services import access
from associations.views import AuthedRequest
from loans.selectors import member as reads
from mutualaid.http import pdf_response
from mutualaid.money import amount_in_words
from reports import documents
from reports.selectors.statements import member_statement_document
from reports.views.statements import statement_pdf_response

MEMBER_SESSION_IDLE_SECONDS = access.MEMBER_SESSION_IDLE_SECONDS


def is_member_login(user) -> bool:
    """A household's own login: the role `member` and no staff role."""
    return bool(
        user.is_authenticated and not user.is_superuser and user_roles(user) == {Role.MEMBER}
    )


def member_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the login's own household: 404 for any other login; a member login not (or
    no longer) linked to a household is told to see the clerk. Each visit renews the 30-day
    idle limit of the session."""

    @wraps(view)
    @login_required
    def page(request: AuthedRequest, **kwargs: Any) -> HttpResponse:
        if not is_member_login(request.user):
            raise Http404
        request.session.set_expiry(MEMBER_SESSION_IDLE_SECONDS)
        member = (
            Member.objects.select_related("association", "association__area", "village_group")
            .filter(user=request.user)
            .first()
        )
        if member is None:
            if kwargs:
                raise Http404
            return render(request, "loans/member/unlinked.html")
        return view(request, member, **kwargs)

    return page


@member_page
def member_home(request: AuthedRequest, member: Member) -> HttpResponse:
    """The home page of a member login (`/`, dispatched through associations.hooks)."""
    home = reads.member_home(member, today=timezone.localdate())
    return render(request, "loans/member/home.html", {"home": home, "member": member})


@member_page
def member_schedule(request: AuthedRequest, member: Member) -> HttpResponse:
    today = timezone.localdate()
    loan = reads.latest_lent_loan(member)
    cards = reads.schedule_cards(loan, today=today) if loan else []
    return render(
        request,
        "loans/member/schedule.html",
        {"member": member, "loan": loan, "cards": cards, "nav": "schedule"},
    )


@member_page
def member_repayments(request: AuthedRequest, member: Member) -> HttpResponse:
    return render(
        request,
        "loans/member/repayments.html",
        {"member": member, "repayments": reads.household_repayments(member), "nav": "repayments"},
    )


@member_page
def member_receipt(request: AuthedRequest, member: Member, repayment_id: int) -> HttpResponse:
    repayment = reads.household_repayments(member).filter(pk=repayment_id).first()
    if repayment is None:
        raise Http404
    return render(
        request,
        "loans/member/receipt.html",
        {
            "member": member,
            "repayment": repayment,
            "amount_words": amount_in_words(repayment.amount),
            "nav": "repayments",
        },
    )


@member_page
def member_statement(request: AuthedRequest, member: Member) -> HttpResponse:
    """The household's statement: the PDF's content, read by the PDF's own selector (one
    source of figures), as cards for a phone."""
    doc = member_statement_document(member, on=timezone.localdate())
    shares = []
    if doc.yearly is not None:
        shares = [(documents.share_label(key), amount) for key, amount in doc.yearly[1]]
    return render(
        request,
        "loans/member/statement.html",
        {"member": member, "doc": doc, "shares": shares, "nav": "statement"},
    )


@member_page
def member_statement_pdf(request: AuthedRequest, member: Member) -> HttpResponse:
    """The household's own statement as an A4 PDF (the same content as the page)."""
    return statement_pdf_response(member, timezone.localdate())


@member_page
def member_yearly_statement_pdf(request: AuthedRequest, member: Member) -> HttpResponse:
    """The association's yearly financial statement of its last approved year, as the notices
    page shows it. Until a year is approved the page offers no link; the address then shows
    the notices page, which says so."""
    yearly = reads.yearly_statement(member)
    if yearly is None:
        return _notices(request, member)
    allocation = yearly[0]
    html = documents.yearly_statement_html(
        book=allocation.book, year=allocation.year, on=timezone.localdate()
    )
    return pdf_response(documents.to_pdf(html), f"yearly-statement-{allocation.year}.pdf")


@member_page
def member_notices(request: AuthedRequest, member: Member) -> HttpResponse:
    return _notices(request, member)


def _notices(request: AuthedRequest, member: Member) -> HttpResponse:
    return render(
        request,
        "loans/member/notices.html",
        {
            "member": member,
            "association": member.association,
            "notices": reads.public_notices(member),
            "yearly": reads.yearly_statement(member),
            "nav": "notices",
        },
    )


@member_page
def member_account(request: AuthedRequest, member: Member) -> HttpResponse:
    return render(request, "loans/member/account.html", {"member": member, "nav": "account"})


@login_required
def member_logout_everywhere(request: AuthedRequest) -> HttpResponse:
    """End every session of this member login, this one too."""
    if not is_member_login(request.user):  # first: anyone else gets a 404, whatever the method
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access.sessions_end_all(user=request.user)
    logout(request)
    return render(request, "loans/member/logged_out.html")
