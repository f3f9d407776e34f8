"""Excel roster (台账) of member households: template, export and the all-or-nothing import.

The django-import-export resource describes the columns (Chinese headers, the same in the
template, the export and the import) and turns members into rows. The rules stay in the
services: every row goes through `member_check`, the ID numbers are checked against the file
and the system in one query, and rows are written only when every row is good.

A village group (村民小组) named in the file that the association does not have yet is listed
in the preview and created with the members, in the same transaction (a first roster import
does not have to wait for every group to be typed in by hand).

The roster carries no contribution: what a household paid in is the books' figure, received on
the member's page and posted in the journal. An older file's "已交互助金" column is not read
(posting it here would put money into the books that nobody counted in), and the preview says so.
"""

import datetime
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources
from simple_history.utils import bulk_create_with_history

from associations import hooks
from associations.authority import require_role
from associations.exceptions import MemberRuleError
from associations.history import history_by
from associations.models import (
    Association,
    IdNumberView,
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
    PovertyStatus,
    User,
    VillageGroup,
)
from associations.services.areas import RowError
from associations.services.members import MEMBER_KEEPERS, duplicate_id_message, member_check
from mutualaid.money import ZERO
from mutualaid.xlsx import dataset_xlsx, workbook_bytes

# Chinese headers are part of the file format, whatever the user's language.
HEADERS = {
    "name": "姓名",
    "id_number": "身份证号",
    "mobile": "手机号",
    "village_group": "村民小组",
    "household_size": "家庭人口",
    "labourers": "劳动力人数",
    "poverty_status": "贫困类别",
    "is_party_member": "是否党员",
    "is_wealth_leader": "是否致富带头人",
    "joined_on": "入社日期",
}
EXPORT_ONLY = {
    "gender": "性别",
    "birth_date": "出生日期",
    "status": "状态",
    "exited_on": "退社日期",
    # The books' figure (received less refunded), for reading: never imported.
    "contribution": "账上互助金（元）",
}
# Columns a file may carry that are not read: an older template's contribution, and the
# export's books' figure. A contribution is received through the books, on the member's page.
IGNORED_COLUMNS = ("已交互助金（元）", EXPORT_ONLY["contribution"])
POVERTY_LABELS = {
    "建档立卡贫困户": PovertyStatus.REGISTERED_POOR,
    "已脱贫户": PovertyStatus.LIFTED,
    "监测户": PovertyStatus.MONITORED,
    "相对贫困户": PovertyStatus.RELATIVELY_POOR,
    "一般户": PovertyStatus.GENERAL,
}
POVERTY_NAMES: dict[str, str] = {value: label for label, value in POVERTY_LABELS.items()}
YES = {"是", "y", "yes", "1", "true", "√", "✓"}
NO = {"否", "n", "no", "0", "false", ""}


