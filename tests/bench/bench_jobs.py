"""Jobs over a generated world: the daily reminder run (reminders_send recording and queueing
the day's reminders, then the same day again: nothing new) against the one indexed read it
boils down to, and the monthly supervision report of a township and the summary of a county
(data, then PDF)."""

import datetime
import logging
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import Area
from loans.models import Reminder
from loans.services.reminders import reminders_send
from reports.documents import supervision_pdf
from reports.selectors.supervision import supervision_data
from tests.bench import TODAY, print_table, timings, uptime

WORLD = True


def _timed(fn):  # type: ignore[no-untyped-def]
    connection.queries_log.clear()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return time.perf_counter() - start, len(queries), result


def run() -> None:
    logging.disable(logging.INFO)  # the log backend prints every reminder
    try:
        _run()
    finally:
        logging.disable(logging.NOTSET)


def _run() -> None:
    load = uptime()
    rows = []
    queued: list[int] = []  # the run records and queues; delivery is one Celery task each
    first, first_queries, sent = _timed(lambda: reminders_send(today=TODAY, enqueue=queued.append))
    again, again_queries, _n = _timed(lambda: reminders_send(today=TODAY, enqueue=queued.append))
    assert len(queued) == sent
    lent = Reminder.objects.values("loan_id").distinct().count()

    def floor() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.loan_id, i.due_on, i.principal - i.principal_paid FROM loans_instalment i"
                " JOIN loans_loan l ON l.id = i.loan_id WHERE l.status IN ('disbursed',"
                " 'repaying') AND i.due_on = ANY(%s) AND i.principal_paid < i.principal",
                [[TODAY + datetime.timedelta(days=d) for d in (7, 1, -1, -7, -30)]],
            )
            return cursor.fetchall()

    floor_median, _p95 = timings(floor, repeat=5)
    rows.append(["reminder run, first of the day", f"{first:.2f}", first_queries, sent])
    rows.append(["reminder run, same day again", f"{again:.2f}", again_queries, 0])
    rows.append(
        ["raw SQL: the unpaid instalments of the reminder days", f"{floor_median:.3f}", 1, ""]
    )
    month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for level, label in (("township", "township report"), ("county", "county summary")):
        area = Area.objects.filter(level=level).order_by("code").first()
        assert area is not None
        data_time, data_queries, _data = _timed(
            lambda area=area: supervision_data(area=area, month=month)
        )
        pdf_time, pdf_queries, pdf = _timed(
            lambda area=area: supervision_pdf(area=area, month=month, prepared_by="bench")
        )
        rows.append([f"{label} data ({area.name})", f"{data_time:.2f}", data_queries, ""])
        rows.append([f"{label} PDF ({len(pdf) // 1024} kB)", f"{pdf_time:.2f}", pdf_queries, ""])
    print_table(
        f"jobs ({lent} loans reminded); {load}",
        ["job", "seconds", "queries", "reminders"],
        rows,
    )
