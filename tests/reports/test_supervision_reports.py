"""The monthly supervision report (DESIGN §9) of the hand-built county: the PDF's text against
the indicators, masked ID numbers, CJK fonts; storing, replacing, claiming and announcing it;
the beat job, "generate now" from the dashboard and the command."""

import datetime
import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from associations.models import Area, Role
from reports.documents import supervision_pdf
from reports.models import ReportStatus, SupervisionReport
from reports.selectors.indicators import area_figures
from reports.selectors.supervision import overdue_at
from reports.services import report_claim, supervision_report_run
from reports.tasks import monthly_supervision_reports
from tests.reports.world import TODAY, at, build_county

JUNE = datetime.date(2026, 6, 1)
MAY = datetime.date(2026, 5, 1)
MARCH = datetime.date(2026, 3, 1)
SECTIONS = (
    "一、总体情况",
    "二、按村",
    "三、本月新增借款",
    "四、逾期借款",
    "五、展期、核销与冲正",
    "六、异常提示",
    "七、资金调剂",
)


@pytest.fixture
def county(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_county()
    with at(TODAY):
        yield world


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def _money(amount) -> str:
    return f"{amount:,.2f}"


def test_township_report_shows_the_indicators_sections_and_masked_ids(county):
    township = Area.objects.get(code="620123100")
    pdf = supervision_pdf(area=township, month=JUNE, prepared_by="每月任务")
    text = _text(pdf)
    figures = area_figures(area=township, on=datetime.date(2026, 6, 30), start=JUNE)

    assert "乡镇互助资金监管月报" in text and "2026年6月" in text
    for heading in SECTIONS:
        assert heading in text, heading
    # Section 1 from the indicators (hand-computed in test_indicators): 城关镇 on 2026-06-30.
    assert _money(figures.outstanding_principal) == "25,117.04"
    for shown in (
        "25,117.04",
        "39.81%",
        _money(figures.capital),
        _money(figures.overdue_principal),
    ):
        assert shown in text, shown
    # Section 2: one row per village and the total.
    assert "三角城村" in text and "下庄村" in text and "合计" in text
    # Section 4: the overdue list, longest first, IDs masked, with the group leaders.
    overdue = text[text.index("四、逾期借款") : text.index("五、")]
    assert overdue.index("李一") < overdue.index("王一")
    assert "马队长" in overdue and "王队长" in overdue
    li = county.loans["L1"].member
    assert li.masked_id_number in overdue and li.id_number not in text
    # Section 5: L5's extension in June.
    assert "展期" in text[text.index("五、") : text.index("六、")]
    # Footer: prepared by, a blank line to sign, generated at, page x / y.
    assert "编制人：每月任务" in text and "审核人" in text and "生成时间" in text
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"页码 1 / {pages}" in text and f"页码 {pages} / {pages}" in text
    # Every embedded font is a CJK font: no box for a missing glyph.
    fonts = _fonts(pdf)
    assert fonts and all("CJK" in name for name in fonts), fonts


def test_overdue_list_adds_up_to_the_indicator(county):
    township = Area.objects.get(code="620123100")
    on = datetime.date(2026, 6, 30)
    loans = overdue_at(prefix=township.prefix, on=on)
    figures = area_figures(area=township, on=on, start=JUNE)
    assert [row.loan.member.name for row in loans] == ["李一", "王一"]
    assert [row.days_past_due for row in loans] == [31, 29]
    assert sum(row.overdue_principal for row in loans) == figures.overdue_principal
    assert len(loans) == figures.overdue_count
    assert all(row.overdue_fee > 0 for row in loans)


def test_the_overdue_list_takes_the_same_queries_for_one_loan_or_many(county):
    on = datetime.date(2026, 6, 30)

    def queries(prefix: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = overdue_at(prefix=prefix, on=on)
        return len(rows), len(captured)

    one, one_queries = queries("620123100201")
    many, many_queries = queries("620123")
    assert 1 <= one < many
    assert one_queries == many_queries


def test_county_summary_has_a_row_per_township_and_the_month_s_lists(county):
    pdf = supervision_pdf(area=county.county, month=MARCH, prepared_by="job")
    text = _text(pdf)
    figures = area_figures(area=county.county, on=datetime.date(2026, 3, 31), start=MARCH)
    assert "县级互助资金监管月报汇总" in text and "2026年3月" in text
    assert "二、按乡镇" in text and "城关镇" in text and "夏官营镇" in text
    assert _money(figures.outstanding_principal) in text
    assert _money(figures.disbursed) in text  # L8, 4,000.00
    # Section 3: L8 with the masked ID; section 5: L6's write-off from the reserve.
    new = text[text.index("三、本月新增借款") : text.index("四、")]
    borrower = county.loans["L8"].member
    assert borrower.name in new and borrower.masked_id_number in new
    assert "核销" in text[text.index("五、") : text.index("六、")] and "外出失联" in text
    assert all("CJK" in name for name in _fonts(pdf))


def test_a_run_stores_the_file_replaces_it_on_a_rerun_and_notifies(
    county, caplog, django_capture_on_commit_callbacks
):
    township = Area.objects.get(code="620123100")
    caplog.set_level("INFO", logger="mutualaid.messages")
    report = supervision_report_run(area=township, month=JUNE, job="test", force=False)
    assert report.status == ReportStatus.READY and report.runs == 1
    content = report.file.read()
    assert content.startswith(b"%PDF")
    assert report.checksum == hashlib.sha256(content).hexdigest() and report.size == len(content)
    assert report.prepared_by == "test"
    # The township committee and the county office hear of it.
    roles = {person["role"] for person in report.notified}
    with translation.override("zh-hans"):
        assert roles == {str(Role.TOWNSHIP_COMMITTEE.label), str(Role.COUNTY_OFFICE.label)}
    assert all(person["delivered"] for person in report.notified)
    assert "已生成" in caplog.text

    # The beat job's second run leaves it alone; a forced re-run replaces it and says so.
    assert supervision_report_run(area=township, month=JUNE, job="test", force=False) is None
    first_name, first_checksum = report.file.name, report.checksum
    with at(TODAY + datetime.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        again = supervision_report_run(area=township, month=JUNE, job="test", force=True)
    assert again.pk == report.pk and again.runs == 2
    assert again.replaced_checksum == first_checksum and again.replaced_at is not None
    assert again.file.name != first_name and not again.file.storage.exists(first_name)
    assert SupervisionReport.objects.filter(area=township, month=JUNE).count() == 1


def test_two_workers_at_once_produce_one_report(county):
    township = Area.objects.get(code="620123100")
    first = report_claim(area=township, month=JUNE, job="worker-1", force=True)
    assert first is not None
    # The second worker finds a fresh claim and stops, forced or not.
    assert report_claim(area=township, month=JUNE, job="worker-2", force=True) is None
    assert report_claim(area=township, month=JUNE, job="worker-2", force=False) is None
    # A claim left by a crashed worker goes stale and can be taken over.
    with at(TODAY + datetime.timedelta(days=1)):
        assert report_claim(area=township, month=JUNE, job="worker-2", force=False) is not None


def test_the_monthly_job_makes_last_month_s_reports_once(county):
    with at(datetime.date(2026, 7, 2)):
        counts = monthly_supervision_reports()
        assert counts == {"generated": 4, "skipped": 0, "failed": 0}  # 2 townships, county, city
        assert monthly_supervision_reports() == {"generated": 0, "skipped": 4, "failed": 0}
    reports = SupervisionReport.objects.filter(month=JUNE)
    assert sorted(r.area_id for r in reports) == ["620100", "620123", "620123100", "620123101"]
    assert all(r.status == ReportStatus.READY and r.job == "reports.monthly" for r in reports)


def test_generate_now_from_the_dashboard_and_the_archive(
    client, county, django_capture_on_commit_callbacks
):
    station = county.branches["A1"].users[Role.TOWNSHIP_STATION]
    client.force_login(station)
    page = client.get(reverse("reports:dashboard", args=["620123100"]))
    assert reverse("reports:supervision_generate", args=["620123100"]) in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the task, eager in tests
        response = client.post(
            reverse("reports:supervision_generate", args=["620123100"]), {"month": "2026-05"}
        )
    report = SupervisionReport.objects.get(area="620123100", month=MAY)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:supervision_detail", args=[report.pk])
    assert report.status == ReportStatus.READY and report.generated_by == station
    detail = client.get(response["Location"]).content.decode()
    assert "refresh" not in detail and reverse("reports:supervision_download", args=[report.pk])
    download = client.get(reverse("reports:supervision_download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    # The county office's archive lists it, with whom it told.
    client.force_login(county.branches["A1"].users[Role.COUNTY_OFFICE])
    archive = client.get(reverse("reports:supervision_archive")).content.decode()
    assert "城关镇" in archive and "2026-05" in archive

    # This month is not over (today is 2026-06-30): refused, nothing written.
    client.force_login(station)
    refused = client.post(
        reverse("reports:supervision_generate", args=["620123100"]), {"month": "2026-06"}
    )
    assert refused.status_code == 302
    assert not SupervisionReport.objects.filter(month=JUNE).exists()
    # A village's clerk may not ask.
    client.force_login(county.branches["A1"].users[Role.VILLAGE_CLERK])
    url = reverse("reports:supervision_generate", args=["620123100"])
    assert client.post(url, {"month": "2026-04"}).status_code == 404


def test_the_page_refreshes_while_the_report_is_being_generated(client, county):
    township = Area.objects.get(code="620123100")
    report, _token = report_claim(area=township, month=JUNE, job="worker", force=True)
    client.force_login(county.branches["A1"].users[Role.TOWNSHIP_COMMITTEE])
    html = client.get(reverse("reports:supervision_detail", args=[report.pk])).content.decode()
    assert 'http-equiv="refresh"' in html and "<progress" in html
    missing = client.get(reverse("reports:supervision_download", args=[report.pk]))
    assert missing.status_code == 404


def test_command_writes_the_pdf(county, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("supervision_report", "620123100", "--month", "2026-06", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert re.search("乡镇互助资金监管月报", _text(out.read_bytes()))
