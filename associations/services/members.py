"""Writes of member households: register, edit, link a login, exit with the refund, reveal a
full ID number (recorded), and the household's other subsidised loans."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations import hooks
from associations.authority import require_role
from associations.exceptions import MemberRuleError
from associations.history import history_by
from associations.households import check_mobile, membership_complete, parse_id_number, pinyin_keys
from associations.models import (
    Association,
    IdNumberView,
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
    OtherLoan,
    OtherLoanKind,
    PovertyStatus,
    Role,
    User,
    VillageGroup,
)
from associations.services.associations import role_assign
from mutualaid.errors import RuleError
from mutualaid.money import ZERO, format_yuan, to_fen

MEMBER_FIELDS = (
    "name",
    "id_number",
    "mobile",
    "village_group",
    "household_size",
    "labourers",
    "poverty_status",
    "is_party_member",
    "is_wealth_leader",
    "joined_on",
)


# Who keeps the village's roster: its clerk (DESIGN §1).
MEMBER_KEEPERS = frozenset({Role.VILLAGE_CLERK})


def _authorize(by: User, association: Association) -> None:
    """`by` is the clerk of this village (a role held elsewhere does not count)."""
    require_role(by, MEMBER_KEEPERS, association.area_id, error=MemberRuleError)


def contribution_held(member: Member) -> Decimal:
    """What the books hold for this household's contribution (received less refunded)."""
    return sum((read(member) for read in hooks.contribution_readers), ZERO)


def contribution_lines(user: User, member: Member) -> list[hooks.ContributionLine]:
    """The household's contributions received, each linking to where it is reversed."""
    return [line for lines in hooks.contribution_lines for line in lines(user, member)]


def may_receive_contribution(user: User, member: Member) -> bool:
    """Whether the member page offers to receive a contribution: the books' own rule."""
    return any(offer(user, member) for offer in hooks.contribution_offers)


@transaction.atomic
def contribution_receive(
    *, member: Member, amount: Decimal, on: datetime.date, by: User
) -> models.Model:
    """Receive a household's contribution (股金/互助金) into the books: the only way a
    contribution is recorded. The books (`hooks.contribution_receivers`, the funds app) check
    who may receive it and post the entry; their refusal reaches the clerk as a member rule."""
    if not hooks.contribution_receivers:
        raise MemberRuleError(_("The books are not available."), "no_books")
    member = Member.objects.select_related("association").get(pk=member.pk)
    try:
        entry = hooks.contribution_receivers[0](member=member, amount=amount, on=on, by=by)
    except RuleError as error:
        raise MemberRuleError(error.message, error.code) from error
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.CONTRIBUTION,
        by=by,
        note=_("%(amount)s yuan on %(date)s (journal entry #%(entry)s)")
        % {"amount": format_yuan(to_fen(amount)), "date": on.isoformat(), "entry": entry.pk},
    )
    return entry


@history_by
@transaction.atomic
def village_group_create(*, association: Association, name: str, by: User) -> VillageGroup:
    _authorize(by, association)
    name = (name or "").strip()
    if not name:
        raise MemberRuleError(_("The village group needs a name."), "group_name")
    if VillageGroup.objects.filter(association=association, name=name).exists():
        raise MemberRuleError(
            _("Village group %(name)s already exists.") % {"name": name}, "group_exists"
        )
    return VillageGroup.objects.create(association=association, name=name)


