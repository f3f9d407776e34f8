"""Objects of the inside branch's books for the automatic scoping test (made once per world)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from associations.models import Role
from funds.journal import book_for_association, pool_book_open
from funds.models import Book, Expense, JournalEntry, Transfer
from funds.services import capital_receive, expense_record, transfer_request


@dataclass
class ScopedFunds:
    book: Book
    entry: JournalEntry
    expense: Expense
    transfer: Transfer


def scoped_funds(world) -> ScopedFunds:
    cached = getattr(world, "_funds", None)
    if cached is not None:
        return cached
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    book = book_for_association(world.inside.association)
    capital = capital_receive(
        book=book,
        source="government",
        contributor="县财政局",
        amount=Decimal("1000"),
        received_on=datetime.date(2025, 3, 1),
        by=clerk,
    )
    expense = expense_record(
        book=book,
        category="office",
        payee="文具店",
        amount=Decimal("50"),
        spent_on=datetime.date(2025, 3, 2),
        by=clerk,
    )
    pool = pool_book_open(area=world.inside.county)
    transfer = transfer_request(
        pool=pool,
        target=book,
        kind="allocate",
        amount=Decimal("10"),
        on=datetime.date(2025, 3, 3),
        reason="分配",
        by=world.inside.users[Role.COUNTY_OFFICE],
    )
    world._funds = ScopedFunds(book, capital.entry, expense, transfer)
    return world._funds
