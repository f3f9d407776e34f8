from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin

from associations.exceptions import AssociationRuleError
from associations.models import (
    Area,
    Association,
    AuthEvent,
    ExportRecord,
    IdNumberView,
    ImportJob,
    Member,
    MemberEvent,
    RoleAssignment,
    User,
    VillageGroup,
)
from associations.services.areas import AreaImportError, areas_import
from associations.services.associations import role_check


class AreaResource(resources.ModelResource):
    """Admin import of a division-code list, through the same all-or-nothing service."""

    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")

    class Meta:
        model = Area
        fields = ("code", "name")
        import_id_fields = ("code",)

    def before_import(self, dataset, **kwargs):
        rows = [
            (index + 2, str(row.get("code") or ""), str(row.get("name") or ""))
            for index, row in enumerate(dataset.dict)
        ]
        try:
            result = areas_import(rows)
        except AreaImportError as error:
            raise ValidationError([str(e) for e in error.errors]) from error
        self.import_summary = result

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return True  # the service above has already written every row


class RoleAssignmentForm(forms.ModelForm):
    """The admin asks the service's check: a role only at its levels (ROLE_LEVELS)."""

    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "area")

    def clean(self):
        cleaned = super().clean() or {}
        role, area = cleaned.get("role"), cleaned.get("area")
        if role and area:
            try:
                role_check(role=role, area=area)
            except AssociationRuleError as error:
                raise ValidationError(str(error), code=error.code) from error
        return cleaned


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    extra = 1
    autocomplete_fields = ["area"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (None, {"fields": ("mobile",)}))
    list_display = ("username", "last_name", "first_name", "mobile", "is_active", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "mobile")
    inlines = [RoleAssignmentInline]


@admin.register(Area)
class AreaAdmin(ImportExportModelAdmin):
    resource_classes = [AreaResource]
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("prefix",)
    autocomplete_fields = ["parent"]

    def has_change_permission(self, request, obj=None):
        return False  # codes and parents come from the official list; import to change names


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "founded_on", "total_households", "status")
    list_filter = ("status",)
    search_fields = ("name", "area__name", "area__code")
    autocomplete_fields = ["area"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "area")
    list_filter = ("role",)
    search_fields = ("user__username", "area__name", "area__code")
    autocomplete_fields = ["user", "area"]


# --- member households: read-only here, written through the services -------------------


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(_ReadOnlyAdmin):
    list_display = ("name", "association", "village_group", "poverty_status", "status")
    list_filter = ("status", "poverty_status")
    search_fields = ("name", "pinyin_full", "pinyin_initials")
    exclude = ("id_number",)  # full numbers only on the member's page, where views are recorded


@admin.register(IdNumberView)
class IdNumberViewAdmin(_ReadOnlyAdmin):
    list_display = ("member", "viewer", "viewed_at")


admin.site.register(VillageGroup, _ReadOnlyAdmin)
admin.site.register(MemberEvent, _ReadOnlyAdmin)


# --- audit records: written by the app only -----------------------------------------------


@admin.register(AuthEvent)
class AuthEventAdmin(_ReadOnlyAdmin):
    list_display = ("at", "kind", "username", "user", "ip")
    list_filter = ("kind",)
    search_fields = ("username",)


@admin.register(ExportRecord)
class ExportRecordAdmin(_ReadOnlyAdmin):
    list_display = ("at", "kind", "filename", "by", "area_code")


@admin.register(ImportJob)
class ImportJobAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "association", "kind", "original_name", "by", "state")
    list_filter = ("state", "kind")
