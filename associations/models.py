from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from associations.history import history_user
from associations.scoping import HouseholdScopedQuerySet, ScopedQuerySet
from mutualaid.money import money_field

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
    # Raised by "log out everywhere" and by a new activation: every session signed with the
    # old value ends (Django checks the session's hash on each request).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        """People are shown by their names, never by their login names (a login without a
        name, such as a bare admin account, falls back to it)."""
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    def get_session_auth_hash(self) -> str:
        if not self.session_generation:  # sessions from before the field keep working
            return super().get_session_auth_hash()
        return salted_hmac(
            "associations.User.session",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


# The words an official name ends with at each level (榆中县, 城关镇, 三角城村): such a name
# already says its level, so the level's label is not repeated after it ("榆中县 县（区）").
LEVEL_SUFFIXES: dict[str, tuple[str, ...]] = {
    AreaLevel.PROVINCE: ("省", "自治区", "特别行政区"),
    AreaLevel.CITY: ("市", "州", "盟", "地区"),
    AreaLevel.COUNTY: ("县", "区", "市", "旗"),
    AreaLevel.TOWNSHIP: ("乡", "镇", "街道", "苏木"),
    AreaLevel.VILLAGE: ("村", "社区", "居委会", "嘎查"),
}


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

    @property
    def level_label(self) -> str:
        """The level to show after the name: empty when the name already ends with it."""
        if self.name.endswith(LEVEL_SUFFIXES.get(self.level, ())):
            return ""
        return str(self.get_level_display())


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
    history = HistoricalRecords(get_user=history_user)

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

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"


# --- member households -------------------------------------------------------------------


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class PovertyStatus(models.TextChoices):
    REGISTERED_POOR = "registered_poor", _("registered poor")
    LIFTED = "lifted", _("lifted out of poverty")
    MONITORED = "monitored", _("monitored")
    RELATIVELY_POOR = "relatively_poor", _("relatively poor")
    GENERAL = "general", _("general")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXITED = "exited", _("exited")


class VillageGroupQuerySet(ScopedQuerySet):
    scope_path = "association__area__code"


class VillageGroup(models.Model):
    """A villagers' group (村民小组) of the association's village."""

    association = models.ForeignKey(
        Association,
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        related_name="village_groups",
    )
    name = models.CharField(_("name"), max_length=30)

    objects = VillageGroupQuerySet.as_manager()
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        ordering = ["association", "name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="village_group_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(HouseholdScopedQuerySet):
    scope_path = "association__area__code"
    member_path = "user_id"


class Member(models.Model):
    """A member household (社员农户), represented by its head."""

    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("date of birth"), editable=False)
    mobile = models.CharField(
        _("mobile number"), max_length=11, blank=True, validators=[mobile_validator]
    )
    village_group = models.ForeignKey(
        VillageGroup, verbose_name=_("village group"), on_delete=models.PROTECT, related_name="+"
    )
    household_size = models.PositiveSmallIntegerField(_("household size"))
    labourers = models.PositiveSmallIntegerField(_("working-age labourers"))
    poverty_status = models.CharField(
        _("poverty status"), max_length=20, choices=PovertyStatus.choices
    )
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_wealth_leader = models.BooleanField(_("wealth leader"), default=False)
    joined_on = models.DateField(_("joined on"))
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=200, blank=True)
    refund_amount = money_field(_("contribution refunded"), null=True, blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_household",
    )
    # Filled by the services from the name, for search by full pinyin or initials.
    pinyin_full = models.CharField(max_length=200, editable=False, db_index=True)
    pinyin_initials = models.CharField(max_length=50, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(
        get_user=history_user, excluded_fields=["pinyin_full", "pinyin_initials"]
    )

    class Meta:
        verbose_name = _("member household")
        verbose_name_plural = _("member households")
        ordering = ["association", "village_group__name", "pinyin_full", "id"]
        indexes = [
            # A household's memberships anywhere, active or not (duplicate funding across
            # associations): the unique index below holds only the active ones.
            models.Index(fields=["id_number"], name="member_id_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "id_number"], name="member_one_membership_per_association"
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(status="active"),
                name="member_one_active_per_id_number",
            ),
            models.CheckConstraint(
                name="member_exit_fields_match_status",
                condition=(Q(status="active", exited_on__isnull=True, refund_amount__isnull=True))
                | Q(status="exited", exited_on__isnull=False, refund_amount__isnull=False),
            ),
            models.CheckConstraint(
                name="member_labourers_within_household",
                condition=Q(household_size__gte=1, labourers__lte=F("household_size")),
            ),
            # The refund never exceeds what the books hold for the household: checked by the
            # funds service against the journal (a member has no typed contribution field).
            models.CheckConstraint(
                name="member_refund_not_negative",
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0),
            ),
            models.CheckConstraint(
                name="member_id_number_length", condition=Q(id_number__length=18)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def can_lead_group(self) -> bool:
        return self.is_party_member or self.is_wealth_leader


def mask_id_number(id_number: str) -> str:
    """620123********1234: region and last four only."""
    return f"{id_number[:6]}{'*' * 8}{id_number[-4:]}" if len(id_number) == 18 else "*" * 18


class MemberEventKind(models.TextChoices):
    CREATED = "created", _("registered")
    IMPORTED = "imported", _("imported")
    UPDATED = "updated", _("edited")
    EXITED = "exited", _("exited")
    OTHER_LOAN_ADDED = "other_loan_added", _("other loan recorded")
    OTHER_LOAN_REMOVED = "other_loan_removed", _("other loan removed")
    CONTRIBUTION = "contribution", _("contribution received")


class MemberEvent(models.Model):
    """The history of a member household: who changed what, when and why."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=20, choices=MemberEventKind.choices)
    by = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("details"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("member history entry")
        verbose_name_plural = _("member history")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()} · {self.at:%Y-%m-%d}"


