"""Excel import of the roster: every bad row reported in Chinese, all rows or none."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from associations.models import IdNumberView, Member, MemberEvent
from associations.services.member_import import (
    HEADERS,
    MemberImportError,
    member_export,
    member_template,
    members_import,
    read_rows,
)
from tests import factories
from tests.xlsx import read, workbook

pytestmark = pytest.mark.django_db
COLUMNS = list(HEADERS.values())


def _row(number, name="王五", group="一组", **changes):
    row = {
        "姓名": name,
        "身份证号": number,
        "手机号": "13812345678",
        "村民小组": group,
        "家庭人口": 4,
        "劳动力人数": 2,
        "贫困类别": "建档立卡贫困户",
        "是否党员": "否",
        "是否致富带头人": "是",
        "入社日期": datetime.datetime(2022, 4, 1),
    }
    row.update(changes)
    return [row[c] for c in COLUMNS]


@pytest.fixture
def groups(world):
    return [factories.village_group(world.inside.association, n) for n in ("一组", "二组")]


def _import(world, rows, dry_run=False):
    content = workbook(COLUMNS, rows)
    return members_import(
        association=world.inside.association,
        rows=read_rows(content),
        by=world.inside.users["village_clerk"],
        dry_run=dry_run,
    )


def test_template_has_the_chinese_headers_and_no_rows():
    assert read(member_template()) == [COLUMNS]


def test_a_good_file_imports_every_row_with_history(world, groups):
    ids = [factories.id_number(n) for n in (901, 902, 903)]
    report = _import(
        world,
        [
            _row(ids[0], name="张三"),
            _row(ids[1], group="二组", **{"贫困类别": "一般户"}),
            _row(ids[2].lower(), **{"入社日期": "2021/5/6", "是否党员": "是"}),
        ],
    )
    assert report.created == 3
    members = {m.id_number: m for m in Member.objects.all()}
    assert members[ids[0]].pinyin_initials == "zs"
    assert members[ids[1]].poverty_status == "general"
    assert members[ids[1]].village_group == groups[1]
    assert members[ids[2]].joined_on == datetime.date(2021, 5, 6)
    assert members[ids[2]].is_party_member
    assert MemberEvent.objects.filter(kind="imported").count() == 3


def test_dry_run_checks_but_writes_nothing(world, groups):
    report = _import(world, [_row(factories.id_number(910))], dry_run=True)
    assert len(report.good) == 1
    assert not Member.objects.exists()


def test_every_bad_row_is_listed_with_its_reason_and_nothing_is_written(world, groups):
    existing = factories.member(world.inside.association)
    elsewhere = factories.member(world.outside.association)
    good = factories.id_number(920)
    rows = [
        _row(good),  # line 2: good
        _row("110105194912310029"),  # line 3: check digit
        _row(good),  # line 4: repeated in file
        _row(existing.id_number),  # line 5: already in this association
        _row(elsewhere.id_number),  # line 6: active elsewhere
        _row(factories.id_number(921), **{"手机号": "12345"}),  # line 7
        _row(factories.id_number(922), group=""),  # line 8: no village group
        _row(factories.id_number(923), **{"贫困类别": "富裕户"}),  # line 9
        _row(factories.id_number(924), **{"劳动力人数": 9}),  # line 10
        _row(factories.id_number(925), **{"是否党员": "也许"}),  # line 11
    ]
    with pytest.raises(MemberImportError) as error:
        _import(world, rows)
    messages = {e.line: e.message for e in error.value.report.errors}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "校验位错误" in messages[3]
    assert "重复" in messages[4] and "第 2 行" in messages[4]
    assert "本协会已有社员记录" in messages[5]
    assert "其他协会的在册社员" in messages[6]
    assert "手机号" in messages[7]
    assert "村民小组为空" in messages[8]
    assert "富裕户" in messages[9]
    assert "劳动力人数" in messages[10]
    assert "是否党员" in messages[11]
    assert "9" in str(error.value)
    assert Member.objects.count() == 2
    assert not MemberEvent.objects.filter(kind="imported").exists()


def test_missing_columns_are_reported(world, groups):
    content = workbook(["姓名", "身份证号"], [["张三", factories.id_number(930)]])
    with pytest.raises(MemberImportError) as error:
        members_import(
            association=world.inside.association,
            rows=read_rows(content),
            by=factories.clerk_of(world.inside.association),
            dry_run=False,
        )
    assert error.value.report.errors[0].line == 1
    assert "村民小组" in error.value.report.errors[0].message
    assert not Member.objects.exists()


def test_export_masks_id_numbers_unless_allowed_and_records_full_views(world, groups):
    member = factories.member(world.inside.association, name="赵六")
    clerk = world.inside.users["village_clerk"]
    masked = read(member_export(members=Member.objects.all(), viewer=clerk, full_id_numbers=False))
    assert masked[1][:2] == ["赵六", member.masked_id_number]
    assert not IdNumberView.objects.exists()
    full = read(member_export(members=Member.objects.all(), viewer=clerk, full_id_numbers=True))
    assert full[1][1] == member.id_number
    assert full[0][: len(COLUMNS)] == COLUMNS
    assert IdNumberView.objects.filter(member=member, viewer=clerk).count() == 1


def test_command_dry_run_write_and_failure(world, groups, tmp_path, capsys):
    template = tmp_path / "template.xlsx"
    call_command("import_members", "--template", str(template))
    assert read(template.read_bytes()) == [COLUMNS]

    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook(COLUMNS, [_row(factories.id_number(940))]))
    code = world.inside.village.code
    clerk = world.inside.users["village_clerk"].username
    call_command("import_members", str(good), "--association", code, "--dry-run", "--by", clerk)
    assert not Member.objects.exists()
    call_command("import_members", str(good), "--association", code, "--by", clerk)
    assert Member.objects.count() == 1

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(COLUMNS, [_row(factories.id_number(941)), _row("110105194912310029")]))
    with pytest.raises(CommandError):
        call_command("import_members", str(bad), "--association", code, "--by", clerk)
    assert "第 3 行" in capsys.readouterr().err
    assert Member.objects.count() == 1