class MemberResource(resources.ModelResource):
    """The roster's columns; used for the template and the export."""

    name = fields.Field(attribute="name", column_name=HEADERS["name"])
    id_number = fields.Field(column_name=HEADERS["id_number"])
    mobile = fields.Field(attribute="mobile", column_name=HEADERS["mobile"])
    village_group = fields.Field(
        attribute="village_group__name", column_name=HEADERS["village_group"]
    )
    household_size = fields.Field(attribute="household_size", column_name=HEADERS["household_size"])
    labourers = fields.Field(attribute="labourers", column_name=HEADERS["labourers"])
    poverty_status = fields.Field(column_name=HEADERS["poverty_status"])
    is_party_member = fields.Field(column_name=HEADERS["is_party_member"])
    is_wealth_leader = fields.Field(column_name=HEADERS["is_wealth_leader"])
    joined_on = fields.Field(attribute="joined_on", column_name=HEADERS["joined_on"])
    gender = fields.Field(column_name=EXPORT_ONLY["gender"])
    birth_date = fields.Field(attribute="birth_date", column_name=EXPORT_ONLY["birth_date"])
    status = fields.Field(column_name=EXPORT_ONLY["status"])
    exited_on = fields.Field(attribute="exited_on", column_name=EXPORT_ONLY["exited_on"])
    contribution = fields.Field(column_name=EXPORT_ONLY["contribution"])

    class Meta:
        model = Member
        fields = (*HEADERS, *EXPORT_ONLY)
        export_order = (*HEADERS, *EXPORT_ONLY)

    def __init__(
        self,
        *,
        full_id_numbers: bool = False,
        template: bool = False,
        contributions: dict[int, Decimal] | None = None,
    ):
        super().__init__()
        self.full_id_numbers = full_id_numbers
        self.template = template
        self.contributions = contributions or {}

    def get_export_fields(self, selected_fields: Any = None) -> list[Any]:
        export = super().get_export_fields(selected_fields)
        if self.template:
            export = [f for f in export if f.column_name in HEADERS.values()]
        return export

    def dehydrate_id_number(self, member: Member) -> str:
        return member.id_number if self.full_id_numbers else member.masked_id_number

    def dehydrate_poverty_status(self, member: Member) -> str:
        return POVERTY_NAMES[member.poverty_status]

    def dehydrate_is_party_member(self, member: Member) -> str:
        return "是" if member.is_party_member else "否"

    def dehydrate_is_wealth_leader(self, member: Member) -> str:
        return "是" if member.is_wealth_leader else "否"

    def dehydrate_gender(self, member: Member) -> str:
        return "男" if member.gender == "male" else "女"

    def dehydrate_contribution(self, member: Member) -> Decimal:
        return self.contributions.get(member.pk, ZERO)

    def dehydrate_status(self, member: Member) -> str:
        return "在册" if member.status == MemberStatus.ACTIVE else "已退社"


def member_template() -> bytes:
    """The empty roster with its Chinese headers: what the page and the command offer.

    The ID and phone columns are formatted as text: Excel would otherwise turn an 18-digit
    ID number into a rounded floating-point number.
    """
    import io

    import openpyxl

    dataset = MemberResource(template=True).export(queryset=Member.objects.none())
    book = openpyxl.load_workbook(io.BytesIO(dataset_xlsx(dataset, title=_("Member households"))))
    sheet = book.active
    for column, width in (("A", 10), ("B", 22), ("C", 14), ("J", 12)):
        sheet.column_dimensions[column].width = width
    for column in ("B", "C"):
        sheet.column_dimensions[column].number_format = "@"
    return workbook_bytes(book)


def member_export(
    *, members: QuerySet[Member], viewer: User | None, full_id_numbers: bool
) -> bytes:
    """The roster as Excel. Full ID numbers only when the caller allows it; each is recorded."""
    rows = list(members.select_related("village_group"))
    if full_id_numbers and viewer is not None:
        IdNumberView.objects.bulk_create(IdNumberView(member=m, viewer=viewer) for m in rows)
    held: dict[int, Decimal] = {}
    for totals in hooks.contribution_totals:  # the books' figures, a few queries in all
        held.update(totals([m.pk for m in rows]))
    dataset = MemberResource(full_id_numbers=full_id_numbers, contributions=held).export(
        queryset=rows
    )
    return dataset_xlsx(dataset, title=_("Member households"))


class BadFile(MemberRuleError):
    def __init__(self, reason: str):
        super().__init__(
            _("The file cannot be read as an Excel workbook (%(reason)s).") % {"reason": reason},
            "bad_file",
        )


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """(line, {header: value}) for every non-empty row of the first sheet."""
    return list(iter_rows(io.BytesIO(content)))


def iter_rows(source: IO[bytes]) -> Iterator[tuple[int, dict]]:
    """The rows of `read_rows`, one at a time: openpyxl's read-only mode keeps only the row
    being read in memory, so a 100,000-row roster is never held whole."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        rows = book.active.iter_rows(values_only=True)
        headers = [str(h or "").strip() for h in next(rows)]
    except Exception as error:  # openpyxl raises many kinds on a broken upload
        raise BadFile(type(error).__name__) from error
    try:
        yield 1, {"__headers__": headers}
        for index, values in enumerate(rows, start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            yield index, dict(zip(headers, values, strict=False))
    finally:
        book.close()


def count_rows(source: IO[bytes]) -> int:
    """Rows below the header, from the sheet's stated size (read without loading the rows);
    counted one by one when the file does not state it."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:
        raise BadFile(type(error).__name__) from error
    try:
        sheet = book.active
        if sheet.max_row is None:
            sheet.reset_dimensions()
            return max(0, sum(1 for _row in sheet.iter_rows(values_only=True)) - 1)
        return max(0, sheet.max_row - 1)
    finally:
        book.close()


