"""Messages to people (reminders, notices) through one interface with swappable backends.

`settings.MESSAGE_BACKEND` names the class: the log backend by default (no server needed), the
e-mail backend for users with an address; an SMS gateway adapter plugs in the same way."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("mutualaid.messages")


@dataclass(frozen=True)
class Message:
    to_name: str
    mobile: str
    email: str
    subject: str
    body: str


class LogBackend:
    """Writes each message to the log: the default for `make run` and tests."""

    def send(self, message: Message) -> bool:
        log.info(
            "message to %s (%s): %s — %s",
            message.to_name,
            message.mobile or "-",
            message.subject,
            message.body,
        )
        return True


class EmailBackend:
    """Sends by e-mail through Django's mail settings; people without an address are logged."""

    def send(self, message: Message) -> bool:
        if not message.email:
            return LogBackend().send(message)
        return bool(send_mail(message.subject, message.body, None, [message.email]))


def send(message: Message) -> bool:
    return import_string(settings.MESSAGE_BACKEND)().send(message)
