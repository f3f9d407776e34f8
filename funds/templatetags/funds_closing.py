from typing import TYPE_CHECKING

from django import template
from django.db.models import Min

from associations.scoping import user_roles
from funds.models import Book
from funds.roles import CLOSERS

if TYPE_CHECKING:
    from associations.scoping import AnyUser

register = template.Library()


@register.simple_tag
def closed_years(book: Book) -> list[int]:
    """The years whose December is closed, newest first: their surplus can be split."""
    if book.closed_through is None:
        return []
    last = book.closed_through.year - (0 if book.closed_through.month == 12 else 1)
    first = book.entries.aggregate(first=Min("date"))["first"]
    if first is None or first.year > last:
        return []
    return list(range(last, first.year - 1, -1))


@register.simple_tag
def may_close_months(user: "AnyUser") -> bool:
    """The township station's link to closing all its villages' books (funds.roles CLOSERS)."""
    return bool(user is not None and (user.is_superuser or user_roles(user) & CLOSERS))
