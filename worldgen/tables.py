"""The rows a generated world writes, table by table, and the allocator of ids."""

from associations.models import (
    Association,
    Member,
    RoleAssignment,
    User,
    VillageGroup,
)
from funds.models import (
    Account,
    AccountBalance,
    Book,
    CapitalContribution,
    Expense,
    JournalEntry,
    JournalLine,
    MonthClose,
)
from guarantees.models import GroupMembership, GuaranteeGroup, PersonalGuarantee, Placement
from loans.models import (
    Instalment,
    Loan,
    LoanTransition,
    Repayment,
    WriteOff,
)
from worldgen.write import Ids, Table


class Tables:
    """One township's rows, table by table, in insertion order."""

    def __init__(self) -> None:
        self.user = Table(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "session_generation",
            ],
        )
        self.role = Table(RoleAssignment, ["id", "user", "role", "area", "created_at"])
        self.association = Table(
            Association,
            [
                "id",
                "area",
                "name",
                "founded_on",
                "party_secretary",
                "board_chair",
                "supervisory_chair",
                "total_households",
                "registered_poor_households",
                "status",
            ],
        )
        self.village_group = Table(VillageGroup, ["id", "association", "name"])
        self.member = Table(
            Member,
            [
                "id",
                "association",
                "name",
                "id_number",
                "gender",
                "birth_date",
                "mobile",
                "village_group",
                "household_size",
                "labourers",
                "poverty_status",
                "is_party_member",
                "is_wealth_leader",
                "joined_on",
                "status",
                "exit_reason",
                "pinyin_full",
                "pinyin_initials",
                "created_at",
            ],
        )
        self.group = Table(GuaranteeGroup, ["id", "association", "name", "formed_on", "status"])
        self.membership = Table(GroupMembership, ["id", "group", "member", "role", "joined_on"])
        self.personal = Table(
            PersonalGuarantee, ["id", "association", "borrower", "guarantor", "agreed_on", "note"]
        )
        self.placement = Table(
            Placement,
            [
                "id",
                "association",
                "member",
                "partner_kind",
                "partner_name",
                "agreed_on",
                "dividend_terms",
                "end_reason",
            ],
        )
        self.book = Table(Book, ["id", "area", "association", "name"])
        self.account = Table(Account, ["id", "book", "key", "code", "type"])
        self.entry = Table(
            JournalEntry,
            [
                "id",
                "book",
                "date",
                "memo",
                "kind",
                "source_type",
                "source_id",
                "created_by",
                "created_at",
            ],
        )
        self.line = Table(
            JournalLine, ["id", "entry", "book", "date", "account", "debit", "credit"]
        )
        self.capital = Table(
            CapitalContribution,
            [
                "id",
                "book",
                "source",
                "contributor",
                "amount",
                "received_on",
                "into",
                "memo",
                "annual_rate",
                "term_months",
                "subsidy_rate",
                "subsidy_payer",
                "entry",
                "created_by",
            ],
        )
        self.expense = Table(
            Expense,
            [
                "id",
                "book",
                "category",
                "payee",
                "receipt_number",
                "amount",
                "spent_on",
                "advanced_by",
                "memo",
                "approver_level",
                "status",
                "recorded_by",
                "decided_by",
                "decided_at",
                "entry",
                "reimbursed_on",
                "reimbursement_entry",
            ],
        )
        self.month_close = Table(MonthClose, ["id", "book", "month_end", "closed_by", "closed_at"])
        self.account_balance = Table(
            AccountBalance, ["id", "book", "account", "month_end", "debit", "credit"]
        )
        self.loan = Table(
            Loan,
            [
                "id",
                "association",
                "member",
                "amount",
                "term_months",
                "purpose",
                "schedule_kind",
                "custom_rows",
                "guarantee_kind",
                "group",
                "guarantor",
                "placement",
                "status",
                "waited_at",
                "fee_rate",
                "fee_method",
                "overdue_multiplier",
                "notice_ends_on",
                "disbursed_on",
                "extensions",
                "entered_by",
                "submitted_by",
                "approved_by",
                "created_at",
                "principal_outstanding",
                "oldest_unpaid_due_on",
            ],
        )
        self.instalment = Table(
            Instalment,
            [
                "id",
                "loan",
                "association",
                "number",
                "due_on",
                "principal",
                "principal_paid",
                "paid_by_due",
                "paid_on",
            ],
        )
        self.repayment = Table(
            Repayment,
            [
                "id",
                "loan",
                "association",
                "paid_on",
                "amount",
                "overdue_fee",
                "usage_fee",
                "principal",
                "token",
                "entry",
                "recorded_by",
                "recorded_at",
                "reversal_reason",
            ],
        )
        self.transition = Table(
            LoanTransition, ["id", "loan", "from_status", "to_status", "by", "at", "reason"]
        )
        self.write_off = Table(
            WriteOff,
            [
                "id",
                "loan",
                "reason",
                "proposed_by",
                "proposed_at",
                "approved_by",
                "principal",
                "from_reserve",
                "entry",
            ],
        )

    def in_order(self) -> list[Table]:
        return [
            self.user,
            self.role,
            self.association,
            self.village_group,
            self.member,
            self.group,
            self.membership,
            self.personal,
            self.placement,
            self.book,
            self.account,
            self.entry,
            self.line,
            self.capital,
            self.expense,
            self.month_close,
            self.account_balance,
            self.loan,
            self.instalment,
            self.repayment,
            self.transition,
            self.write_off,
        ]


class Allocator:
    def __init__(self) -> None:
        self.user, self.role, self.association = Ids(User), Ids(RoleAssignment), Ids(Association)
        self.village_group, self.member = Ids(VillageGroup), Ids(Member)
        self.group, self.membership = Ids(GuaranteeGroup), Ids(GroupMembership)
        self.personal, self.placement = Ids(PersonalGuarantee), Ids(Placement)
        self.book, self.account = Ids(Book), Ids(Account)
        self.entry, self.line = Ids(JournalEntry), Ids(JournalLine)
        self.capital, self.expense, self.month_close = (
            Ids(CapitalContribution),
            Ids(Expense),
            Ids(MonthClose),
        )
        self.account_balance = Ids(AccountBalance)
        self.loan, self.instalment, self.repayment = Ids(Loan), Ids(Instalment), Ids(Repayment)
        self.transition, self.write_off = Ids(LoanTransition), Ids(WriteOff)


# --- one association ------------------------------------------------------------------------
