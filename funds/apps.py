from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Fund accounting")

    def ready(self) -> None:
        from associations import hooks
        from associations.authority import STAFF_ROLES
        from funds import demo, panels, services
        from funds.models import Book

        hooks.register(hooks.refund_posters, services.member_contribution_refund)
        hooks.register(hooks.contribution_readers, services.member_contribution_held)
        hooks.register(hooks.contribution_receivers, services.member_contribution_receive)
        hooks.register(hooks.contribution_offers, services.may_receive_contribution)
        hooks.register(hooks.contribution_totals, services.member_contributions_held)
        hooks.register(hooks.demo_loaders, demo.load_demo_funds)
        hooks.register(hooks.home_panels, panels.home_panels)
        label = hooks.model_label(Book)
        hooks.register(hooks.menu, hooks.MenuEntry("funds:book_list", label, STAFF_ROLES, 80))
