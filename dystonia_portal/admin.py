"""The admin base for records that only services write (figures, audit logs, histories).

Editors and moderators look at them in the admin; nobody adds, changes or deletes one by
hand, so the record always says what the service did. Each app's admin uses these.
"""

from django.contrib import admin


class ReadOnly:
    """No add, change or delete, for a model admin or an inline (the view permission still applies)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """A model admin for records only services write: staff may look, never add, change or delete."""


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
