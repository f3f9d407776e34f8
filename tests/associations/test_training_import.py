"""Attendance of a training from an Excel list: the preview says what becomes of every row, the
confirm writes all rows or none, and a second confirm (or the same list again) adds nobody."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Role, TrainingAttendance
from associations.services.training import (
    TrainingRuleError,
    training_attendance_add,
    training_session_create,
)
from associations.services.training_import import (
    HEADERS,
    AttendanceImportError,
    Outcome,
    attendance_check,
    attendance_import,
)
from tests import factories
from tests.xlsx import read, workbook

D = datetime.date
pytestmark = pytest.mark.today(datetime.datetime(2026, 6, 30, 9, 0))
COLUMNS = list(HEADERS.values())  # 姓名 身份证号 村 村民小组


@pytest.fixture
def village(world):
    """The inside village with 马福海 and 李梅 in group 一组, two 王芳 in 一组, 张伟 already at
    the June training, and 赵强 who has left; 外村人 lives in the outside village."""
    inside = world.inside
    one = factories.village_group(inside.association, "一组")
    people = {
        name: factories.member(inside.association, name=name, village_group=one)
        for name in ("马福海", "李梅", "张伟", "赵强")
    }
    people["王芳1"] = factories.member(inside.association, name="王芳", village_group=one)
    people["王芳2"] = factories.member(inside.association, name="王芳", village_group=one)
    people["外村人"] = factories.member(world.outside.association, name="外村人")
    _exited(people["赵强"], inside)
    clerk = inside.users[Role.VILLAGE_CLERK]
    session = training_session_create(
        area=inside.village,
        held_on=D(2026, 6, 1),
        topic="养殖技术",
        trainer="畜牧站",
        hours=Decimal("2"),
        place="村委会",
        by=clerk,
    )
    training_attendance_add(session=session, by=clerk, members=[people["张伟"]])
    return inside, session, people


def _exited(member, branch):
    from associations.services.members import member_exit as leave

    leave(
        member=member,
        on=D(2026, 5, 1),
        reason="外出务工",
        by=branch.users[Role.VILLAGE_CLERK],
        refund=False,
    )


def _good_rows(people):
    return [
        ["", people["马福海"].id_number, "", ""],  # line 2: by ID number
        ["李梅", "", "", "一组"],  # line 3: by name and group
        ["张伟", people["张伟"].id_number, "", ""],  # line 4: already recorded
        ["马福海", "", "三角城村", "一组"],  # line 5: the same household as line 2
    ]


def _upload(rows, headers=COLUMNS):
    return SimpleUploadedFile("attendance.xlsx", workbook(headers, rows))


def _url(session):
    return reverse("associations:training_import", args=[session.pk])


def _attended(session) -> set[str]:
    return set(
        TrainingAttendance.objects.filter(session=session).values_list("member__name", flat=True)
    )


def test_preview_names_every_rows_outcome_and_writes_nothing(client, village):
    inside, session, people = village
    client.force_login(inside.users[Role.VILLAGE_CLERK])
    page = client.post(_url(session), {"action": "preview", "file": _upload(_good_rows(people))})
    check = page.context["check"]
    assert [(r.line, r.kind) for r in check.rows] == [
        (2, Outcome.BY_ID),
        (3, Outcome.BY_NAME),
        (4, Outcome.RECORDED),
        (5, Outcome.DUPLICATE),
    ]
    assert check.summary == {"new": 2, "recorded": 1, "duplicate": 1, "unknown": 0}
    body = page.content.decode()
    # Chinese per row, the page's language.
    assert "已登记" in body and "与第 2 行是同一户" in body
    assert "confirm" in page.context and _attended(session) == {"张伟"}


def test_confirm_writes_the_new_households_once(client, village):
    inside, session, people = village
    client.force_login(inside.users[Role.VILLAGE_CLERK])
    preview = client.post(_url(session), {"action": "preview", "file": _upload(_good_rows(people))})
    confirm = preview.context["confirm"]
    data = {"action": "confirm", **{f.name: f.value() for f in confirm}}
    done = client.post(_url(session), data)
    assert done.status_code == 302
    assert done["Location"] == reverse("associations:training_detail", args=[session.pk])
    assert _attended(session) == {"张伟", "马福海", "李梅"}
    assert TrainingAttendance.objects.filter(session=session).count() == 3
    # The same confirm again (a double click, the back button): nothing more.
    again = client.post(_url(session), data)
    assert again.status_code == 302
    assert TrainingAttendance.objects.filter(session=session).count() == 3
    # The same list uploaded again: every row is already recorded, nothing to confirm.
    repeat = client.post(_url(session), {"action": "preview", "file": _upload(_good_rows(people))})
    assert repeat.context["check"].summary == {
        "new": 0,
        "recorded": 4,
        "duplicate": 0,
        "unknown": 0,
    }
    assert "confirm" not in repeat.context
    assert TrainingAttendance.objects.filter(session=session).count() == 3


def test_one_bad_row_refuses_the_list_with_a_message_per_row(client, village):
    inside, session, people = village
    rows = [
        *_good_rows(people),
        ["王芳", "", "", "一组"],  # 6: two households of that name
        ["", people["赵强"].id_number, "", ""],  # 7: has left
        ["", people["外村人"].id_number, "", ""],  # 8: another village
        ["李梅", people["马福海"].id_number, "", ""],  # 9: the ID is someone else's
        ["刘备", "", "", "一组"],  # 10: nobody of that name
        ["李梅", "", "", ""],  # 11: no ID, no group
    ]
    client.force_login(inside.users[Role.VILLAGE_CLERK])
    page = client.post(_url(session), {"action": "preview", "file": _upload(rows)})
    check = page.context["check"]
    refused = {r.line: r.message for r in check.rows if r.kind == Outcome.UNKNOWN}
    assert sorted(refused) == [6, 7, 8, 9, 10, 11]
    assert "2 户" in refused[6] and "已退社" in refused[7]
    assert people["外村人"].id_number in refused[8] and "马福海" in refused[9]
    assert "刘备" in refused[10] and "村民小组" in refused[11]
    assert "confirm" not in page.context and "6 行" in page.context["failure"]
    assert _attended(session) == {"张伟"}
    # The service called directly refuses the whole list too, though rows 2 and 3 are good.
    from associations.services.member_import import read_rows

    with pytest.raises(AttendanceImportError) as error:
        attendance_import(
            session=session,
            rows=read_rows(workbook(COLUMNS, rows)),
            by=inside.users[Role.VILLAGE_CLERK],
        )
    assert len(error.value.check.errors) == 6
    assert _attended(session) == {"张伟"}


def test_a_file_that_is_no_workbook_or_lacks_columns_is_refused(client, village):
    inside, session, _people = village
    client.force_login(inside.users[Role.VILLAGE_CLERK])
    junk = SimpleUploadedFile("attendance.xlsx", b"not a workbook")
    page = client.post(_url(session), {"action": "preview", "file": junk})
    assert "Excel" in page.context["failure"] and "check" not in page.context
    page = client.post(
        _url(session), {"action": "preview", "file": _upload([["李梅"]], headers=["姓名"])}
    )
    assert "身份证号" in page.context["failure"] and "村民小组" in page.context["failure"]
    assert "confirm" not in page.context
    stale = client.post(
        _url(session), {"action": "confirm", "token": "abc", "idempotency_key": "k"}
    )
    assert stale.status_code == 302
    assert _attended(session) == {"张伟"}


def test_only_the_organiser_imports_and_downloads_the_template(client, village):
    inside, session, people = village
    client.force_login(inside.users[Role.VILLAGE_BOARD])
    refused = client.post(_url(session), {"action": "preview", "file": _upload(_good_rows(people))})
    assert refused.status_code == 404
    assert client.get(reverse("associations:training_template")).status_code == 404
    client.force_login(inside.users[Role.VILLAGE_CLERK])
    template = client.get(reverse("associations:training_template"))
    assert read(template.content) == [COLUMNS]
    assert _attended(session) == {"张伟"}


def test_the_check_takes_the_same_queries_for_3_or_30_rows(village):
    inside, session, people = village
    clerk = inside.users[Role.VILLAGE_CLERK]
    header = [(1, {"__headers__": COLUMNS})]

    def rows(n):
        body = [
            (line, dict(zip(COLUMNS, values, strict=True)))
            for line, values in enumerate((_good_rows(people) * 10)[:n], start=2)
        ]
        return header + body

    with CaptureQueriesContext(connection) as few:
        attendance_check(session=session, rows=rows(3), by=clerk)
    with CaptureQueriesContext(connection) as many:
        check = attendance_check(session=session, rows=rows(30), by=clerk)
    assert len(many.captured_queries) == len(few.captured_queries)
    # 7 rounds of the 4 rows and 2 more: 马福海 and 李梅 new once, 张伟 recorded 7 times.
    assert check.summary == {"new": 2, "recorded": 7, "duplicate": 21, "unknown": 0}


def test_a_township_list_tells_villages_apart_by_the_village_column(village):
    inside, _session, _people = village
    second = factories.area("620123100202", "新庄村", "village", inside.township)
    association = factories.association(second)
    group = factories.village_group(association, "一组")
    other = factories.member(association, name="李梅", village_group=group)
    committee = inside.users[Role.TOWNSHIP_COMMITTEE]
    session = training_session_create(
        area=inside.township,
        held_on=D(2026, 6, 2),
        topic="风险防控",
        trainer="乡镇监管会",
        hours=Decimal("3"),
        place="镇政府",
        by=committee,
    )
    rows = [(1, {"__headers__": COLUMNS})] + [
        (line, dict(zip(COLUMNS, values, strict=True)))
        for line, values in ((2, ["李梅", "", "", "一组"]), (3, ["李梅", "", "新庄村", "一组"]))
    ]
    check = attendance_check(session=session, rows=rows, by=committee)
    assert [r.kind for r in check.rows] == [Outcome.UNKNOWN, Outcome.BY_NAME]
    assert "2 户" in check.rows[0].message and check.rows[1].member == other
    # The village's clerk does not record a township's training.
    with pytest.raises(TrainingRuleError):
        attendance_check(session=session, rows=rows, by=inside.users[Role.VILLAGE_CLERK])
