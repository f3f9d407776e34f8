"""The audit trail of an area subtree: changes with their old and new values (the history rows
of django-simple-history), logins, downloads and imports, newest first, in one feed.

Each source is queried scoped and filtered in the database; a page takes the newest rows of
each source up to its end and merges them, so no source is ever read whole.
"""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import reduce
from heapq import merge
from itertools import islice
from operator import or_
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from associations.models import (
    Association,
    AuthEvent,
    ExportRecord,
    ImportJob,
    Member,
    Role,
    RoleAssignment,
    User,
    VillageGroup,
    mask_id_number,
)
from associations.scoping import scope_q, visible_prefixes
from guarantees.models import GroupMembership, GuaranteeGroup
from loans.models import LoanPolicy

# Who reads the audit trail: the auditor and the county and city offices, over their subtree.
AUDIT_ROLES = frozenset({Role.AUDITOR, Role.COUNTY_OFFICE, Role.CITY_OFFICE})


def model_label(model: type[models.Model], *, plural: bool = True) -> StrOrPromise:
    meta = model._meta
    return capfirst(meta.verbose_name_plural if plural else meta.verbose_name) or ""


HISTORY_TYPE = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass(frozen=True)
class Source:
    key: str
    label: StrOrPromise
    model: type[models.Model]  # the tracked model, or the record model itself
    scope_path: str  # lookup to an area code
    name_path: str  # lookup to the object's name, searched by "object"
    who_path: str  # lookup to the acting user
    at_path: str
    history: bool = True

    def queryset(self) -> QuerySet[Any]:
        if self.history:
            return self.model.history.model.objects.select_related("history_user")  # type: ignore[attr-defined]
        return self.model._default_manager.select_related(self.who_path)


SOURCES: tuple[Source, ...] = (
    Source("member", model_label(Member, plural=False), Member, "association__area__code",
           "name", "history_user", "history_date"),
    Source("group", model_label(GuaranteeGroup, plural=False), GuaranteeGroup,
           "association__area__code", "name", "history_user", "history_date"),
    Source("membership", model_label(GroupMembership, plural=False), GroupMembership,
           "group__association__area__code", "member__name", "history_user", "history_date"),
    Source("policy", model_label(LoanPolicy, plural=False), LoanPolicy, "scope_code",
           "scope_code", "history_user", "history_date"),
    Source("role", model_label(RoleAssignment, plural=False), RoleAssignment, "area__code",
           "user__username", "history_user", "history_date"),
    Source("association", model_label(Association, plural=False), Association, "area__code",
           "name", "history_user", "history_date"),
    Source("village_group", model_label(VillageGroup, plural=False), VillageGroup,
           "association__area__code", "name", "history_user", "history_date"),
    Source("login", model_label(AuthEvent), AuthEvent, "", "username", "user", "at",
           history=False),
    Source("export", model_label(ExportRecord), ExportRecord, "area_code", "filename", "by",
           "at", history=False),
    Source("import", model_label(ImportJob), ImportJob, "association__area__code",
           "original_name", "by", "created_at", history=False),
)  # fmt: skip
SOURCE_BY_KEY = {source.key: source for source in SOURCES}


