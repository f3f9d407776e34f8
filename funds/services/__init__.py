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
    may_reverse_contribution,
    member_contribution_entries,
    member_contribution_held,
    member_contribution_lines,
    member_contribution_receive,
    member_contribution_refund,
    member_contribution_reverse,
    member_contributions_held,
)
from funds.services.expenses import (
    expense_decide,
    expense_record,
    expense_reimburse,
    expense_reversal,
    expense_reverse,
    may_reverse_expense,
)
from funds.services.surplus import (
    DEFAULT_SPLIT,
    Split,
    surplus_decide,
    surplus_propose,
    surplus_shares,
    year_surplus,
)
from funds.services.transfers import (
    approver_level,
    may_reverse_transfer,
    transfer_decide,
    transfer_request,
    transfer_reversal,
    transfer_reverse,
)

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
    "expense_reversal",
    "expense_reverse",
    "may_receive_contribution",
    "may_reverse_capital",
    "may_reverse_contribution",
    "may_reverse_expense",
    "may_reverse_transfer",
    "member_contribution_entries",
    "member_contribution_held",
    "member_contribution_lines",
    "member_contribution_receive",
    "member_contribution_refund",
    "member_contribution_reverse",
    "member_contributions_held",
    "surplus_decide",
    "surplus_propose",
    "surplus_shares",
    "transfer_decide",
    "transfer_request",
    "transfer_reversal",
    "transfer_reverse",
    "year_surplus",
]
