from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

DISPLAY_NAME_MAX_LENGTH = 50


class Profile(models.Model):
    """What readers see of an account: a display name chosen at sign-up, never the username or email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="account", on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        "display name",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="Shown with the account's comments. Unique, whatever the letter case.",
    )

    class Meta:
        verbose_name = "profile"
        verbose_name_plural = "profiles"
        permissions = [("erase_personal_data", "Can erase a person's personal data (deletes their account)")]
        constraints = [
            models.UniqueConstraint(Lower("display_name"), name="accounts_profile_display_name_unique_ci"),
            models.CheckConstraint(condition=~models.Q(display_name=""), name="accounts_profile_display_name_set"),
        ]

    def __str__(self):
        return self.display_name


class ErasureRecord(models.Model):
    """That a moderator erased someone's personal data, and when: nothing about the person themselves."""

    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="erased by",
        on_delete=models.SET_NULL,
        null=True,
        related_name="erasures_made",
    )
    erased_at = models.DateTimeField("erased", default=timezone.now)
    comments_deleted = models.BooleanField("comments deleted too", default=True)

    class Meta:
        verbose_name = "erasure record"
        verbose_name_plural = "erasure records"
        ordering = ["-erased_at", "-pk"]

    def __str__(self):
        return f"Personal data erased on {self.erased_at:%d/%m/%Y}"
