"""The books' work queue on the home page (associations.hooks.home_panels): the township
station's months to close, per village book."""

from collections.abc import Sequence
from typing import cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from associations.hooks import HomePanel
from associations.models import RoleAssignment, User
from funds.roles import CLOSERS
from funds.selectors import months_to_close

ROWS = 6


def home_panels(request: HttpRequest, assignments: Sequence[RoleAssignment]) -> list[HomePanel]:
    if not CLOSERS & {a.role for a in assignments}:
        return []
    books = [
        (book, months)
        for book, months in months_to_close(
            user=cast(User, request.user), roles=CLOSERS, today=timezone.localdate()
        )
        if months
    ]
    rows = [
        (
            book.area.name,
            ngettext("%(n)s month to close", "%(n)s months to close", months) % {"n": months},
            reverse("funds:book_close", args=[book.pk]),
        )
        for book, months in books[:ROWS]
    ]
    return [
        HomePanel(
            title=_("Months to close per village book"),
            rows=rows,
            count=len(books),
            link=reverse("funds:close_all"),
            order=41,
        )
    ]
