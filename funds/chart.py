"""The chart of accounts: one definition, opened for every book (association or pool).

Codes are the project's own; names follow the non-profit accounting system for associations
(民间非营利组织会计制度). `key` is what code refers to; the numeric code is what clerks see.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class AccountType(models.TextChoices):
    ASSET = "asset", _("asset")
    LIABILITY = "liability", _("liability")
    NET_ASSETS = "net_assets", _("net assets")
    INCOME = "income", _("income")
    EXPENSE = "expense", _("expense")


DEBIT_NORMAL = {AccountType.ASSET, AccountType.EXPENSE}


@dataclass(frozen=True)
class AccountDef:
    key: str
    code: str
    name: StrOrPromise
    type: str


CHART: tuple[AccountDef, ...] = (
    AccountDef("cash", "1001", _("cash"), AccountType.ASSET),
    AccountDef("bank", "1002", _("bank deposits"), AccountType.ASSET),
    AccountDef(
        "loans_receivable", "1131", _("loans receivable (mutual-aid funds lent)"), AccountType.ASSET
    ),
    AccountDef("fee_receivable", "1132", _("usage fees receivable"), AccountType.ASSET),
    AccountDef(
        "allocated_capital", "1201", _("capital allocated to associations"), AccountType.ASSET
    ),
    AccountDef("member_contributions", "2101", _("member contributions"), AccountType.LIABILITY),
    AccountDef("bank_borrowings", "2201", _("bank borrowings"), AccountType.LIABILITY),
    AccountDef("advances_payable", "2202", _("advances payable to staff"), AccountType.LIABILITY),
    AccountDef("dividends_payable", "2203", _("dividends payable"), AccountType.LIABILITY),
    AccountDef(
        "government_capital", "3101", _("government mutual-aid capital"), AccountType.NET_ASSETS
    ),
    AccountDef("donated_capital", "3102", _("donated capital"), AccountType.NET_ASSETS),
    AccountDef("accumulation", "3201", _("accumulation fund"), AccountType.NET_ASSETS),
    AccountDef("welfare", "3202", _("welfare fund"), AccountType.NET_ASSETS),
    AccountDef("risk_reserve", "3203", _("risk reserve"), AccountType.NET_ASSETS),
    AccountDef("running_cost_fund", "3204", _("running-cost fund"), AccountType.NET_ASSETS),
    AccountDef("usage_fee_income", "4101", _("usage-fee income"), AccountType.INCOME),
    AccountDef("overdue_fee_income", "4102", _("overdue-fee income"), AccountType.INCOME),
    AccountDef("bank_interest_income", "4103", _("bank interest income"), AccountType.INCOME),
    AccountDef("other_income", "4109", _("other income"), AccountType.INCOME),
    AccountDef("running_costs", "5101", _("running costs"), AccountType.EXPENSE),
    AccountDef("write_off_loss", "5102", _("write-off loss"), AccountType.EXPENSE),
    AccountDef("bank_interest_expense", "5103", _("bank interest expense"), AccountType.EXPENSE),
)

BY_KEY = {account.key: account for account in CHART}
CASH_KEYS = ("cash", "bank")
