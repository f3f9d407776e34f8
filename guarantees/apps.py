from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuaranteesConfig(AppConfig):
    name = "guarantees"
    verbose_name = _("Guarantees")

    def ready(self) -> None:
        from associations import hooks
        from associations.authority import STAFF_ROLES as STAFF
        from guarantees import demo, services

        hooks.register(hooks.exit_guards, services.member_exit_guard)
        hooks.register(hooks.demo_loaders, demo.load_demo_groups)
        hooks.register(
            hooks.menu, hooks.MenuEntry("guarantees:group_list", _("Groups"), frozenset(), 40)
        )
        hooks.register(
            hooks.menu, hooks.MenuEntry("guarantees:placement_list", _("Placements"), STAFF, 45)
        )
