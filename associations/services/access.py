"""A member household's own login: the clerk issues a one-time activation code (valid 7 days),
the member sets a password with the mobile number and that code, and can end every session.

A forgotten password is a new code from the clerk: issuing a code never reveals or changes the
password, using it does (and ends the sessions signed with the old one).
"""

import datetime
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import require_role
from associations.exceptions import MemberRuleError
from associations.history import history_by
from associations.models import AccessCode, Member, MemberStatus, Role, User
from associations.scoping import forget_scope
from associations.services.associations import role_assign

CODE_VALID_FOR = datetime.timedelta(days=7)
CODE_DIGITS = 8
# A member's phone stays logged in while used at least once in this time (the member pages
# renew it on each visit).
MEMBER_SESSION_IDLE_SECONDS = 30 * 24 * 3600
ISSUERS = frozenset({Role.VILLAGE_CLERK})


@history_by
def access_code_issue(*, member: Member, by: User) -> str:
    """A new activation code for the household (earlier unused codes stop working). Makes the
    household's login on first use: role `member` at its village, the member's mobile number
    as the name it logs in with. Returns the code in clear; only its hash is kept."""
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("association").get(pk=member.pk)
        require_role(by, ISSUERS, member.association.area_id, error=MemberRuleError)
        if member.status != MemberStatus.ACTIVE:
            raise MemberRuleError(_("An exited member gets no access."), "exited")
        if not member.mobile:
            raise MemberRuleError(
                _("Record the member's mobile number first: it is the login name."), "no_mobile"
            )
        login = _login_for(member)
        now = timezone.now()
        member.access_codes.filter(used_at__isnull=True).update(expires_at=now)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        AccessCode.objects.create(
            member=member,
            code_hash=make_password(code),
            issued_by=by,
            expires_at=now + CODE_VALID_FOR,
        )
        if login.mobile != member.mobile:
            login.mobile = member.mobile
            login.save(update_fields=["mobile"])
    return code


def _login_for(member: Member) -> User:
    others = User.objects.filter(mobile=member.mobile)
    if member.user_id:
        others = others.exclude(pk=member.user_id)
    if others.exists():
        raise MemberRuleError(
            _("Another login already uses the mobile number %(mobile)s.")
            % {"mobile": member.mobile},
            "mobile_taken",
        )
    if member.user_id:
        login = User.objects.get(pk=member.user_id)
        if login.is_superuser or login.role_assignments.exclude(role=Role.MEMBER).exists():
            raise MemberRuleError(
                _("This household's login is also a staff login: it changes its own password."),
                "staff_login",
            )
    else:
        login = User(username=f"member-{member.pk}", last_name=member.name)
        login.set_unusable_password()
        login.save()
        member.user = login
        member.save(update_fields=["user"])
    role_assign(user=login, role=Role.MEMBER, area=member.association.area)
    forget_scope(login)
    return login


def access_code_current(member: Member) -> AccessCode | None:
    """The household's code that still works, if any (for the clerk's page)."""
    return (
        member.access_codes.filter(used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-issued_at")
        .first()
    )


@transaction.atomic
def member_access_activate(*, mobile: str, code: str, password: str) -> User:
    """Set the household login's password with the mobile number and a valid code. Every
    refusal reads the same, so the page tells nobody which part was wrong."""
    refused = MemberRuleError(
        _("The mobile number or the activation code is wrong, or the code has expired."), "code"
    )
    login = User.objects.select_for_update().filter(mobile=mobile, is_active=True).first()
    member = (
        Member.objects.filter(user=login, status=MemberStatus.ACTIVE).first() if login else None
    )
    if login is None or member is None:
        check_password(code, make_password("x"))  # same work as a real check
        raise refused
    now = timezone.now()
    codes = member.access_codes.filter(used_at__isnull=True, expires_at__gt=now)
    match = next((c for c in codes if check_password(code.strip(), c.code_hash)), None)
    if match is None:
        raise refused
    try:
        validate_password(password, login)
    except ValidationError as error:
        raise MemberRuleError(" ".join(error.messages), "password") from None
    match.used_at = now
    match.save(update_fields=["used_at"])
    login.set_password(password)
    login.session_generation += 1  # sessions with the old password end
    login.save(update_fields=["password", "session_generation"])
    return login


@transaction.atomic
def sessions_end_all(*, user: User) -> None:
    """Log out everywhere: every session of this login, on any phone, ends."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
