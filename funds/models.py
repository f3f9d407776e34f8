from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from associations.models import Area, Association
from associations.scoping import ScopedQuerySet
from funds.chart import AccountType
from mutualaid.money import ZERO, money_field


class BookQuerySet(ScopedQuerySet):
    scope_path = "area__code"


class Book(models.Model):
    """A set of books: an association's, or a county/city pool's (资金池)."""

    area = models.OneToOneField(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="book"
    )
    association = models.OneToOneField(
        Association,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="book",
    )
    name = models.CharField(_("name"), max_length=120)
    closed_through = models.DateField(_("books closed through"), null=True, blank=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        verbose_name = _("book")
        verbose_name_plural = _("books")
        ordering = ["area__code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pool(self) -> bool:
        return self.association_id is None


class AccountQuerySet(ScopedQuerySet):
    scope_path = "book__area__code"


class Account(models.Model):
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="accounts")
    key = models.CharField(max_length=30)
    code = models.CharField(_("account code"), max_length=10)
    type = models.CharField(_("type"), max_length=12, choices=AccountType.choices)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["book", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="account_code_unique"),
            models.UniqueConstraint(fields=["book", "key"], name="account_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        from funds.chart import BY_KEY

        return str(BY_KEY[self.key].name) if self.key in BY_KEY else self.key


class EntryKind(models.TextChoices):
    CAPITAL = "capital", _("capital received")
    TRANSFER = "transfer", _("transfer")
    EXPENSE = "expense", _("expense")
    REIMBURSEMENT = "reimbursement", _("reimbursement of an advance")
    CONTRIBUTION = "contribution", _("member contribution")
    REFUND = "refund", _("contribution refund")
    DISBURSEMENT = "disbursement", _("loan disbursement")
    REPAYMENT = "repayment", _("loan repayment")
    WRITE_OFF = "write_off", _("loan write-off")
    RECOVERY = "recovery", _("recovery after write-off")
    SURPLUS = "surplus", _("year-end surplus allocation")
    REVERSAL = "reversal", _("reversal")
    OTHER = "other", _("other")


class JournalEntryQuerySet(ScopedQuerySet):
    scope_path = "book__area__code"


class JournalEntry(models.Model):
    """One balanced money movement. Never edited or deleted; corrected by a reversal."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="entries")
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=200)
    kind = models.CharField(_("kind"), max_length=15, choices=EntryKind.choices)
    source_type = models.CharField(_("business record"), max_length=40, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["book", "date", "id"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="entry_source_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.date} {self.memo}"


class JournalLine(models.Model):
    # book and date are copied from the entry at insert (lines are append-only), so balances
    # are one index range scan without a join.
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    # The book and the account are indexed by the indexes below that lead with them.
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField()
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    debit = money_field(_("debit"), default=ZERO)
    credit = money_field(_("credit"), default=ZERO)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        indexes = [
            models.Index(fields=["book", "account", "date"], name="line_book_account_date_idx"),
            models.Index(fields=["account", "date"], name="line_account_date_idx"),
            # The lines after the books' last closed month, across many books (dashboards).
            models.Index(fields=["date"], name="line_date_idx"),
            # ... and one book's lines after a day with what they sum, from the index alone on
            # PostgreSQL (lines are append-only, so their pages stay all-visible).
            models.Index(
                fields=["book", "date"],
                include=["account", "debit", "credit"],
                name="line_book_date_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="line_one_side_positive",
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} Dr {self.debit} Cr {self.credit}"


class CapitalSource(models.TextChoices):
    GOVERNMENT = "government", _("government poverty funds")
    BANK_LOAN = "bank_loan", _("bank loan")
    ENTERPRISE = "enterprise", _("enterprise donation")
    PAIRED_UNIT = "paired_unit", _("paired-assistance unit")
    SOCIAL = "social", _("social donation")
    MEMBER = "member", _("member contributions")
    RETAINED = "retained", _("retained surplus")


class SubsidyPayer(models.TextChoices):
    NONE = "", _("no subsidy")
    COUNTY = "county", _("county finance")
    CITY = "city", _("city finance")
    PROVINCE = "province", _("province finance")
    OTHER = "other", _("other")


class CapitalQuerySet(ScopedQuerySet):
    scope_path = "book__area__code"


class CapitalContribution(models.Model):
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="capital")
    source = models.CharField(_("source"), max_length=12, choices=CapitalSource.choices)
    contributor = models.CharField(_("contributor"), max_length=100)
    amount = money_field(_("amount"))
    received_on = models.DateField(_("received on"))
    into = models.CharField(_("received into"), max_length=4, default="bank")
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    # Bank loans only.
    annual_rate = models.DecimalField(
        _("annual interest rate"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    subsidy_rate = models.DecimalField(
        _("interest-subsidy rate"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    subsidy_payer = models.CharField(
        _("subsidy paid by"), max_length=10, blank=True, choices=SubsidyPayer.choices
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = CapitalQuerySet.as_manager()

    class Meta:
        verbose_name = _("capital contribution")
        verbose_name_plural = _("capital contributions")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(name="capital_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="capital_bank_loan_terms",
                condition=~Q(source="bank_loan")
                | Q(annual_rate__isnull=False, term_months__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.contributor} {self.amount}"


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class TransferKind(models.TextChoices):
    ALLOCATE = "allocate", _("allocation to an association")
    RECALL = "recall", _("recall of idle capital")


class TransferQuerySet(ScopedQuerySet):
    scope_path = "pool__area__code"


class Transfer(models.Model):
    pool = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="pool_transfers")
    target = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices)
    amount = money_field(_("amount"))
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    pool_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(name="transfer_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="transfer_four_eyes", condition=~Q(decided_by=F("requested_by"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class ExpenseCategory(models.TextChoices):
    SETUP = "setup", _("set-up costs")
    TRAVEL = "travel", _("travel")
    OFFICE = "office", _("office")
    TRAINING = "training", _("training")
    OTHER = "other", _("other")


class ApproverLevel(models.TextChoices):
    FINANCE_OFFICER = "finance_officer", _("finance officer")
    CHAIR = "chair", _("board chair")
    BOARD = "board", _("board")


class ExpenseQuerySet(ScopedQuerySet):
    scope_path = "book__area__code"


class Expense(models.Model):
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="expenses")
    category = models.CharField(_("category"), max_length=10, choices=ExpenseCategory.choices)
    payee = models.CharField(_("payee"), max_length=100)
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    amount = money_field(_("amount"))
    spent_on = models.DateField(_("date"))
    advanced_by = models.CharField(
        _("advanced by"),
        max_length=50,
        blank=True,
        help_text=_("Name of the person who paid out of pocket; empty when the fund paid."),
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    approver_level = models.CharField(
        _("approved at level"), max_length=16, choices=ApproverLevel.choices
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reimbursed_on = models.DateField(_("reimbursed on"), null=True, blank=True)
    reimbursement_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.CheckConstraint(name="expense_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="expense_four_eyes", condition=~Q(decided_by=F("recorded_by"))
            ),
            models.CheckConstraint(
                name="expense_reimbursed_only_advances",
                condition=Q(reimbursed_on__isnull=True) | ~Q(advanced_by=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.payee} {self.amount}"


class SurplusQuerySet(ScopedQuerySet):
    scope_path = "book__area__code"


class SurplusAllocation(models.Model):
    """Year-end split of the year's surplus; the percentages must total 100."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="surplus_allocations")
    year = models.PositiveSmallIntegerField(_("year"))
    surplus = money_field(_("surplus"))
    # Shares in basis points (4000 = 40.00 %): integers add up exactly on every database.
    accumulation_bp = models.PositiveIntegerField(_("accumulation share"))
    welfare_bp = models.PositiveIntegerField(_("welfare share"))
    risk_reserve_bp = models.PositiveIntegerField(_("risk reserve share"))
    running_costs_bp = models.PositiveIntegerField(_("running costs share"))
    dividends_bp = models.PositiveIntegerField(_("dividends share"))
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SurplusQuerySet.as_manager()

    class Meta:
        verbose_name = _("surplus allocation")
        verbose_name_plural = _("surplus allocations")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year"],
                condition=~Q(status="rejected"),
                name="surplus_one_per_year",
            ),
            models.CheckConstraint(
                name="surplus_split_totals_100",
                condition=Q(
                    accumulation_bp=10000
                    - F("welfare_bp")
                    - F("risk_reserve_bp")
                    - F("running_costs_bp")
                    - F("dividends_bp")
                ),
            ),
            models.CheckConstraint(
                name="surplus_four_eyes", condition=~Q(decided_by=F("proposed_by"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.surplus}"


class MonthClose(models.Model):
    """A month closed by the township station: nothing may be posted into it any more."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="closes")
    month_end = models.DateField(_("month end"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    # The count confirmed at the close (funds.closing): the books' cash and bank at month end,
    # what was counted (cash) and read off the bank statement, and why they differ, if they do.
    # Null for closes made before the count was asked (and by the world generator).
    cash_in_books = money_field(_("cash in the books"), null=True, blank=True)
    cash_counted = money_field(_("cash counted"), null=True, blank=True)
    bank_in_books = money_field(_("bank in the books"), null=True, blank=True)
    bank_counted = money_field(_("bank statement balance"), null=True, blank=True)
    difference_reason = models.CharField(
        _("reason for the difference"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("month close")
        verbose_name_plural = _("month closes")
        ordering = ["book", "-month_end"]
        constraints = [
            models.UniqueConstraint(fields=["book", "month_end"], name="month_close_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.month_end}"


class AccountBalance(models.Model):
    """An account's debit and credit totals from the first line through the end of a closed
    month (DESIGN §6: what reads need at scale is stored). The month close writes one row per
    account of the book, in its own transaction; nothing is posted into a closed month, so the
    row never changes. Balances then add only the lines of the open months to it
    (funds.journal.account_totals), however long the book's history."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="closed_totals")
    month_end = models.DateField(_("month end"))
    debit = money_field(_("debit"))
    credit = money_field(_("credit"))

    class Meta:
        verbose_name = _("closed account totals")
        verbose_name_plural = _("closed account totals")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month_end"], name="account_balance_once_a_month"
            ),
        ]
        indexes = [models.Index(fields=["book", "month_end"], name="account_balance_book_month")]

    def __str__(self) -> str:
        return f"{self.account} {self.month_end}"