@dataclass
class AuditRow:
    at: datetime.datetime
    who: User | None
    what: StrOrPromise
    kind: StrOrPromise
    name: str
    # (field label, old value, new value)
    changes: Sequence[tuple[StrOrPromise, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""
    kind: str = ""
    name: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None


def audit_prefixes(user: User) -> list[str] | None:
    """The subtrees whose trail `user` reads (None: everything); empty: no audit role."""
    return visible_prefixes(user, AUDIT_ROLES)


def _scoped(source: Source, prefixes: list[str] | None) -> QuerySet[Any]:
    queryset = source.queryset()
    if prefixes is None:
        return queryset
    if source.key == "login":
        # A login belongs to the areas where that user holds a role.
        users = RoleAssignment.objects.filter(scope_q("area__code", prefixes)).values("user_id")
        return queryset.filter(user_id__in=users)
    return queryset.filter(scope_q(source.scope_path, prefixes))


def _filtered(source: Source, queryset: QuerySet[Any], filters: AuditFilters) -> QuerySet[Any]:
    if filters.person:
        queryset = queryset.filter(
            reduce(
                or_,
                (
                    Q(**{f"{source.who_path}__{name}__icontains": filters.person})
                    for name in ("username", "first_name", "last_name")
                ),
            )
        )
    if filters.name:
        queryset = queryset.filter(**{f"{source.name_path}__icontains": filters.name})
    if filters.start:
        queryset = queryset.filter(**{f"{source.at_path}__date__gte": filters.start})
    if filters.end:
        queryset = queryset.filter(**{f"{source.at_path}__date__lte": filters.end})
    return queryset.order_by(f"-{source.at_path}", "-pk")


class AuditFeed(Sequence[AuditRow]):
    """The merged trail of every source, newest first, for Django's Paginator."""

    def __init__(self, querysets: list[tuple[Source, QuerySet[Any]]]):
        self.querysets = querysets
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(queryset.count() for _source, queryset in self.querysets)
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        streams = [_stream(source, queryset, stop) for source, queryset in self.querysets]
        newest = merge(*streams, key=lambda item: item[0], reverse=True)
        return [_row(source, record) for _at, source, record in islice(newest, start, stop)]

    def __iter__(self) -> Iterator[AuditRow]:
        return iter(self[0 : len(self)])


def _stream(
    source: Source, queryset: QuerySet[Any], stop: int
) -> Iterator[tuple[datetime.datetime, Source, Any]]:
    for record in queryset[:stop]:
        yield getattr(record, source.at_path), source, record


def audit_feed(*, user: User, filters: AuditFilters) -> AuditFeed:
    prefixes = audit_prefixes(user)
    sources = [SOURCE_BY_KEY[filters.kind]] if filters.kind in SOURCE_BY_KEY else SOURCES
    return AuditFeed([(s, _filtered(s, _scoped(s, prefixes), filters)) for s in sources])


# --- one row of the page -------------------------------------------------------------------


def _row(source: Source, record: Any) -> AuditRow:
    if not source.history:
        return _record_row(source, record)
    name = record
    for part in source.name_path.split("__"):
        name = getattr(name, part, "") if name is not None else ""
    return AuditRow(
        at=record.history_date,
        who=record.history_user,
        what=source.label,
        kind=HISTORY_TYPE.get(record.history_type, record.history_type),
        name=str(name or ""),
        changes=_changes(source.model, record),
    )


def _record_row(source: Source, record: Any) -> AuditRow:
    if isinstance(record, AuthEvent):
        detail = [(_("IP address"), "", str(record.ip or ""))]
        return AuditRow(record.at, record.user, source.label, record.get_kind_display(),
                        record.username, detail)  # fmt: skip
    if isinstance(record, ExportRecord):
        detail = [(_("area"), "", record.area_code or str(_("everything")))]
        return AuditRow(record.at, record.by, source.label, _("downloaded"), record.filename,
                        detail)  # fmt: skip
    detail = [(_("rows"), "", str(record.rows_total))]
    return AuditRow(record.created_at, record.by, source.label, record.get_state_display(),
                    record.original_name, detail)  # fmt: skip


_SKIPPED = {"id", "created_at", "updated_at"}


def _changes(model: type[models.Model], record: Any) -> list[tuple[StrOrPromise, str, str]]:
    previous = record.prev_record if record.history_type != "+" else None
    if previous is not None:
        pairs = [(c.field, c.old, c.new) for c in record.diff_against(previous).changes]
    else:
        pairs = [
            (f.name, None, getattr(record, f.attname))
            for f in model._meta.concrete_fields
            if f.name not in _SKIPPED and hasattr(record, f.attname)
        ]
    result = []
    for name, old, new in pairs:
        if name in _SKIPPED or (old in (None, "") and new in (None, "")):
            continue
        model_field: Any = model._meta.get_field(name)
        result.append(
            (
                model_field.verbose_name or name,
                _display(model_field, old),
                _display(model_field, new),
            )
        )
    return result


def _display(model_field: Any, value: Any) -> str:
    if value is None or value == "":
        return ""
    if model_field.name == "id_number":
        return mask_id_number(str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if model_field.is_relation:
        related = model_field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    return str(value)
