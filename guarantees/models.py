from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from associations.history import history_user
from associations.models import Association, Member, User
from associations.scoping import HouseholdScopedQuerySet


class GroupRole(models.TextChoices):
    LEADER = "leader", _("leader")
    HOUSEHOLD = "household", _("household")


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    DISSOLVED = "dissolved", _("dissolved")


class GuaranteeGroupQuerySet(HouseholdScopedQuerySet):
    scope_path = "association__area__code"
    member_path = "memberships__member__user_id"


class GuaranteeGroup(models.Model):
    """A joint-liability guarantee group (互助联保小组) inside one association."""

    association = models.ForeignKey(
        Association,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="guarantee_groups",
    )
    name = models.CharField(_("name"), max_length=50)
    formed_on = models.DateField(_("formed on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.ACTIVE
    )

    objects = GuaranteeGroupQuerySet.as_manager()
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("joint-liability group")
        verbose_name_plural = _("joint-liability groups")
        ordering = ["association", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "name"],
                condition=Q(status="active"),
                name="guarantee_group_active_name_unique",
            ),
            models.CheckConstraint(
                name="guarantee_group_dissolved_matches_status",
                condition=Q(status="active", dissolved_on__isnull=True)
                | Q(status="dissolved", dissolved_on__gte=F("formed_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(
        GuaranteeGroup,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="group_memberships",
    )
    role = models.CharField(_("role in the group"), max_length=10, choices=GroupRole.choices)
    joined_on = models.DateField(pgettext_lazy("group", "joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["role", "member__pinyin_full", "id"]
        constraints = [
            # A person is in at most one active group, whatever the services do.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(left_on__isnull=True),
                name="group_membership_one_active_per_member",
            ),
            models.CheckConstraint(
                name="group_membership_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.member} · {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class GroupChangeKind(models.TextChoices):
    FORMED = "formed", _("formed")
    ADDED = "added", _("member added")
    REMOVED = "removed", _("member removed")
    REPLACED = "replaced", _("member replaced")
    DISSOLVED = "dissolved", _("dissolved")


class GroupChange(models.Model):
    """Every change to a group, with who, when and why."""

    group = models.ForeignKey(
        GuaranteeGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("what"), max_length=10, choices=GroupChangeKind.choices)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    replaced_by = models.ForeignKey(
        Member, verbose_name=_("replaced by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    by = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("group change")
        verbose_name_plural = _("group changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.group} · {self.get_kind_display()} · {self.on}"


class PersonalGuaranteeQuerySet(HouseholdScopedQuerySet):
    scope_path = "association__area__code"
    member_path = "borrower__user_id"


class PersonalGuarantee(models.Model):
    """Another member of the association stands surety for a household."""

    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+"
    )
    borrower = models.ForeignKey(
        Member, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    guarantor = models.ForeignKey(
        Member, verbose_name=_("guarantor"), on_delete=models.PROTECT, related_name="+"
    )
    agreed_on = models.DateField(_("agreed on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PersonalGuaranteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal guarantee")
        verbose_name_plural = _("personal guarantees")
        constraints = [
            models.CheckConstraint(
                name="personal_guarantee_not_self", condition=~Q(borrower=F("guarantor"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guarantor} → {self.borrower}"


class PartnerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise-led")
    COOPERATIVE = "cooperative", _("cooperative-led")


class PlacementQuerySet(HouseholdScopedQuerySet):
    scope_path = "association__area__code"
    member_path = "member__user_id"


class Placement(models.Model):
    """A household's loan placed with an enterprise or cooperative (带资入股/入社)."""

    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    partner_kind = models.CharField(_("model"), max_length=12, choices=PartnerKind.choices)
    partner_name = models.CharField(_("partner"), max_length=100)
    agreed_on = models.DateField(_("agreement date"))
    dividend_terms = models.TextField(_("dividend terms"))
    # Ended (the household took its funds back, or the partner closed): no longer a guarantee
    # for a new loan; the row stays, as loans it guaranteed still point at it.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    ended_by = models.ForeignKey(
        User,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise or cooperative placement")
        verbose_name_plural = _("enterprise and cooperative placements")
        ordering = ["association", "-agreed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="placement_ended_after_agreed",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("agreed_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.partner_name}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None
