"""Pure helpers for member households: ID numbers, pinyin keys, months of membership.

No database access here, so the import can check ten thousand rows without a query each.
"""

import datetime
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from associations.exceptions import MemberRuleError
from associations.models import Gender

MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    gender: str


def parse_id_number(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    """Check a resident ID number (check digit, birth date) and derive birth date and gender."""
    number = ric.compact(str(raw or "")).upper()
    if not number:
        raise MemberRuleError(_("The ID number is empty."), "id_empty")
    try:
        ric.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise MemberRuleError(
            _("ID number %(number)s has a wrong check digit.") % {"number": number}, "id_checksum"
        ) from None
    except stdnum_errors.InvalidComponent:
        try:
            ric.get_birth_date(number)
        except stdnum_errors.InvalidComponent:
            raise MemberRuleError(
                _("ID number %(number)s contains an impossible birth date.") % {"number": number},
                "id_birth_date",
            ) from None
        raise MemberRuleError(
            _("ID number %(number)s starts with an unknown region code.") % {"number": number},
            "id_region",
        ) from None
    except stdnum_errors.ValidationError:
        raise MemberRuleError(
            _("ID number %(number)s is not 17 digits followed by a digit or X.")
            % {"number": number},
            "id_format",
        ) from None
    birth_date = ric.get_birth_date(number)
    if birth_date > (today or datetime.date.today()):
        raise MemberRuleError(
            _("ID number %(number)s has a birth date in the future.") % {"number": number},
            "id_birth_date",
        )
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return IdNumber(number, birth_date, gender)


def check_mobile(raw: str) -> str:
    mobile = re.sub(r"[\s-]", "", str(raw or ""))
    if mobile and not MOBILE.match(mobile):
        raise MemberRuleError(
            _("%(mobile)s is not a mainland mobile number of 11 digits.") % {"mobile": raw},
            "mobile",
        )
    return mobile


def pinyin_keys(name: str) -> tuple[str, str]:
    """张三 -> ("zhangsan", "zs"): what a clerk types on a phone keyboard."""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL) if s.strip()]
    full = "".join(ch for ch in "".join(syllables) if ch.isalnum())
    initials = "".join(s[0] for s in syllables if s[0].isalnum())
    return full[:200], initials[:50]


def membership_complete(*, joined_on: datetime.date, on: datetime.date, months: int) -> bool:
    """True when `months` whole months of membership have passed on `on`."""
    return joined_on + relativedelta(months=months) <= on