def member_check(
    *, association: Association, fields: dict, today: datetime.date | None = None
) -> dict:
    """Check one household's fields without touching the database; return them cleaned.

    Uniqueness of the ID number is checked by the callers (one query per row, or one per file).
    """
    today = today or timezone.localdate()
    clean = dict(fields)
    clean["name"] = str(fields.get("name") or "").strip()
    if not clean["name"]:
        raise MemberRuleError(_("The name is empty."), "name")
    if len(clean["name"]) > 50:
        raise MemberRuleError(_("The name is longer than 50 characters."), "name")
    parsed = parse_id_number(fields.get("id_number") or "", today=today)
    clean.update(id_number=parsed.number, birth_date=parsed.birth_date, gender=parsed.gender)
    clean["mobile"] = check_mobile(fields.get("mobile", ""))
    group = fields.get("village_group")
    if group is None or group.association_id != association.pk:
        raise MemberRuleError(_("Choose a village group of this village."), "village_group")
    size, labourers = fields.get("household_size"), fields.get("labourers")
    if size is None or size < 1:
        raise MemberRuleError(_("A household has at least one person."), "household_size")
    if labourers is None or labourers < 0 or labourers > size:
        raise MemberRuleError(
            _("Working-age labourers (%(labourers)s) cannot exceed the household size (%(size)s).")
            % {"labourers": labourers, "size": size},
            "labourers",
        )
    if fields.get("poverty_status") not in PovertyStatus.values:
        raise MemberRuleError(_("Unknown poverty status."), "poverty_status")
    joined_on = fields.get("joined_on")
    if joined_on is None or joined_on > today:
        raise MemberRuleError(_("The joining date cannot be in the future."), "joined_on")
    clean["is_party_member"] = bool(fields.get("is_party_member"))
    clean["is_wealth_leader"] = bool(fields.get("is_wealth_leader"))
    clean["pinyin_full"], clean["pinyin_initials"] = pinyin_keys(clean["name"])
    return clean


def duplicate_id_message(id_number: str, *, same_association: bool) -> str:
    if same_association:
        return _("ID number %(number)s already has a membership in this association.") % {
            "number": id_number
        }
    return _("ID number %(number)s belongs to an active member of another association.") % {
        "number": id_number
    }


def _check_id_unique(
    *, association: Association, id_number: str, exclude_pk: int | None = None
) -> None:
    others = Member.objects.filter(id_number=id_number)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.filter(association=association).exists():
        raise MemberRuleError(
            duplicate_id_message(id_number, same_association=True), "id_duplicate"
        )
    if others.filter(status=MemberStatus.ACTIVE).exists():
        raise MemberRuleError(
            duplicate_id_message(id_number, same_association=False), "id_active_elsewhere"
        )


def _verbose_name(name: str) -> str:
    field = Member._meta.get_field(name)
    assert isinstance(field, models.Field)  # the member's own columns
    return str(field.verbose_name)


def _save_unique(member: Member, association: Association) -> None:
    """Save in a savepoint: a concurrent twin hits the database constraint, not a 500."""
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        raise MemberRuleError(
            duplicate_id_message(member.id_number, same_association=False), "id_duplicate"
        ) from error


@history_by
@transaction.atomic
def member_create(*, association: Association, by: User, **fields: Any) -> Member:
    """Register a member household after checking every rule."""
    _authorize(by, association)
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"member_create got unknown fields {sorted(unknown)}")
    clean = member_check(association=association, fields=fields)
    _check_id_unique(association=association, id_number=clean["id_number"])
    member = Member(association=association, **clean)
    _save_unique(member, association)
    MemberEvent.objects.create(member=member, kind=MemberEventKind.CREATED, by=by)
    return member


@history_by
@transaction.atomic
def member_update(*, member: Member, by: User, **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"member_update got unknown fields {sorted(unknown)}")
    member = Member.objects.select_for_update().select_related("association").get(pk=member.pk)
    _authorize(by, member.association)
    if member.status != MemberStatus.ACTIVE:
        raise MemberRuleError(_("An exited member cannot be edited."), "exited")
    current = {name: getattr(member, name) for name in MEMBER_FIELDS}
    clean = member_check(association=member.association, fields={**current, **fields})
    if clean["id_number"] != member.id_number:
        _check_id_unique(
            association=member.association, id_number=clean["id_number"], exclude_pk=member.pk
        )
    changed = [_verbose_name(name) for name in MEMBER_FIELDS if clean[name] != current[name]]
    for key, value in clean.items():
        setattr(member, key, value)
    _save_unique(member, member.association)
    if changed:
        MemberEvent.objects.create(
            member=member, kind=MemberEventKind.UPDATED, by=by, note=_(", ").join(changed)
        )
    return member


@transaction.atomic
def member_link_login(*, member: Member, user: User | None) -> Member:
    """Link the household's own login so it sees its own records only: a login with no staff
    role gets role `member` at the household's village, which is what makes the scoped
    querysets add the household's own records (associations.scoping). A staff login gets no
    role here: a role at the household's village would widen what its staff pages show."""
    if user is not None and Member.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise MemberRuleError(_("This login already belongs to another household."), "login")
    member.user = user
    member.save(update_fields=["user"])
    if user is not None and not user.role_assignments.exclude(role=Role.MEMBER).exists():
        role_assign(user=user, role=Role.MEMBER, area=member.association.area)
    return member


