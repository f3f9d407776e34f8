"""The month close (issue 13, item 5): what is open at a month's end, the count of cash and
bank confirmed at the close, the printable month summary, and the township station closing all
its villages' books at once.

The books cannot read the loans (DESIGN §3: loans posts through funds, never the reverse), so
the loans app answers "what was overdue at the month's end" through `overdue_readers`, filled
in its `AppConfig.ready()`.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from funds.models import Book


@dataclass(frozen=True)
class OverdueFigure:
    """Loans of a book overdue at a day's end: how many, and their outstanding principal."""

    count: int
    principal: Decimal


# Each takes books and a day and returns the OverdueFigure of each book with any, by book id
# (loans: the overdue loans), in a number of queries that does not grow with the books.
overdue_readers: list[Callable[[Sequence[Book], datetime.date], dict[int, OverdueFigure]]] = []
