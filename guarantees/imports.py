"""Excel list of joint-liability groups: one row per member of a group.

Columns (Chinese, the file format): 小组名称, 成立日期, 身份证号, 姓名, 组内角色 (组长/成员).
The import checks every group against the composition rule and every member against the
system, and forms all groups or none, through `group_form`.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources

from associations.exceptions import MemberRuleError
from associations.households import parse_id_number
from associations.models import Association, Member, MemberStatus, User
from associations.services.areas import RowError
from associations.services.member_import import cell_date, cell_text
from guarantees.exceptions import GuaranteeRuleError
from guarantees.models import GroupMembership, GroupRole, GroupStatus, GuaranteeGroup
from guarantees.rules import composition_check, group_rules_for
from guarantees.services import group_form
from mutualaid.xlsx import dataset_xlsx

HEADERS = {
    "group": "小组名称",
    "formed_on": "成立日期",
    "id_number": "身份证号",
    "name": "姓名",
    "role": "组内角色",
}
ROLE_LABELS = {"组长": GroupRole.LEADER, "成员": GroupRole.HOUSEHOLD}


class GroupMembershipResource(resources.ModelResource):
    group = fields.Field(attribute="group__name", column_name=HEADERS["group"])
    formed_on = fields.Field(attribute="group__formed_on", column_name=HEADERS["formed_on"])
    id_number = fields.Field(column_name=HEADERS["id_number"])
    name = fields.Field(attribute="member__name", column_name=HEADERS["name"])
    role = fields.Field(column_name=HEADERS["role"])

    class Meta:
        model = GroupMembership
        fields = tuple(HEADERS)
        export_order = tuple(HEADERS)

    def __init__(self, *, full_id_numbers: bool = False):
        super().__init__()
        self.full_id_numbers = full_id_numbers

    def dehydrate_id_number(self, membership):
        member = membership.member
        return member.id_number if self.full_id_numbers else member.masked_id_number

    def dehydrate_role(self, membership):
        return "组长" if membership.role == GroupRole.LEADER else "成员"


def group_template() -> bytes:
    return dataset_xlsx(
        GroupMembershipResource().export(queryset=[]), title=_("Joint-liability groups")
    )


def group_export(*, groups, full_id_numbers: bool) -> bytes:
    memberships = (
        GroupMembership.objects.filter(group__in=groups, left_on__isnull=True)
        .select_related("group", "member")
        .order_by("group__name", "group_id", "-role", "member__pinyin_full")
    )
    resource = GroupMembershipResource(full_id_numbers=full_id_numbers)
    return dataset_xlsx(resource.export(queryset=memberships), title=_("Joint-liability groups"))


@dataclass
class PlannedGroup:
    name: str
    line: int
    formed_on: datetime.date
    leaders: list = field(default_factory=list)
    households: list = field(default_factory=list)


@dataclass
class GroupImportReport:
    groups: list[PlannedGroup] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0


class GroupImportError(GuaranteeRuleError):
    def __init__(self, report: GroupImportReport):
        super().__init__(
            _("%(count)s rows are wrong; nothing was imported.") % {"count": len(report.errors)},
            "bad_rows",
        )
        self.report = report


def groups_import(
    *,
    association: Association,
    rows: list[tuple[int, dict]],
    by: User | None,
    dry_run: bool,
) -> GroupImportReport:
    report = GroupImportReport()
    headers = rows[0][1].get("__headers__", []) if rows and rows[0][0] == 1 else list(HEADERS)
    missing = [h for h in HEADERS.values() if h not in headers and h != HEADERS["name"]]
    if missing:
        report.errors.append(
            RowError(1, _("missing columns: %(columns)s") % {"columns": "、".join(missing)})
        )
        raise GroupImportError(report)
    body = [(line, raw) for line, raw in rows if "__headers__" not in raw]
    members = _members_by_number(association, body)
    planned: dict[str, PlannedGroup] = {}
    seen: dict[int, int] = {}
    for line, raw in body:
        try:
            name, formed_on, member, role = _parse(raw, members)
        except (MemberRuleError, GuaranteeRuleError) as error:
            report.errors.append(RowError(line, str(error)))
            continue
        if member.pk in seen:
            report.errors.append(
                RowError(
                    line,
                    _("%(name)s is repeated (first on line %(first)s)")
                    % {"name": member.name, "first": seen[member.pk]},
                )
            )
            continue
        seen[member.pk] = line
        group = planned.setdefault(name, PlannedGroup(name=name, line=line, formed_on=formed_on))
        (group.leaders if role == GroupRole.LEADER else group.households).append(member)
    _check_groups(association, planned, seen, group_rules_for(association), report)
    report.groups = list(planned.values())
    if report.errors:
        report.errors.sort(key=lambda e: e.line)
        raise GroupImportError(report)
    if not dry_run:
        report.created = _write(association, report.groups, by)
    return report


def _members_by_number(association, body) -> dict[str, Member]:
    numbers = {cell_text(raw.get(HEADERS["id_number"])).upper() for _line, raw in body}
    return {
        m.id_number: m
        for m in Member.objects.filter(
            association=association, status=MemberStatus.ACTIVE, id_number__in=numbers
        )
    }


def _parse(raw: dict, members: dict[str, Member]):
    name = cell_text(raw.get(HEADERS["group"]))
    if not name:
        raise GuaranteeRuleError(_("The group needs a name."), "name")
    formed_on = cell_date(raw.get(HEADERS["formed_on"]), HEADERS["formed_on"])
    if formed_on > timezone.localdate():
        raise GuaranteeRuleError(_("The date cannot be in the future."), "future_date")
    number = parse_id_number(cell_text(raw.get(HEADERS["id_number"]))).number
    if number not in members:
        raise GuaranteeRuleError(
            _("ID number %(number)s is not an active member of this association.")
            % {"number": number},
            "unknown_member",
        )
    role_label = cell_text(raw.get(HEADERS["role"]))
    if role_label not in ROLE_LABELS:
        raise GuaranteeRuleError(
            _("unknown role %(role)r (use 组长 or 成员)") % {"role": role_label}, "role"
        )
    return name, formed_on, members[number], ROLE_LABELS[role_label]


def _check_groups(association, planned, seen, rules, report) -> None:
    busy = dict(
        GroupMembership.objects.filter(member_id__in=seen, left_on__isnull=True).values_list(
            "member_id", "group__name"
        )
    )
    for member_id, group_name in busy.items():
        report.errors.append(
            RowError(
                seen[member_id],
                _("this member is already in the active group %(group)s") % {"group": group_name},
            )
        )
    taken = set(
        GuaranteeGroup.objects.filter(
            association=association, status=GroupStatus.ACTIVE, name__in=planned
        ).values_list("name", flat=True)
    )
    for group in planned.values():
        if group.name in taken:
            report.errors.append(
                RowError(
                    group.line,
                    _("An active group named %(name)s already exists.") % {"name": group.name},
                )
            )
            continue
        try:
            composition_check(leaders=group.leaders, households=group.households, rules=rules)
        except GuaranteeRuleError as error:
            report.errors.append(
                RowError(group.line, f"{group.name}: {error}"),
            )


@transaction.atomic
def _write(association, groups: list[PlannedGroup], by) -> int:
    for group in groups:
        group_form(
            association=association,
            name=group.name,
            formed_on=group.formed_on,
            leaders=group.leaders,
            households=group.households,
            by=by,
        )
    return len(groups)
