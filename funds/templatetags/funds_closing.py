from django import template
from django.db.models import Min

from funds.models import Book

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
