"""Records of what leaves no trace in the data itself: logins and logouts, and downloads of
files holding the association's data (full-ID views are IdNumberView, in members)."""

import os
from typing import TYPE_CHECKING

from associations.models import AuthEvent, AuthEventKind, ExportRecord, User
from associations.scoping import visible_prefixes

if TYPE_CHECKING:
    from associations.scoping import AnyUser


def scope_root(user: "AnyUser") -> str:
    """The code prefix covering everything `user` sees ("" for everything: a superuser).
    A user with roles in two subtrees gets their common part, so both areas' auditors above
    it see the record."""
    prefixes = visible_prefixes(user)
    if not prefixes:
        return ""
    return os.path.commonprefix(prefixes)


def export_record(
    *, by: User, kind: str, filename: str, area_code: str | None = None
) -> ExportRecord:
    """Record a download; `area_code` is the area the data came from (default: all the user
    sees)."""
    return ExportRecord.objects.create(
        by=by,
        kind=kind,
        filename=filename[:200],
        area_code=scope_root(by) if area_code is None else area_code,
    )


def auth_event_record(
    *, kind: AuthEventKind, user: User | None = None, username: str = "", ip: str | None = None
) -> AuthEvent:
    name = username or (user.get_username() if user is not None else "")
    return AuthEvent.objects.create(kind=kind, user=user, username=name[:150], ip=ip or None)
