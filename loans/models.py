"""Loan policy and purposes; loans from application to closing, their schedules, repayments,
transitions and write-offs."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from associations.history import history_user
from associations.models import Area, Association, Member
from associations.scoping import HouseholdScopedQuerySet, ScopedQuerySet
from loans.domain.fees import FeeMethod
from loans.domain.schedules import ABSOLUTE_MAX_TERM_MONTHS, ScheduleKind
from loans.workflow import ACTIVE_STATUSES, LoanStatus
from mutualaid.messaging import mask_mobile
from mutualaid.money import ZERO, money_field


class PurposeCode(models.TextChoices):
    """Production purposes only (DESIGN §5)."""

    LIVESTOCK = "livestock", _("livestock")
    CROPS = "crops", _("crops")
    ORCHARDS = "orchards", _("orchards and forestry")
    PROCESSING = "processing", _("processing")
    MARKETING = "marketing", _("marketing")
    SMALL_TRADE = "small_trade", _("small trade")


class LoanPurpose(models.Model):
    code = models.CharField(_("purpose"), max_length=20, choices=PurposeCode.choices, unique=True)
    typical_cycle_months = models.PositiveSmallIntegerField(
        _("typical production cycle (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(ABSOLUTE_MAX_TERM_MONTHS)],
    )

    class Meta:
        verbose_name = _("loan purpose")
        verbose_name_plural = _("loan purposes")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="loan_purpose_cycle_within_absolute_term",
                condition=Q(typical_cycle_months__gte=1)
                & Q(typical_cycle_months__lte=ABSOLUTE_MAX_TERM_MONTHS),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_code_display())


class LoanPolicyQuerySet(ScopedQuerySet):
    scope_path = "scope_code"


def _count(label):
    return models.PositiveSmallIntegerField(label, null=True, blank=True)


def _both_or_ordered(low: str, high: str) -> Q:
    return (
        Q(**{f"{low}__isnull": True})
        | Q(**{f"{high}__isnull": True})
        | Q(**{low: F(high)})
        | Q(**{f"{low}__lt": F(high)})
    )


class LoanPolicy(models.Model):
    """The limits one area or one association sets; every empty field inherits from above."""

    area = models.OneToOneField(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loan_policy",
    )
    association = models.OneToOneField(
        Association,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loan_policy",
    )
    # The area code of the area, or of the association's village: scoping and the path lookup.
    scope_code = models.CharField(_("division code"), max_length=12, db_index=True, editable=False)

    min_amount = money_field(_("minimum loan amount"), null=True, blank=True)
    max_amount = money_field(_("maximum loan amount"), null=True, blank=True)
    first_loan_max_amount = money_field(
        _("maximum first loan of a household"), null=True, blank=True
    )
    usual_term_months = _count(_("usual term (months)"))
    max_term_months = _count(_("maximum term including extensions (months)"))
    fee_rate = models.DecimalField(
        _("usage-fee rate a year"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    fee_method = models.CharField(
        _("usage-fee method"), max_length=10, choices=FeeMethod.choices, blank=True
    )
    overdue_multiplier = models.DecimalField(
        _("overdue-fee multiplier"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    notice_days = _count(_("public notice (days)"))
    min_leaders = _count(_("group leaders, at least"))
    max_leaders = _count(_("group leaders, at most"))
    min_households = _count(_("group households, at least"))
    max_households = _count(_("group households, at most"))
    group_stop = models.BooleanField(_("group stop while a member is overdue"), null=True)
    concurrent_borrowers_per_group = _count(_("borrowers at a time per group"))
    write_off_overdue_months = _count(_("write-off after months overdue"))
    poor_first = models.BooleanField(
        _("registered-poor households first on the waiting list"), null=True
    )
    purposes = models.ManyToManyField(
        LoanPurpose, verbose_name=_("allowed purposes"), blank=True, related_name="policies"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    objects = LoanPolicyQuerySet.as_manager()
    # The purposes are not kept in the history rows (simple-history would add a row per
    # add/remove); the values, who and when are.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("loan policy")
        verbose_name_plural = _("loan policies")
        ordering = ["scope_code"]
        constraints = [
            models.CheckConstraint(
                name="loan_policy_exactly_one_target",
                condition=Q(area__isnull=False, association__isnull=True)
                | Q(area__isnull=True, association__isnull=False),
            ),
            models.CheckConstraint(
                name="loan_policy_scope_is_its_area",
                condition=Q(area__isnull=True) | Q(area=F("scope_code")),
            ),
            models.CheckConstraint(
                name="loan_policy_amounts_positive",
                condition=(Q(min_amount__isnull=True) | Q(min_amount__gt=0))
                & (Q(max_amount__isnull=True) | Q(max_amount__gt=0))
                & (Q(first_loan_max_amount__isnull=True) | Q(first_loan_max_amount__gt=0)),
            ),
            models.CheckConstraint(
                name="loan_policy_terms_in_range",
                condition=(
                    Q(usual_term_months__isnull=True)
                    | Q(usual_term_months__gte=1, usual_term_months__lte=ABSOLUTE_MAX_TERM_MONTHS)
                )
                & (
                    Q(max_term_months__isnull=True)
                    | Q(max_term_months__gte=1, max_term_months__lte=ABSOLUTE_MAX_TERM_MONTHS)
                ),
            ),
            models.CheckConstraint(
                name="loan_policy_fee_rate_in_range",
                condition=Q(fee_rate__isnull=True) | Q(fee_rate__gte=0, fee_rate__lte="0.2400"),
            ),
            models.CheckConstraint(
                name="loan_policy_overdue_multiplier_in_range",
                condition=Q(overdue_multiplier__isnull=True)
                | Q(overdue_multiplier__gte=1, overdue_multiplier__lte=3),
            ),
            models.CheckConstraint(
                name="loan_policy_counts_positive",
                condition=(Q(max_leaders__isnull=True) | Q(max_leaders__gte=1))
                & (Q(max_households__isnull=True) | Q(max_households__gte=1))
                & (
                    Q(concurrent_borrowers_per_group__isnull=True)
                    | Q(concurrent_borrowers_per_group__gte=1)
                )
                & (Q(write_off_overdue_months__isnull=True) | Q(write_off_overdue_months__gte=1)),
            ),
            models.CheckConstraint(
                name="loan_policy_min_amount_le_max",
                condition=_both_or_ordered("min_amount", "max_amount"),
            ),
            models.CheckConstraint(
                name="loan_policy_usual_term_le_max",
                condition=_both_or_ordered("usual_term_months", "max_term_months"),
            ),
            models.CheckConstraint(
                name="loan_policy_leaders_ordered",
                condition=_both_or_ordered("min_leaders", "max_leaders"),
            ),
            models.CheckConstraint(
                name="loan_policy_households_ordered",
                condition=_both_or_ordered("min_households", "max_households"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self) -> Area | Association:
        if self.association is not None:
            return self.association
        assert self.area is not None  # loan_policy_exactly_one_target
        return self.area


HALF_FEN = Value(Decimal("0.005"))


class GuaranteeKind(models.TextChoices):
    GROUP = "group", _("joint-liability group")
    PERSONAL = "personal", _("personal guarantor")
    PLACEMENT = "placement", _("enterprise or cooperative placement")


class LoanQuerySet(HouseholdScopedQuerySet):
    scope_path = "association__area__code"
    member_path = "member__user_id"


class Loan(models.Model):
    """One loan from the clerk's application to its closing; `status` follows loans.workflow."""

    # Indexed by `loan_association_disbursed` (Meta.indexes), which leads with it.
    association = models.ForeignKey(
        Association,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="loans",
        db_index=False,
    )
    member = models.ForeignKey(
        Member, verbose_name=_("borrower"), on_delete=models.PROTECT, related_name="loans"
    )
    amount = money_field(_("amount"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.ForeignKey(LoanPurpose, verbose_name=_("purpose"), on_delete=models.PROTECT)
    schedule_kind = models.CharField(
        _("repayment schedule"), max_length=10, choices=ScheduleKind.choices
    )
    custom_rows = models.JSONField(_("planned instalments"), default=list, blank=True)
    guarantee_kind = models.CharField(_("guarantee"), max_length=10, choices=GuaranteeKind.choices)
    group = models.ForeignKey(
        "guarantees.GuaranteeGroup",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    guarantor = models.ForeignKey(
        Member,
        verbose_name=_("guarantor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guaranteed_loans",
    )
    placement = models.ForeignKey(
        "guarantees.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    expected_income = money_field(_("expected income"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=LoanStatus.choices, default=LoanStatus.DRAFT
    )
    waited_at = models.CharField(max_length=15, blank=True)
    fee_rate = models.DecimalField(
        _("usage-fee rate"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    fee_method = models.CharField(
        _("fee method"), max_length=10, blank=True, choices=FeeMethod.choices
    )
    overdue_multiplier = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice ends on"), null=True, blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    # Stored figures (DESIGN §6), kept by loans.services.figures in the transaction of every
    # disbursement, repayment, reversal, extension and write-off; equal to the replay.
    principal_outstanding = money_field(_("outstanding principal"), default=ZERO)
    # Indexed with the association (`loan_association_unpaid`): every overdue list is an area's.
    oldest_unpaid_due_on = models.DateField(_("oldest unpaid due date"), null=True, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-created_at", "-id"]
        indexes = [
            # An association's loans, and an area's loans disbursed in a period with what its
            # figures sum (reports.selectors.indicators), from the index alone on PostgreSQL.
            models.Index(
                fields=["association", "disbursed_on"],
                include=["amount", "principal_outstanding", "member"],
                name="loan_association_disbursed",
            ),
            # The waitlists (dashboards, indicators, the funds' release order): few rows.
            models.Index(
                fields=["association"],
                condition=Q(status="waitlisted"),
                name="loan_waitlisted",
            ),
            # An area's overdue loans by one index range per association, not the province's
            # overdue loans filtered down to the area.
            models.Index(
                fields=["association", "oldest_unpaid_due_on"],
                condition=Q(oldest_unpaid_due_on__isnull=False),
                name="loan_association_unpaid",
            ),
            # An area's written-off loans (and so its write-offs), likewise.
            models.Index(
                fields=["association"],
                condition=Q(status="written_off"),
                name="loan_written_off",
            ),
        ]
        constraints = [
            models.CheckConstraint(name="loan_amount_positive", condition=Q(amount__gt=0)),
            # The target of the instalments' and repayments' (loan, association) foreign key
            # (PostgreSQL, migration loans 0011): their association is always their loan's.
            models.UniqueConstraint(fields=["id", "association"], name="loan_id_association"),
            models.CheckConstraint(
                name="loan_term_within_cap",
                condition=Q(term_months__gte=1, term_months__lte=ABSOLUTE_MAX_TERM_MONTHS),
            ),
            # One active loan per household, whatever the services do.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=sorted(ACTIVE_STATUSES)),
                name="loan_one_active_per_household",
            ),
            models.CheckConstraint(
                name="loan_exactly_one_guarantee",
                condition=(
                    Q(
                        guarantee_kind="group",
                        group__isnull=False,
                        guarantor__isnull=True,
                        placement__isnull=True,
                    )
                    | Q(
                        guarantee_kind="personal",
                        group__isnull=True,
                        guarantor__isnull=False,
                        placement__isnull=True,
                    )
                    | Q(
                        guarantee_kind="placement",
                        group__isnull=True,
                        guarantor__isnull=True,
                        placement__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="loan_four_eyes",
                condition=~Q(approved_by=F("entered_by")) & ~Q(approved_by=F("submitted_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.amount}"


class Instalment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="instalments")
    # The loan's association, copied so that an area's figures read its instalments by one
    # index range per association instead of one probe per loan (DESIGN §6); PostgreSQL holds
    # it equal to the loan's by a foreign key on (loan, association).
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="+", db_index=False, editable=False
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    principal = money_field(_("principal"))
    # Stored figures (loans.services.figures): principal paid so far, the part of it paid on
    # or before the due date, and the day the instalment was paid in full.
    principal_paid = money_field(_("principal paid"), default=ZERO)
    paid_by_due = money_field(_("principal paid by the due date"), default=ZERO)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["loan", "number"]
        indexes = [
            # The daily reminder run reads the unpaid instalments of a few due dates.
            models.Index(
                fields=["due_on"],
                condition=Q(principal_paid__lt=F("principal")),
                name="instalment_unpaid_due",
            ),
            # An area's figures: the instalments of its associations fallen due by a date, read
            # from the index alone on PostgreSQL (reports.selectors.indicators).
            models.Index(
                fields=["association", "due_on"],
                include=["principal", "principal_paid", "paid_by_due"],
                name="instalment_association_due",
            ),
            # ... and the unpaid ones among those fallen due before a period.
            models.Index(
                fields=["association", "due_on"],
                include=["principal", "principal_paid"],
                condition=Q(principal_paid__lt=F("principal")),
                name="instalment_association_unpaid",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="instalment_number_unique"),
            models.CheckConstraint(name="instalment_positive", condition=Q(principal__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.principal}"


class Repayment(models.Model):
    """A cash repayment as allocated when recorded; a reversal keeps the row, marked."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    # The loan's association, as on Instalment: an area's repayments of a period are one index
    # range per association.
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="+", db_index=False, editable=False
    )
    paid_on = models.DateField(_("paid on"))
    amount = money_field(_("amount"))
    overdue_fee = money_field(_("overdue fee"))
    usage_fee = money_field(_("usage fee"))
    principal = money_field(_("principal"))
    token = models.CharField(max_length=64, unique=True)
    entry = models.OneToOneField("funds.JournalEntry", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reversal_entry = models.OneToOneField(
        "funds.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversal_reason = models.CharField(_("reason for the reversal"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["loan", "paid_on", "id"]
        indexes = [
            # An area's standing repayments of a period (reports.selectors.indicators and the
            # dashboards' monthly flows), from the index alone on PostgreSQL.
            models.Index(
                fields=["association", "paid_on"],
                include=["principal", "usage_fee", "overdue_fee"],
                condition=Q(reversal_entry__isnull=True),
                name="repayment_association_paid",
            ),
        ]
        constraints = [
            # The split adds up to the fen. Amounts have two places, so "within half a fen"
            # is exact on PostgreSQL and survives SQLite's floating-point NUMERIC arithmetic.
            models.CheckConstraint(
                name="repayment_split_adds_up",
                condition=Q(
                    amount__gt=F("overdue_fee") + F("usage_fee") + F("principal") - HALF_FEN,
                    amount__lt=F("overdue_fee") + F("usage_fee") + F("principal") + HALF_FEN,
                )
                & Q(amount__gt=0),
            ),
            models.CheckConstraint(
                name="repayment_reversal_four_eyes", condition=~Q(reversed_by=F("recorded_by"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


class LoanTransition(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=15, choices=LoanStatus.choices)
    to_status = models.CharField(_("to"), max_length=15, choices=LoanStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["loan", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class WriteOff(models.Model):
    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="write_off")
    reason = models.CharField(_("reason"), max_length=300)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    principal = money_field(_("principal written off"), null=True, blank=True)
    from_reserve = money_field(_("charged to the risk reserve"), null=True, blank=True)
    entry = models.OneToOneField(
        "funds.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        constraints = [
            models.CheckConstraint(
                name="write_off_four_eyes", condition=~Q(approved_by=F("proposed_by"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.principal}"


class ReminderKind(models.TextChoices):
    BEFORE_7 = "before_7", _("7 days before the due date")
    BEFORE_1 = "before_1", _("1 day before the due date")
    OVERDUE_1 = "overdue_1", _("1 day overdue")
    OVERDUE_7 = "overdue_7", _("7 days overdue")
    OVERDUE_30 = "overdue_30", _("30 days overdue")


class Delivery(models.TextChoices):
    PENDING = "pending", _("being sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    LOG = "log", _("log only")


class Reminder(models.Model):
    """A reminder sent, once per loan, instalment due date, kind and person (idempotent job)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="reminders")
    due_on = models.DateField(_("due on"))
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    member = models.ForeignKey(
        Member, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField(_("sent on"))
    text = models.CharField(_("message"), max_length=300)
    # How it went out: filled by the delivery task (loans.tasks.deliver_reminder).
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    answer = models.CharField(_("provider answer"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "due_on", "kind", "member"], name="reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.kind} {self.due_on}"

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the committee")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", _("refused")


class ExtensionRequest(models.Model):
    """The clerk asks for an extension (展期); the township committee grants or refuses it from
    its inbox (loans.services.extensions). At most one request waits per loan."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="extension_requests")
    new_maturity = models.DateField(_("new maturity"))
    reason = models.CharField(_("reason"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["loan"],
                condition=Q(status="pending"),
                name="one_pending_extension_request",
            ),
            models.CheckConstraint(
                name="extension_decided_by_another",
                condition=~Q(decided_by=F("requested_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan} → {self.new_maturity}"


class ReversalStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the station")
    DONE = "done", _("reversed")
    REFUSED = "refused", _("refused by the station")


class ReversalRequest(models.Model):
    """A village clerk's request that the township station reverse a repayment recorded by
    mistake (the clerk who recorded it may not reverse it: four eyes). The station reverses it
    (loans.services.money.repayment_reverse closes the request) or refuses with a reason."""

    repayment = models.ForeignKey(
        Repayment, on_delete=models.PROTECT, related_name="reversal_requests"
    )
    reason = models.CharField(_("reason"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReversalStatus.choices,
        default=ReversalStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal = models.CharField(_("why refused"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("reversal request")
        verbose_name_plural = _("reversal requests")
        constraints = [
            models.UniqueConstraint(
                fields=["repayment"],
                condition=Q(status="pending"),
                name="one_pending_reversal_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repayment} {self.status}"
