"""Excel import of groups: all groups or none, with each bad row explained."""

import datetime

import pytest

from associations.services.member_import import read_rows
from guarantees.imports import (
    HEADERS,
    GroupImportError,
    group_export,
    group_template,
    groups_import,
)
from guarantees.models import GroupMembership, GuaranteeGroup
from tests import factories
from tests.xlsx import read, workbook

pytestmark = pytest.mark.django_db
COLUMNS = list(HEADERS.values())
FORMED = datetime.datetime(2024, 3, 1)


def _import(world, rows, dry_run=False):
    return groups_import(
        association=world.inside.association,
        rows=read_rows(workbook(COLUMNS, rows)),
        by=world.inside.users["village_clerk"],
        dry_run=dry_run,
    )


def _rows(group, leaders, households):
    return [[group, FORMED, m.id_number, m.name, "组长"] for m in leaders] + [
        [group, FORMED, m.id_number, m.name, "成员"] for m in households
    ]


def test_template_and_a_good_file(world, people):
    assert read(group_template()) == [COLUMNS]
    leaders, households = people
    report = _import(
        world,
        _rows("一组", leaders[:1], households[:3]) + _rows("二组", leaders[1:3], households[3:7]),
    )
    assert report.created == 2
    assert GuaranteeGroup.objects.get(name="二组").memberships.count() == 6
    exported = read(group_export(groups=GuaranteeGroup.objects.all(), full_id_numbers=False))
    assert len(exported) == 11
    assert exported[1][2] == leaders[0].masked_id_number


def test_dry_run_writes_nothing(world, people):
    leaders, households = people
    report = _import(world, _rows("一组", leaders[:1], households[:3]), dry_run=True)
    assert [g.name for g in report.groups] == ["一组"]
    assert not GuaranteeGroup.objects.exists()


def test_bad_rows_and_bad_groups_are_all_listed_and_nothing_written(world, people):
    leaders, households = people
    stranger = factories.member(world.outside.association)
    rows = _rows("一组", leaders[:1], households[:3])  # lines 2-5: good group
    rows += _rows("二组", [households[3]], households[4:6])  # lines 6-8: bad leader, 2 households
    rows += [["三组", FORMED, stranger.id_number, stranger.name, "成员"]]  # line 9
    rows += [["一组", FORMED, households[0].id_number, "", "成员"]]  # line 10: repeated
    rows += [["三组", FORMED, households[6].id_number, "", "副组长"]]  # line 11: bad role
    with pytest.raises(GroupImportError) as error:
        _import(world, rows)
    messages = {e.line: e.message for e in error.value.report.errors}
    assert sorted(messages) == [6, 9, 10, 11]
    assert "二组" in messages[6]
    assert "不是本协会的在册社员" in messages[9]
    assert "重复" in messages[10]
    assert "副组长" in messages[11]
    assert not GuaranteeGroup.objects.exists()
    assert not GroupMembership.objects.exists()


def test_a_member_already_in_a_group_is_refused(world, people):
    leaders, households = people
    _import(world, _rows("一组", leaders[:1], households[:3]))
    with pytest.raises(GroupImportError) as error:
        _import(world, _rows("二组", leaders[1:2], households[2:5]))
    assert "一组" in error.value.report.errors[0].message
    assert GuaranteeGroup.objects.count() == 1
