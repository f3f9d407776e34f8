"""Writes of the books: capital, transfers, expenses and advances, contributions, year-end;
one module per concept.

Every money movement here posts through `funds.journal.journal_post` in the same transaction as
its business record. The loans app posts disbursements and repayments through the same function.
"""

from funds.services._common import CAPITAL_ACCOUNT
from funds.services.capital import (
    capital_receive,
    capital_reversal,
    capital_reverse,
    may_reverse_capital,
)
from funds.services.contributions import (
    may_receive_contribution,
    member_contribution_held,
    member_contribution_receive,
    member_contribution_refund,
    member_contributions_held,
)
from funds.services.expenses import expense_decide, expense_record, expense_reimburse
from funds.services.surplus import (
    DEFAULT_SPLIT,
    Split,
    surplus_decide,
    surplus_propose,
    surplus_shares,
    year_surplus,
)
from funds.services.transfers import approver_level, transfer_decide, transfer_request

__all__ = [
    "CAPITAL_ACCOUNT",
    "DEFAULT_SPLIT",
    "Split",
    "approver_level",
    "capital_receive",
    "capital_reversal",
    "capital_reverse",
    "expense_decide",
    "expense_record",
    "expense_reimburse",
    "may_receive_contribution",
    "may_reverse_capital",
    "member_contribution_held",
    "member_contribution_receive",
    "member_contribution_refund",
    "member_contributions_held",
    "surplus_decide",
    "surplus_propose",
    "surplus_shares",
    "transfer_decide",
    "transfer_request",
    "year_surplus",
]
