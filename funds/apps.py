from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Fund accounting")

    def ready(self) -> None:
        from associations import hooks
        from associations.authority import STAFF_ROLES
        from funds import demo, panels, services

        hooks.register(hooks.refund_posters, services.member_contribution_refund)
        hooks.register(hooks.contribution_readers, services.member_contribution_held)
        hooks.register(hooks.contribution_receivers, services.member_contribution_receive)
        hooks.register(hooks.contribution_offers, services.may_receive_contribution)
        hooks.register(hooks.contribution_totals, services.member_contributions_held)
        hooks.register(hooks.contribution_lines, services.member_contribution_lines)
        hooks.register(hooks.demo_loaders, demo.load_demo_funds)
        hooks.register(hooks.home_panels, panels.home_panels)
        # The menu names the books as their pages do (账簿), not as the model does (账套).
        hooks.register(hooks.menu, hooks.MenuEntry("funds:book_list", _("Books"), STAFF_ROLES, 80))
