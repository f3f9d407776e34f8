"""Who attended a training, from an Excel list (seed recommendation 5): the template, a check
that says for every row which household it is or why it is none, and the all-or-nothing write.

A row names a member household of the session's area by its ID number, or by its name and
village group (and the village, for a township's or county's training where two villages have
a group of the same name). Rows are checked with a fixed number of queries whatever their
number. A row naming a household already recorded at the session, or one an earlier row names,
is skipped, not refused: the same list sent twice records everyone once. Any other bad row
refuses the whole list, and the write goes through `training_attendance_add` like a pick from
the roster search.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from associations.models import Member, MemberStatus, TrainingSession, User
from associations.services.member_import import cell_text
from associations.services.training import (
    TrainingRuleError,
    require_organiser,
    training_attendance_add,
)
from mutualaid.xlsx import workbook_bytes

# Chinese headers are part of the file format, whatever the user's language.
HEADERS = {
    "name": "姓名",
    "id_number": "身份证号",
    "village": "村",
    "village_group": "村民小组",
}
REQUIRED = ("name", "id_number", "village_group")
# A training's list is a room of people, not a roster: more rows is a wrong file.
MAX_ROWS = 2000
CHUNK = 500


class Outcome:
    """What became of a row: the first two are written, the next two skipped, the last refuses
    the list."""

    BY_ID = "by_id"
    BY_NAME = "by_name"
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"


@dataclass
class RowOutcome:
    line: int
    name: str
    kind: str
    message: str
    member: Member | None = None

    @property
    def is_error(self) -> bool:
        return self.kind == Outcome.UNKNOWN

    @property
    def is_new(self) -> bool:
        return self.kind in (Outcome.BY_ID, Outcome.BY_NAME)

    @property
    def label(self) -> str:
        return {
            Outcome.BY_ID: _("To record"),
            Outcome.BY_NAME: _("To record"),
            Outcome.RECORDED: _("Already recorded"),
            Outcome.DUPLICATE: _("Repeated"),
            Outcome.UNKNOWN: _("Not found"),
        }[self.kind]


@dataclass
class AttendanceCheck:
    rows: list[RowOutcome] = field(default_factory=list)
    failure: str = ""  # a refusal of the whole file (missing columns, too many rows)
    added: int = 0

    @property
    def errors(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.is_error]

    @property
    def new_members(self) -> list[Member]:
        return [row.member for row in self.rows if row.is_new and row.member is not None]

    @property
    def ok(self) -> bool:
        return not self.failure and not self.errors

    def count(self, *kinds: str) -> int:
        return sum(1 for row in self.rows if row.kind in kinds)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "new": self.count(Outcome.BY_ID, Outcome.BY_NAME),
            "recorded": self.count(Outcome.RECORDED),
            "duplicate": self.count(Outcome.DUPLICATE),
            "unknown": self.count(Outcome.UNKNOWN),
        }


class AttendanceImportError(TrainingRuleError):
    def __init__(self, check: AttendanceCheck):
        message = check.failure or _(
            "%(count)s rows name no household of this area; nothing was recorded."
        ) % {"count": len(check.errors)}
        super().__init__(message, "bad_rows")
        self.check = check


def attendance_template() -> bytes:
    """The empty list with its Chinese headers; the ID column is text so Excel keeps all 18
    digits."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "参加培训人员"
    sheet.append(list(HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in (("A", 12), ("B", 22), ("C", 14), ("D", 12)):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions["B"].number_format = "@"
    return workbook_bytes(book)


def attendance_check(
    *, session: TrainingSession, rows: Iterable[tuple[int, dict]], by: User
) -> AttendanceCheck:
    """The outcome of every row; writes nothing. Only the session's organiser checks a list."""
    require_organiser(by, session.area)
    check = AttendanceCheck()
    parsed = _parse(rows, check)
    if check.failure:
        return check
    prefix = session.area.prefix
    by_number = _members_by_number(prefix, [p["id_number"] for p in parsed if p["id_number"]])
    by_name = _members_by_name(prefix, [p["name"] for p in parsed if not p["id_number"]])
    recorded = set(
        session.attendances.filter(member__isnull=False).values_list("member_id", flat=True)
    )
    first_line: dict[int, int] = {}
    for row in parsed:
        outcome = _match(row, by_number, by_name)
        member = outcome.member
        if member is not None and member.pk in recorded:
            outcome.kind = Outcome.RECORDED
            outcome.message = _("%(name)s is already recorded at this training.") % {
                "name": member.name
            }
        elif member is not None and member.pk in first_line:
            outcome.kind = Outcome.DUPLICATE
            outcome.message = _("The same household as line %(line)s; counted once.") % {
                "line": first_line[member.pk]
            }
        elif member is not None:
            first_line[member.pk] = row["line"]
        check.rows.append(outcome)
    return check


@transaction.atomic
def attendance_import(
    *, session: TrainingSession, rows: Iterable[tuple[int, dict]], by: User
) -> AttendanceCheck:
    """Check the rows again and record every new household, or none: raises
    AttendanceImportError when any row is refused. Sending the same list again adds nobody."""
    check = attendance_check(session=session, rows=rows, by=by)
    if not check.ok:
        raise AttendanceImportError(check)
    check.added = training_attendance_add(session=session, by=by, members=check.new_members)
    return check


def _parse(rows: Iterable[tuple[int, dict]], check: AttendanceCheck) -> list[dict]:
    parsed: list[dict] = []
    for line, raw in rows:
        if line == 1 and "__headers__" in raw:
            missing = [HEADERS[k] for k in REQUIRED if HEADERS[k] not in raw["__headers__"]]
            if missing:
                check.failure = _("missing columns: %(columns)s") % {"columns": "、".join(missing)}
                return []
            continue
        if len(parsed) >= MAX_ROWS:
            check.failure = _(
                "The list has more than %(max)s rows; split it into smaller files."
            ) % {"max": MAX_ROWS}
            return []
        parsed.append(
            {
                "line": line,
                "name": cell_text(raw.get(HEADERS["name"])),
                "id_number": cell_text(raw.get(HEADERS["id_number"])).replace(" ", "").upper(),
                "village": cell_text(raw.get(HEADERS["village"])),
                "village_group": cell_text(raw.get(HEADERS["village_group"])),
            }
        )
    return parsed


def _members(prefix: str) -> QuerySet[Member]:
    return Member.objects.filter(association__area__code__startswith=prefix).select_related(
        "association__area", "village_group"
    )


def _members_by_number(prefix: str, numbers: list[str]) -> dict[str, Member]:
    """The household of each ID number in the area: the active one when the person left one
    association and joined another."""
    found: dict[str, Member] = {}
    unique = sorted(set(numbers))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        for member in _members(prefix).filter(id_number__in=chunk).order_by("-joined_on"):
            held = found.get(member.id_number)
            if held is None or (
                held.status != MemberStatus.ACTIVE and member.status == MemberStatus.ACTIVE
            ):
                found[member.id_number] = member
    return found


def _members_by_name(prefix: str, names: list[str]) -> dict[str, list[Member]]:
    found: dict[str, list[Member]] = {}
    unique = sorted({n for n in names if n})
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        members = _members(prefix).filter(Q(name__in=chunk), status=MemberStatus.ACTIVE)
        for member in members.order_by("pk"):
            found.setdefault(member.name, []).append(member)
    return found


def _match(row: dict, by_number: dict[str, Member], by_name: dict[str, list[Member]]) -> RowOutcome:
    line, name, number = row["line"], row["name"], row["id_number"]
    if number:
        member = by_number.get(number)
        if member is None:
            return _unknown(
                row,
                _("No member household of this area has ID number %(number)s.")
                % {"number": number},
            )
        if member.status != MemberStatus.ACTIVE:
            return _unknown(row, _("%(name)s has left the association.") % {"name": member.name})
        if name and name != member.name:
            return _unknown(
                row,
                _("The ID number belongs to %(member)s, not %(name)s.")
                % {"member": member.name, "name": name},
            )
        return RowOutcome(line, name or member.name, Outcome.BY_ID, _("found by ID number"), member)
    if not name or not row["village_group"]:
        return _unknown(row, _("Give the ID number, or the name and the village group."))
    candidates = [
        m
        for m in by_name.get(name, [])
        if m.village_group.name == row["village_group"]
        and (not row["village"] or row["village"] in (m.association.area.name, m.association.name))
    ]
    if not candidates:
        return _unknown(
            row,
            _("No member household named %(name)s in village group %(group)s.")
            % {"name": name, "group": row["village_group"]},
        )
    if len(candidates) > 1:
        return _unknown(
            row,
            _("%(count)s households are named %(name)s in this group; give the ID number.")
            % {"count": len(candidates), "name": name},
        )
    member = candidates[0]
    return RowOutcome(
        line,
        name,
        Outcome.BY_NAME,
        _("found by name and village group (%(village)s)")
        % {"village": member.association.area.name},
        member,
    )


def _unknown(row: dict, message: str) -> RowOutcome:
    return RowOutcome(row["line"], row["name"], Outcome.UNKNOWN, message)
