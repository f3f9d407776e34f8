"""Reminders reach a phone through the HTTP SMS gateway: a small gateway on 127.0.0.1 run by
the test (never the internet) accepts, refuses, or is too slow; a slow gateway is retried
with back-off by the Celery task, then the reminder is recorded as failed. Phone numbers are
never logged in full."""

import contextlib
import datetime
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from loans.models import Reminder
from loans.services.reminders import reminders_send
from loans.tasks import deliver_reminder, send_reminders
from mutualaid.celery import app
from mutualaid.messaging import mask_mobile

D = datetime.date
MOBILE = "13812345678"


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.mode = "accept"
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms/send"


class GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body["authorization"] = self.headers.get("Authorization", "")
        self.server.requests.append(body)
        if self.server.mode == "slow":
            time.sleep(0.6)
        answer = (
            {"code": "OK", "message": "sent", "id": "sms-1"}
            if self.server.mode == "accept"
            else {"code": "isv.BUSINESS_LIMIT_CONTROL", "message": "触发流控"}
        )
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(200, answer)  # unless the client gave up waiting

    def _answer(self, status: int, answer: dict) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def gateway(settings):
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MEMBER_MESSAGE_BACKEND = "mutualaid.messaging.SmsBackend"
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET = "fund", "s3cret"
    settings.SMS_SIGN_NAME = "互助资金"
    settings.SMS_TEMPLATES = {"reminder_before": "SMS_001", "reminder_overdue": "SMS_002"}
    settings.SMS_TIMEOUT = 0.2
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 1, 15, 9, 0), tick=False):
        yield


@pytest.fixture
def borrower_phone(lent):
    lent.member.mobile = MOBILE
    lent.member.save(update_fields=["mobile"])
    return lent


def test_the_gateway_accepts_and_the_answer_is_kept(
    borrower_phone, gateway, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders("2027-01-08") == 1  # 7 days before 2027-01-15
    reminder = Reminder.objects.get()
    assert (reminder.channel, reminder.delivery, reminder.mobile) == ("sms", "delivered", MOBILE)
    assert '"code": "OK"' in reminder.answer and reminder.sent_at is not None
    [sent] = gateway.requests
    assert sent["phone"] == MOBILE and sent["template_id"] == "SMS_001"
    assert sent["params"] == {
        "name": borrower_phone.member.name,
        "amount": "10000.00",
        "date": "2027-01-15",
        "place": borrower_phone.association.name,
    }
    assert sent["text"].startswith("【互助资金】") and len(sent["text"]) <= 70
    assert sent["authorization"].startswith("Basic ")
    assert MOBILE not in caplog.text and mask_mobile(MOBILE) in caplog.text
    # The task running twice sends nothing twice.
    deliver_reminder.delay(reminder.pk)
    assert len(gateway.requests) == 1


def test_a_refusal_is_recorded_as_failed_with_the_providers_answer(borrower_phone, gateway):
    gateway.mode = "refuse"
    assert reminders_send(today=D(2027, 1, 16)) == 1  # 1 day overdue
    reminder = Reminder.objects.get()
    assert (reminder.channel, reminder.delivery) == ("sms", "failed")
    assert "BUSINESS_LIMIT_CONTROL" in reminder.answer
    assert gateway.requests[0]["template_id"] == "SMS_002"
    assert len(gateway.requests[0]["text"]) <= 70


def test_a_slow_gateway_is_retried_then_the_reminder_is_recorded_as_failed(
    borrower_phone, gateway, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    gateway.mode = "slow"
    # Eager tasks run their retries at once, inside the first call; the first call's Retry
    # is what a worker would schedule, not an error.
    app.conf.task_eager_propagates = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            send_reminders("2027-01-08")
    finally:
        app.conf.task_eager_propagates = True
    reminder = Reminder.objects.get()
    assert len(gateway.requests) == deliver_reminder.max_retries + 1
    assert (reminder.channel, reminder.delivery) == ("sms", "failed")
    assert "gateway not reached" in reminder.answer and reminder.sent_at is not None
    assert MOBILE not in caplog.text


def test_the_task_backs_off_exponentially():
    assert deliver_reminder.autoretry_for and deliver_reminder.retry_backoff == 60
    assert deliver_reminder.retry_backoff_max == 3600


def test_a_member_without_a_mobile_number_is_logged(lent, gateway):
    assert lent.member.mobile == ""
    assert reminders_send(today=D(2027, 1, 8)) == 1
    assert Reminder.objects.get().delivery == "delivered" and gateway.requests == []


def test_phone_numbers_are_masked():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("") == ""
