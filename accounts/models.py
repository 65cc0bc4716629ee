from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
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


class MemberVersion(models.Model):
    """A counter of what a member sees of their own on condition pages, moved by database triggers.

    Their rating and its feedback, their reports, their comments (a moderator's decision on
    one included), their account and their profile: every write to one of these moves the
    member's version in the same transaction, whatever made it (migrations 0003 here and the
    `member_version` ones in ratings and comments). Their own parts of a page are cached under
    it (conditions.page_cache.member_key), so a member always sees their own writes at once.
    The row is made with the account, by a trigger too.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="account", on_delete=models.CASCADE, related_name="member_version"
    )
    version = models.PositiveBigIntegerField("version", default=1, editable=False)

    class Meta:
        verbose_name = "member version"
        verbose_name_plural = "member versions"

    def __str__(self):
        return f"{self.user_id}.{self.version}"


class Session(AbstractBaseSession):
    """A session as Django's database sessions keep it, with the account signed in to it as a
    column: each request reads its session and its account in one query (accounts.sessions),
    and an account's sessions are found, and ended, without decoding every session.

    The account is written from the session's own data each time the session is saved. It is
    no database constraint: a session saved while its account is being deleted must not fail
    the request. The account's deletion still deletes its sessions (the ORM's cascade).
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="sessions",
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = "session"
        verbose_name_plural = "sessions"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore


def member_version(user) -> str | None:
    """The signed-in `user`'s own version for cache keys ("account id:row id.version"), or None
    (nobody signed in, or no counter row): what it would version is then never cached. No query
    when the user came with the row (accounts.backends.MemberBackend), one otherwise."""
    if not user.is_authenticated:
        return None
    try:
        row = user.member_version
    except MemberVersion.DoesNotExist:
        return None
    return f"{user.pk}:{row.pk}.{row.version}"


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
