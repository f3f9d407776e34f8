from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Association
from loans.models import Loan, LoanPolicy, LoanPurpose
from loans.selectors.loans import ledger_mismatches


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    """Read-only: loans change through their services, never by editing rows."""

    list_display = ("member", "association", "amount", "status", "disbursed_on")
    list_filter = ("status",)
    search_fields = ("member__name", "association__name")
    actions = ["check_ledger"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Check loans receivable against the loans"))
    def check_ledger(self, request, queryset):
        associations = Association.objects.filter(loans__in=queryset).distinct()
        problems = [(a, m) for a in associations if (m := ledger_mismatches(a))]
        for association, (ledger, loans) in problems:
            messages.error(
                request,
                _("%(association)s: the books say %(ledger)s, the loans %(loans)s.")
                % {"association": association, "ledger": ledger, "loans": loans},
            )
        if not problems:
            messages.success(
                request,
                _(
                    "Loans receivable equals the outstanding principal in "
                    "every association checked."
                ),
            )


admin.site.register(LoanPurpose)


@admin.register(LoanPolicy)
class LoanPolicyAdmin(admin.ModelAdmin):
    """Read-only: a policy is saved only through `policy_save` (the policy page), which refuses
    widening a level above and records who saved it; `updated_by` is never typed by hand."""

    list_display = ("scope_code", "area", "association", "updated_at", "updated_by")
    search_fields = ("scope_code", "area__name", "association__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
