"""Read-only admin views: groups change only through the services (and their history)."""

from django.contrib import admin

from guarantees.models import (
    GroupChange,
    GroupMembership,
    GuaranteeGroup,
    PersonalGuarantee,
    Placement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    can_delete = False
    readonly_fields = ("member", "role", "joined_on", "left_on")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GuaranteeGroup)
class GuaranteeGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "association", "formed_on", "status")
    list_filter = ("status",)
    search_fields = ("name", "association__name")
    inlines = [MembershipInline]


@admin.register(GroupChange)
class GroupChangeAdmin(ReadOnlyAdmin):
    list_display = ("group", "kind", "member", "on", "by", "at")


admin.site.register(PersonalGuarantee, ReadOnlyAdmin)
admin.site.register(Placement, ReadOnlyAdmin)