@history_by
@transaction.atomic
def member_exit(
    *,
    member: Member,
    by: User,
    on: datetime.date,
    reason: str,
    refund: bool = True,
) -> Member:
    """Record a household's exit and the refund of its own contribution.

    Rules: `by` is the village's clerk; the member is active; `on` is not before joining nor in
    the future; no app above refuses (`hooks.exit_guards`: an active group, a loan not settled);
    the contribution is refunded only after `settings.MEMBER_REFUND_AFTER_MONTHS` (default 12)
    whole months of membership. `refund=False` records an exit without a refund (amount 0).

    The refund is what the books hold for this household (`hooks.contribution_readers`), never
    a typed figure; it is posted by `hooks.refund_posters` (the funds app: debit member
    contributions, credit cash) inside this transaction, after the checks and before the exit
    is saved. If the posting raises, nothing of the exit is written.
    """
    member = Member.objects.select_for_update().select_related("association").get(pk=member.pk)
    _authorize(by, member.association)
    if member.status != MemberStatus.ACTIVE:
        raise MemberRuleError(_("This member has already exited."), "already_exited")
    if on < member.joined_on or on > timezone.localdate():
        raise MemberRuleError(
            _("The exit date must lie between the joining date and today."), "exit_date"
        )
    if not (reason or "").strip():
        raise MemberRuleError(_("Give the reason for the exit."), "exit_reason")
    for guard in hooks.exit_guards:
        refusal = guard(member)
        if refusal:
            raise MemberRuleError(refusal, "exit_guard")
    months = getattr(settings, "MEMBER_REFUND_AFTER_MONTHS", 12)
    if refund and not membership_complete(joined_on=member.joined_on, on=on, months=months):
        raise MemberRuleError(
            _("The contribution is refunded only after %(months)s months of membership.")
            % {"months": months},
            "refund_too_early",
        )
    amount = contribution_held(member) if refund else ZERO
    if amount > 0:
        try:
            for post_refund in hooks.refund_posters:
                post_refund(member=member, amount=amount, on=on, by=by)
        except RuleError as error:  # e.g. not enough cash: the clerk sees the books' reason
            raise MemberRuleError(error.message, error.code) from error
    member.status = MemberStatus.EXITED
    member.exited_on = on
    member.exit_reason = reason.strip()
    member.refund_amount = amount
    member.save(update_fields=["status", "exited_on", "exit_reason", "refund_amount"])
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.EXITED,
        by=by,
        note=_("%(reason)s; refunded %(amount)s yuan") % {"reason": reason, "amount": amount},
    )
    return member


@transaction.atomic
def id_number_reveal(*, member: Member, viewer: User) -> str:
    """Record one look at the full ID number and return it. Callers check the viewer's role."""
    IdNumberView.objects.create(member=member, viewer=viewer)
    return member.id_number


@transaction.atomic
def other_loan_add(
    *,
    member: Member,
    by: User,
    kind: str,
    lender: str,
    amount: Decimal,
    due_on: datetime.date,
) -> OtherLoan:
    _authorize(by, member.association)
    if kind not in OtherLoanKind.values:
        raise MemberRuleError(_("Unknown kind of loan."), "other_loan_kind")
    if not (lender or "").strip():
        raise MemberRuleError(_("Name the lender."), "other_loan_lender")
    if amount is None or to_fen(amount) <= 0:
        raise MemberRuleError(_("The amount must be more than zero."), "other_loan_amount")
    loan = OtherLoan.objects.create(
        member=member, kind=kind, lender=lender.strip(), amount=to_fen(amount), due_on=due_on
    )
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.OTHER_LOAN_ADDED,
        by=by,
        note=f"{loan.get_kind_display()} · {loan.lender} · {loan.amount}",
    )
    return loan


@transaction.atomic
def other_loan_remove(*, loan: OtherLoan, by: User) -> None:
    _authorize(by, loan.member.association)
    MemberEvent.objects.create(
        member=loan.member,
        kind=MemberEventKind.OTHER_LOAN_REMOVED,
        by=by,
        note=f"{loan.get_kind_display()} · {loan.lender} · {loan.amount}",
    )
    loan.delete()
