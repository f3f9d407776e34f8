"""Messages to people (reminders, notices) through one interface with swappable backends.

`settings.MESSAGE_BACKEND` names the class for staff (the log by default, e-mail for users with
an address); `settings.MEMBER_MESSAGE_BACKEND` the one for members, whose mobile numbers are
what the association holds: the log by default, the HTTP SMS gateway (`SmsBackend`) in
production. A backend's `deliver` says how it went (`Delivery`) or raises `TemporaryFailure`
when trying again later may help (the gateway timed out or answered 5xx); the caller (a Celery
task) retries with back-off. Phone numbers are never logged in full (`mask_mobile`)."""

import json
import logging
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("mutualaid.messages")

ANSWER_MAX = 500


@dataclass(frozen=True)
class Message:
    to_name: str
    mobile: str
    email: str
    subject: str
    body: str
    # For an SMS gateway that sends only registered templates: which one and its values.
    template: str = ""
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """What a backend did with one message: its channel, whether it went out, and what the
    provider answered (kept on the reminder)."""

    channel: str
    delivered: bool
    answer: str = ""


class TemporaryFailure(Exception):
    """The provider could not take the message now (timeout, connection, 5xx): try later."""


def mask_mobile(mobile: str) -> str:
    """138****5678: enough to tell numbers apart, not enough to call."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}{'*' * (len(mobile) - 7)}{mobile[-4:]}"


class LogBackend:
    """Writes each message to the log: the default for `make run` and tests."""

    channel = "log"

    def deliver(self, message: Message) -> Delivery:
        log.info(
            "message to %s (%s): %s — %s",
            message.to_name,
            mask_mobile(message.mobile) if message.mobile else "-",
            message.subject,
            message.body,
        )
        return Delivery(self.channel, True)

    def send(self, message: Message) -> bool:
        return self.deliver(message).delivered


class EmailBackend(LogBackend):
    """Sends by e-mail through Django's mail settings; people without an address are logged."""

    channel = "email"

    def deliver(self, message: Message) -> Delivery:
        if not message.email:
            return LogBackend().deliver(message)
        sent = bool(send_mail(message.subject, message.body, None, [message.email]))
        return Delivery(self.channel, sent)


class SmsBackend(LogBackend):
    """An HTTP SMS gateway: one JSON POST per message to `SMS_GATEWAY_URL` with HTTP basic
    credentials, the sign name, the template id and its values, and the full text for gateways
    that take free text. The gateway answers JSON with `code` ("OK" or 0 when accepted) and a
    `message`; a refused message is a failed delivery (its answer kept), a timeout or 5xx is
    a temporary failure. People without a mobile number are logged."""

    channel = "sms"

    def deliver(self, message: Message) -> Delivery:
        if not message.mobile:
            return LogBackend().deliver(message)
        masked = mask_mobile(message.mobile)
        try:
            with urllib.request.urlopen(self._request(message), timeout=settings.SMS_TIMEOUT) as r:
                status, answer = r.status, r.read(ANSWER_MAX * 2).decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read(ANSWER_MAX * 2).decode("utf-8", "replace")
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            log.warning("SMS to %s: gateway not reached (%s)", masked, error)
            raise TemporaryFailure(f"gateway not reached: {error}") from error
        answer = answer[:ANSWER_MAX]
        if status >= 500:
            log.warning("SMS to %s: gateway error %s", masked, status)
            raise TemporaryFailure(f"HTTP {status}: {answer}")
        delivered = 200 <= status < 300 and _accepted(answer)
        log.info("SMS to %s: %s", masked, "accepted" if delivered else f"refused ({status})")
        return Delivery(self.channel, delivered, f"HTTP {status}: {answer}")

    def _request(self, message: Message) -> urllib.request.Request:
        sign = settings.SMS_SIGN_NAME
        payload = {
            "phone": message.mobile,
            "sign_name": sign,
            "template_id": settings.SMS_TEMPLATES.get(message.template, ""),
            "params": message.params,
            "text": f"【{sign}】{message.body}" if sign else message.body,
        }
        credentials = f"{settings.SMS_GATEWAY_KEY}:{settings.SMS_GATEWAY_SECRET}"
        return urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": "Basic " + b64encode(credentials.encode()).decode(),
            },
            method="POST",
        )


def _accepted(answer: str) -> bool:
    try:
        code = json.loads(answer).get("code")
    except (ValueError, AttributeError):
        return False
    return code in ("OK", "ok", "0", 0)


def send(message: Message) -> bool:
    """A message to staff (reports ready, notices)."""
    return import_string(settings.MESSAGE_BACKEND)().deliver(message).delivered


def member_backend() -> LogBackend:
    """The backend that reaches members (reminders): its `deliver` may raise
    `TemporaryFailure`."""
    return import_string(settings.MEMBER_MESSAGE_BACKEND)()
