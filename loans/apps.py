from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_default_purposes(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The six production purposes of DESIGN §5 exist after every migrate and every test flush
    (as Django recreates content types), so a flushed database lends again."""
    from importlib import import_module

    from loans.models import LoanPurpose

    cycles = import_module("loans.migrations.0002_default_purposes").CYCLES
    if LoanPurpose.objects.using(using).count() >= len(cycles):
        return
    for code, months in cycles.items():
        LoanPurpose.objects.using(using).get_or_create(
            code=code, defaults={"typical_cycle_months": months}
        )


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        from associations import hooks
        from associations.authority import STAFF_ROLES
        from funds.closing import overdue_readers
        from guarantees import rules as group_rules
        from loans import demo, panels
        from loans.models import Loan, LoanPolicy
        from loans.selectors.closing import overdue_on
        from loans.selectors.policy import group_rules_of
        from loans.services import applications
        from loans.views.member import member_home
        from loans.workflow import ACTIONS

        post_migrate.connect(ensure_default_purposes, sender=self)
        hooks.register(hooks.exit_guards, applications.member_exit_guard)
        hooks.register(hooks.demo_loaders, demo.load_demo_loans)
        hooks.register(hooks.member_home, member_home)
        hooks.register(hooks.home_panels, panels.home_panels)
        hooks.register(overdue_readers, overdue_on)
        hooks.register(group_rules.policy_readers, group_rules_of)
        for entry in (
            hooks.MenuEntry("loans:loan_list", hooks.model_label(Loan), frozenset(), 50),
            hooks.MenuEntry("loans:inbox", _("Approval inbox"), ACTIONS["approve"].roles, 60),
            hooks.MenuEntry(
                "loans:policy_list", hooks.model_label(LoanPolicy, plural=False), STAFF_ROLES, 70
            ),
        ):
            hooks.register(hooks.menu, entry)
