"""Who may act on a set of books (DESIGN §1, §5), in one table that the services check and the
pages ask. A role counts at its own area and below (`associations.authority`): the station of one
township does not close another township's books."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from associations.authority import STAFF_ROLES, may_act, require_role
from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.models import ApproverLevel, Book

if TYPE_CHECKING:
    from associations.scoping import AnyUser

# Record capital, expenses, contributions and reimbursements in a village's books.
RECORDERS = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_STATION})
# A county or city office runs its capital pool (and records its capital).
OFFICES = frozenset({Role.COUNTY_OFFICE, Role.CITY_OFFICE})
# Reverse an entry that belongs to no business record.
REVERSERS = frozenset({Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION})
# Close a month.
CLOSERS = frozenset({Role.TOWNSHIP_STATION})
# Approve an expense, by its level (≤ 200 the finance officer, ≤ 1,000 the chair, the board).
APPROVER_ROLES: dict[str, frozenset[str]] = {
    ApproverLevel.FINANCE_OFFICER: frozenset(
        {Role.VILLAGE_CLERK, Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION}
    ),
    ApproverLevel.CHAIR: frozenset({Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION}),
    ApproverLevel.BOARD: frozenset({Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION}),
}
EXPENSE_DECIDERS = frozenset().union(*APPROVER_ROLES.values())
# The year-end split: proposed by the clerk or the station, decided by the board or the station.
SURPLUS_PROPOSERS = frozenset({Role.VILLAGE_CLERK, Role.TOWNSHIP_STATION})
SURPLUS_DECIDERS = frozenset({Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION})
STAFF = STAFF_ROLES


def pool_office_roles(pool: Book) -> frozenset[str]:
    """A county pool is run by its county office, supervised by the city office above it."""
    if pool.area.level == "county":
        return OFFICES
    return frozenset({Role.CITY_OFFICE})


def recorder_roles(book: Book) -> frozenset[str]:
    return pool_office_roles(book) if book.is_pool else RECORDERS


def may_on_book(user: "AnyUser", roles: Iterable[str], book: Book) -> bool:
    """`user` holds one of `roles` at the book's area or above it."""
    return may_act(user, roles, book.area_id)


def require_on_book(user: "AnyUser", roles: Iterable[str], book: Book) -> None:
    require_role(user, roles, book.area_id, error=FundsRuleError)
