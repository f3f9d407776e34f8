from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from associations.scoping import ScopedQuerySet

models.CharField.register_lookup(Length)

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter a mainland mobile number of 11 digits.")
)


class User(AbstractUser):
    """A person who logs in: staff of any level, or a member household's head."""

    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        blank=True,
        null=True,
        unique=True,
        validators=[mobile_validator],
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return f"{full} ({self.username})" if full else self.username


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


# Official statistical division codes: how many leading digits carry meaning at each level.
# A subtree is every code starting with its root's significant prefix.
PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}
CODE_LENGTHS = {
    AreaLevel.PROVINCE: (2, 6),
    AreaLevel.CITY: (6,),
    AreaLevel.COUNTY: (6,),
    AreaLevel.TOWNSHIP: (9,),
    AreaLevel.VILLAGE: (12,),
}
LEVEL_DEPTH = {level: depth for depth, level in enumerate(AreaLevel)}


class AreaQuerySet(ScopedQuerySet):
    scope_path = "code"

    def subtree(self, area: "Area") -> "AreaQuerySet":
        return self.filter(code__startswith=area.prefix)


class Area(models.Model):
    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    prefix = models.CharField(_("subtree prefix"), max_length=12, db_index=True, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="area_code_length_matches_level",
                condition=(
                    Q(level="province", code__length__in=[2, 6])
                    | Q(level__in=["city", "county"], code__length=6)
                    | Q(level="township", code__length=9)
                    | Q(level="village", code__length=12)
                ),
            ),
            models.CheckConstraint(
                name="area_code_starts_with_prefix", condition=Q(code__startswith=F("prefix"))
            ),
            models.CheckConstraint(name="area_not_own_parent", condition=~Q(parent=F("code"))),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[AreaLevel(self.level)]

    def contains(self, other: "Area") -> bool:
        return other.code.startswith(self.prefix)


class AssociationStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    DISSOLVED = "dissolved", _("dissolved")


class AssociationQuerySet(ScopedQuerySet):
    scope_path = "area__code"


class Association(models.Model):
    """A village mutual-aid fund association (村级发展互助资金协会): one per village."""

    area = models.OneToOneField(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="association"
    )
    name = models.CharField(_("name"), max_length=120)
    founded_on = models.DateField(_("founded on"))
    party_secretary = models.CharField(_("party branch secretary"), max_length=50, blank=True)
    board_chair = models.CharField(_("board chair"), max_length=50, blank=True)
    supervisory_chair = models.CharField(_("supervisory board chair"), max_length=50, blank=True)
    total_households = models.PositiveIntegerField(_("households in the village"))
    registered_poor_households = models.PositiveIntegerField(
        _("registered-poor households in the village")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssociationStatus.choices,
        default=AssociationStatus.ACTIVE,
    )

    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["area__code"]
        constraints = [
            models.CheckConstraint(
                name="association_poor_within_households",
                condition=Q(registered_poor_households__lte=F("total_households")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VILLAGE_CLERK = "village_clerk", _("village clerk")
    VILLAGE_BOARD = "village_board", _("village board")
    TOWNSHIP_COMMITTEE = "township_committee", _("township supervisory committee")
    TOWNSHIP_STATION = "township_station", _("township management station")
    COUNTY_OFFICE = "county_office", _("county fund office")
    CITY_OFFICE = "city_office", _("city coordination office")
    AUDITOR = "auditor", _("auditor")
    MEMBER = "member", _("member household")


# The level of area each role is assigned at.
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.VILLAGE_CLERK: (AreaLevel.VILLAGE,),
    Role.VILLAGE_BOARD: (AreaLevel.VILLAGE,),
    Role.MEMBER: (AreaLevel.VILLAGE,),
    Role.TOWNSHIP_COMMITTEE: (AreaLevel.TOWNSHIP,),
    Role.TOWNSHIP_STATION: (AreaLevel.TOWNSHIP,),
    Role.COUNTY_OFFICE: (AreaLevel.COUNTY,),
    Role.CITY_OFFICE: (AreaLevel.CITY, AreaLevel.PROVINCE),
    Role.AUDITOR: tuple(AreaLevel),
}


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"
