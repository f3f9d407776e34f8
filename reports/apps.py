from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from associations import hooks
        from reports import panels
        from reports.selectors.audit import AUDIT_ROLES
        from reports.selectors.indicators import child_figures_by_code

        hooks.register(hooks.child_figures, child_figures_by_code)
        hooks.register(hooks.home_panels, panels.home_panels)
        hooks.register(
            hooks.menu, hooks.MenuEntry("reports:audit", _("Audit trail"), AUDIT_ROLES, 90)
        )
