"""An area's name is followed by its level only when the name does not already say it (issue 13:
"榆中县 县（区）", "三角城村 村")."""

import pytest
from django.urls import reverse
from django.utils import translation

from associations.models import Area


@pytest.mark.parametrize(
    ("name", "level", "label"),
    [
        ("榆中县", "county", ""),
        ("城关区", "county", ""),
        ("三角城村", "village", ""),
        ("城关镇", "township", ""),
        ("大城街道", "township", ""),
        ("兰州市", "city", ""),
        ("甘肃省", "province", ""),
        ("和平社区", "village", ""),
        # Names without their level word keep the label.
        ("榆中", "county", "县（区）"),
        ("三角城", "village", "村"),
        ("城关", "township", "乡镇"),
    ],
)
def test_level_label_only_when_the_name_does_not_end_with_it(name, level, label):
    with translation.override("zh-hans"):
        assert Area(code="1", name=name, level=level).level_label == label


def test_dashboard_and_area_titles_do_not_repeat_the_level(client, world):
    client.force_login(world.inside.users["county_office"])
    county = world.inside.county  # 榆中县
    with translation.override("zh-hans"):
        for url in (
            reverse("reports:dashboard", args=[county.code]),
            reverse("associations:area_detail", args=[county.code]),
        ):
            body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
            assert "榆中县" in body
            assert "县（区）" not in body.split("<h1>", 1)[1].split("</h1>", 1)[0], url