class IdNumberView(models.Model):
    """One look at a member's full ID number: who, when, which member."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="id_views"
    )
    viewer = models.ForeignKey(
        User, verbose_name=_("viewer"), on_delete=models.PROTECT, related_name="+"
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("full ID number view")
        verbose_name_plural = _("full ID number views")
        ordering = ["-viewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.viewer} · {self.viewed_at:%Y-%m-%d %H:%M}"


class OtherLoanKind(models.TextChoices):
    TARGETED_POVERTY = "targeted_poverty", _("targeted poverty-alleviation loan")
    WOMEN_MICRO = "women_micro", _("women's micro-loan")
    SHUANGLIAN = "shuanglian", _("Shuanglian loan")
    OTHER = "other", _("other subsidised loan")


class OtherLoan(models.Model):
    """A subsidised loan the household holds elsewhere, for the duplicate-funding check."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="other_loans"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OtherLoanKind.choices)
    lender = models.CharField(_("lender"), max_length=100)
    amount = money_field(_("amount"))
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("other subsidised loan")
        verbose_name_plural = _("other subsidised loans")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(name="other_loan_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.lender}"


# --- audit records: logins, exports and import files -------------------------------------


class AuthEventKind(models.TextChoices):
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logged out")


class AuthEvent(models.Model):
    """A login, a failed login or a logout: who (or which name was tried), from where, when."""

    kind = models.CharField(_("what"), max_length=20, choices=AuthEventKind.choices)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    username = models.CharField(_("user name tried"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("login record")
        verbose_name_plural = _("login records")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.username} · {self.at:%Y-%m-%d %H:%M}"


class ExportRecordQuerySet(ScopedQuerySet):
    scope_path = "area_code"


class ExportRecord(models.Model):
    """One download of a file with the association's data: who, what, which area, when."""

    kind = models.CharField(_("what"), max_length=40)
    by = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    # The code prefix the exported data came from ("" for everything: a superuser).
    area_code = models.CharField(_("area"), max_length=12, blank=True, db_index=True)
    filename = models.CharField(_("file"), max_length=200)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ExportRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.by} · {self.at:%Y-%m-%d %H:%M}"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    CHECKING = "checking", _("checking")
    CHECKED = "checked", _("checked, waiting for confirmation")
    REFUSED = "refused", _("refused: rows to correct")
    WRITING = "writing", _("importing")
    DONE = "done", _("imported")


class ImportJobQuerySet(ScopedQuerySet):
    scope_path = "association__area__code"


def _import_upload_to(job: "ImportJob", filename: str) -> str:
    return f"imports/{job.association_id}/{timezone.now():%Y%m%d-%H%M%S}-{job.kind}.xlsx"


class ImportJob(models.Model):
    """An uploaded roster or group list, kept with who sent it, when, and how it ended."""

    association = models.ForeignKey(
        Association, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=20)
    file = models.FileField(_("file"), upload_to=_import_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    by = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    good_count = models.PositiveIntegerField(_("good rows"), default=0)
    created_count = models.PositiveIntegerField(_("rows imported"), default=0)
    # [[line, message], …] of the rows to correct, and the refusal as the user saw it.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    failure = models.CharField(_("problem"), max_length=500, blank=True)
    # What a good check found beyond its rows, shown before the confirm: the village groups
    # the import will create ("new_groups") and the file's columns not read ("ignored_columns").
    notes = models.JSONField(_("notes"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.get_state_display()}"

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def running(self) -> bool:
        return self.state in (ImportState.UPLOADED, ImportState.CHECKING, ImportState.WRITING)


class IdempotencyKey(models.Model):
    """A form's one-time key, claimed by the first submit that writes (unique per user), with
    what that submit created; a second submit with the same key is shown that object."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.key}"


# --- member access: one-time activation codes (issue 12) ---------------------------------


class AccessCode(models.Model):
    """A one-time code the clerk gives a member household to set its password (7 days).
    Only a hash is kept; the clerk sees and prints the code once."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="access_codes"
    )
    code_hash = models.CharField(max_length=128)
    issued_by = models.ForeignKey(
        User, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.issued_at:%Y-%m-%d}"


# --- training and capacity building (seed recommendation 5) ------------------------------


class TrainingSessionQuerySet(ScopedQuerySet):
    scope_path = "area__code"


class TrainingSession(models.Model):
    """A training held by the city, county, township or village for managers and members."""

    held_on = models.DateField(_("date"))
    level = models.CharField(_("organised by"), max_length=10, choices=AreaLevel.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="training_sessions"
    )
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    place = models.CharField(_("place"), max_length=200)
    created_by = models.ForeignKey(
        User, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="training_hours_positive", condition=Q(hours__gt=0, hours__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class TrainingAttendance(models.Model):
    """One person at a session: a member household (its head) or a staff login."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("staff"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "id"]
        constraints = [
            models.CheckConstraint(
                name="training_attendance_member_or_staff",
                condition=Q(member__isnull=False, user__isnull=True)
                | Q(member__isnull=True, user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["session", "member"], name="training_attendance_member_once"
            ),
            models.UniqueConstraint(
                fields=["session", "user"], name="training_attendance_staff_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.member or self.user}"
