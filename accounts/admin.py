from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from dystonia_portal.admin import ReadOnlyAdmin

from . import services
from .models import ErasureRecord, Profile

User = get_user_model()


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    # No delete: deleting here would leave the account, its email and its comments' text. Erase instead.
    list_display = ["display_name", "account_state"]
    search_fields = ["display_name"]
    fields = ["display_name"]
    readonly_fields = ["display_name"]
    actions = ["erase_personal_data"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description="account")
    def account_state(self, profile):
        return "Active" if profile.user.is_active else "Not confirmed or banned"

    def has_erase_permission(self, request):
        return request.user.has_perm("accounts.erase_personal_data")

    @admin.action(description="Erase these people's personal data (deletes their accounts)", permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        users = User.objects.filter(profile__in=queryset)
        count = 0
        for user in users:
            # The same erasure a person asks for by deleting their own account, comments included.
            services.account_delete(user=user, delete_comments=True, erased_by=request.user)
            count += 1
        self.message_user(request, f"Erased the personal data of {count} people.", messages.SUCCESS)


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "erased_by", "comments_deleted"]
    list_select_related = ["erased_by"]
