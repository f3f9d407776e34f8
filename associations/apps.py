from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Areas and associations")

    def ready(self) -> None:
        from django.contrib.auth import signals

        from associations import auth

        signals.user_logged_in.connect(auth.record_login, dispatch_uid="auth_event_login")
        signals.user_logged_out.connect(auth.record_logout, dispatch_uid="auth_event_logout")
        signals.user_login_failed.connect(
            auth.record_login_failed, dispatch_uid="auth_event_login_failed"
        )