@dataclass
class ImportReport:
    good: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    # Village groups named in the file that do not exist yet: created with the members.
    new_groups: list[str] = field(default_factory=list)
    # Columns of the file that are not read (e.g. an older template's contribution column).
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class MemberImportError(MemberRuleError):
    def __init__(self, report: ImportReport):
        super().__init__(
            _("%(count)s rows are wrong; nothing was imported.") % {"count": len(report.errors)},
            "bad_rows",
        )
        self.report = report


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value: object, label: str) -> int:
    text = cell_text(value)
    if not (text.isascii() and text.isdigit()):
        raise MemberRuleError(
            _("%(column)s must be a whole number, not %(value)r.")
            % {"column": label, "value": text},
            "number",
        )
    return int(text)


def _bool(value: object, label: str) -> bool:
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise MemberRuleError(
        _("%(column)s must be 是 or 否, not %(value)r.") % {"column": label, "value": text},
        "yes_no",
    )


def cell_date(value: object, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise MemberRuleError(
        _("%(column)s must be a date like 2024-03-01, not %(value)r.")
        % {"column": label, "value": text},
        "date",
    )


# VillageGroup.name's length.
GROUP_NAME_MAX = 30


def _group(name: str, groups: dict[str, VillageGroup], association: Association) -> VillageGroup:
    """The association's group of that name; a new one (not saved yet) the first time a name
    the association does not have is met. `_write` saves the new ones before the members."""
    if not name:
        raise MemberRuleError(_("the village group is empty"), "village_group")
    if len(name) > GROUP_NAME_MAX:
        raise MemberRuleError(
            _("the village group name %(group)r is longer than %(max)s characters")
            % {"group": name, "max": GROUP_NAME_MAX},
            "village_group",
        )
    if name not in groups:
        groups[name] = VillageGroup(association=association, name=name)
    return groups[name]


def _parse_row(raw: dict, groups: dict[str, VillageGroup], association: Association) -> dict:
    group = _group(cell_text(raw.get(HEADERS["village_group"])), groups, association)
    poverty = cell_text(raw.get(HEADERS["poverty_status"]))
    if poverty not in POVERTY_LABELS and poverty not in PovertyStatus.values:
        raise MemberRuleError(
            _("unknown poverty status %(status)r (use one of %(choices)s)")
            % {"status": poverty, "choices": "、".join(POVERTY_LABELS)},
            "poverty_status",
        )
    return {
        "name": cell_text(raw.get(HEADERS["name"])),
        "id_number": cell_text(raw.get(HEADERS["id_number"])),
        "mobile": cell_text(raw.get(HEADERS["mobile"])),
        "village_group": group,
        "household_size": _int(raw.get(HEADERS["household_size"]), HEADERS["household_size"]),
        "labourers": _int(raw.get(HEADERS["labourers"]), HEADERS["labourers"]),
        "poverty_status": POVERTY_LABELS.get(poverty, poverty),
        "is_party_member": _bool(raw.get(HEADERS["is_party_member"]), HEADERS["is_party_member"]),
        "is_wealth_leader": _bool(
            raw.get(HEADERS["is_wealth_leader"]), HEADERS["is_wealth_leader"]
        ),
        "joined_on": cell_date(raw.get(HEADERS["joined_on"]), HEADERS["joined_on"]),
    }


# How often a long import reports how far it got (ImportJob.rows_done).
PROGRESS_EVERY = 500


def members_import(
    *,
    association: Association,
    rows: Iterable[tuple[int, dict]],
    by: User,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row; write all of them or none. Raises MemberImportError listing bad rows.
    Only the clerk of the association's village imports (a role held elsewhere does not count).
    `progress`, when given, is told every PROGRESS_EVERY rows how many rows were checked."""
    require_role(by, MEMBER_KEEPERS, association.area_id, error=MemberRuleError)
    report = ImportReport()
    rows = iter(rows)
    first = next(rows, None)
    if first is not None and first[0] == 1:
        headers = first[1].get("__headers__", [])
    else:
        headers = list(HEADERS)
        rows = itertools.chain([first] if first is not None else [], rows)
    missing = [h for h in HEADERS.values() if h not in headers]
    if missing:
        report.errors.append(
            RowError(1, _("missing columns: %(columns)s") % {"columns": "、".join(missing)})
        )
        raise MemberImportError(report)
    report.ignored_columns = [h for h in IGNORED_COLUMNS if h in headers]
    groups = {g.name: g for g in VillageGroup.objects.filter(association=association)}
    first_line: dict[str, int] = {}
    for done, (line, raw) in enumerate(rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        try:
            parsed = _parse_row(raw, groups, association)
            clean = member_check(association=association, fields=parsed)
        except MemberRuleError as error:
            report.errors.append(RowError(line, str(error)))
            continue
        number = clean["id_number"]
        if number in first_line:
            report.errors.append(
                RowError(
                    line,
                    _("ID number %(number)s is repeated (first on line %(first)s)")
                    % {"number": number, "first": first_line[number]},
                )
            )
            continue
        first_line[number] = line
        report.good.append({**clean, "line": line})
    _check_against_system(association, report)
    # Only the new groups some good row needs: a group named on bad rows alone is not created.
    needed = {row["village_group"].name for row in report.good if row["village_group"].pk is None}
    report.new_groups = sorted(needed)
    if report.errors:
        report.errors.sort(key=lambda e: e.line)
        raise MemberImportError(report)
    if not dry_run:
        report.created = _write(association, report.good, by)
    return report


def _check_against_system(association: Association, report: ImportReport) -> None:
    numbers = [row["id_number"] for row in report.good]
    taken: dict[str, bool] = {}
    for chunk_start in range(0, len(numbers), 2000):
        chunk = numbers[chunk_start : chunk_start + 2000]
        for number, association_id, status in Member.objects.filter(
            id_number__in=chunk
        ).values_list("id_number", "association_id", "status"):
            if association_id == association.pk:
                taken[number] = True
            elif status == MemberStatus.ACTIVE:
                taken.setdefault(number, False)
    if not taken:
        return
    still_good = []
    for row in report.good:
        number = row["id_number"]
        if number in taken:
            report.errors.append(
                RowError(row["line"], duplicate_id_message(number, same_association=taken[number]))
            )
        else:
            still_good.append(row)
    report.good = still_good


@history_by
def _save_group(*, group: VillageGroup, by: User) -> None:
    group.save()  # its history row names `by`


def _save_new_groups(association: Association, rows: list[dict], by: User) -> None:
    """Save the village groups the rows name that do not exist yet, with their history; a
    group of that name created meanwhile by someone else is used as it is."""
    new = {row["village_group"].name: row["village_group"] for row in rows}
    for name, group in new.items():
        if group.pk is not None:
            continue
        existing = VillageGroup.objects.filter(association=association, name=name).first()
        if existing is None:
            _save_group(group=group, by=by)
        else:
            group.pk = existing.pk
    for row in rows:
        row["village_group"] = new[row["village_group"].name]


@transaction.atomic
def _write(association: Association, rows: list[dict], by: User) -> int:
    _save_new_groups(association, rows, by)
    members = [
        Member(association=association, **{k: v for k, v in row.items() if k != "line"})
        for row in rows
    ]
    try:
        with transaction.atomic():
            # The history rows (who, when, every value) are written with the members.
            bulk_create_with_history(members, Member, batch_size=1000, default_user=by)
    except IntegrityError as error:
        raise MemberRuleError(
            _("Another user registered one of these households meanwhile; check again."),
            "id_duplicate",
        ) from error
    if any(m.pk is None for m in members):  # backends without RETURNING
        by_number = dict(
            Member.objects.filter(
                association=association, id_number__in=[m.id_number for m in members]
            ).values_list("id_number", "pk")
        )
        for m in members:
            m.pk = by_number[m.id_number]
    MemberEvent.objects.bulk_create(
        [MemberEvent(member_id=m.pk, kind=MemberEventKind.IMPORTED, by=by) for m in members],
        batch_size=1000,
    )
    return len(members)
