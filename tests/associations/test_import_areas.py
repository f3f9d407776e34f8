import re

import pytest
from django.core.management import CommandError, call_command

from associations.models import Area


def _csv(tmp_path, text: str):
    path = tmp_path / "codes.csv"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """code,name
620000000000,甘肃省
620100000000,兰州市
620123000000,榆中县
620123100000,城关镇
620123100201,三角城村
620123100202,周前村
"""


@pytest.mark.django_db
def test_import_published_twelve_digit_list(tmp_path, capsys):
    call_command("import_areas", str(_csv(tmp_path, GOOD)))
    areas = {a.code: a for a in Area.objects.all()}
    assert set(areas) == {"620000", "620100", "620123", "620123100", "620123100201", "620123100202"}
    assert areas["620123100201"].parent_id == "620123100"
    assert areas["620123"].parent_id == "620100"
    assert areas["620123100"].level == "township"
    assert "新增 6 个" in capsys.readouterr().out


@pytest.mark.django_db
def test_import_twice_renames_and_creates_nothing_new(tmp_path, capsys):
    call_command("import_areas", str(_csv(tmp_path, GOOD)))
    call_command("import_areas", str(_csv(tmp_path, GOOD.replace("周前村", "周前新村"))))
    assert Area.objects.count() == 6
    assert Area.objects.get(code="620123100202").name == "周前新村"
    assert "新增 0 个，更名 1 个" in capsys.readouterr().out


@pytest.mark.django_db
def test_unordered_short_codes_and_a_county_loading_its_own(tmp_path):
    call_command(
        "import_areas",
        str(_csv(tmp_path, "620123100201,三角城村\n620123,榆中县\n620123100,城关镇\n")),
    )
    assert Area.objects.get(code="620123").parent is None  # the county is the root for now
    # Later the city list arrives: the county's root is adopted, one root per province remains.
    call_command("import_areas", str(_csv(tmp_path, "620000,甘肃省\n620100,兰州市\n")))
    assert Area.objects.get(code="620123").parent_id == "620100"
    assert list(Area.objects.filter(parent__isnull=True).values_list("code", flat=True)) == [
        "620000"
    ]


BAD = """code,name
620000,甘肃省
620100,兰州市
62012X,坏县
620123,
620123,榆中县
620123,榆中县
9999999,太长
620999100,孤立镇
"""


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_areas", str(_csv(tmp_path, BAD)))
    err = capsys.readouterr().err
    assert Area.objects.count() == 0
    reported = {int(n) for n in re.findall(r"^第 (\d+) 行", err, flags=re.MULTILINE)}
    assert reported == {4, 5, 7, 8, 9}, err
    assert "重复（首次出现在第 6 行）" in err


@pytest.mark.django_db
def test_a_second_root_in_a_province_is_refused(tmp_path):
    call_command("import_areas", str(_csv(tmp_path, "620000,甘肃省\n")))
    with pytest.raises(CommandError):
        call_command(
            "import_areas",
            str(_csv(tmp_path, "620523,甘谷县\n620523100,大像山镇\n620700,张掖市\n")),
        )
    assert Area.objects.count() == 1


@pytest.mark.django_db
def test_admin_import_uses_the_same_all_or_nothing_service(tmp_path, admin_client):
    from django.urls import reverse

    url = reverse("admin:associations_area_import")
    bad = _csv(tmp_path, "code,name\n620000,甘肃省\n62012X,坏县\n")
    with bad.open("rb") as handle:
        response = admin_client.post(url, {"import_file": handle, "format": "0", "resource": "0"})
    assert Area.objects.count() == 0
    assert "62012X" in response.content.decode()

    good = _csv(tmp_path, GOOD)
    with good.open("rb") as handle:
        admin_client.post(url, {"import_file": handle, "format": "0", "resource": "0"})
    assert Area.objects.count() == 0  # first step is a dry-run preview; confirm writes
