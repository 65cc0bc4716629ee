import datetime
from importlib import import_module
from urllib.parse import urlencode

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from comments.models import Comment, CommentEdit
from comments.services import text_hash
from ratings.services import ratings_detach_user

from .models import ErasureRecord, Profile, Session
from .tokens import signup_token

User = get_user_model()


def _confirm_link(user: User, *, site_url: str, next_path: str) -> str:
    path = reverse(
        "accounts:signup_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": signup_token.make_token(user)},
    )
    return site_url + path + (f"?{urlencode({'next': next_path})}" if next_path else "")


def _email(address: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, {"site_name": settings.SITE_NAME, **context})
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))


@transaction.atomic
def user_sign_up(
    *, username: str, email: str, password: str, display_name: str, site_url: str, next_path: str = ""
) -> User | None:
    """Start an account: it is made inactive, and a link to confirm it is emailed to `email`.

    When an account already uses `email`, nothing is made: the owner of that address is told
    someone tried (with a fresh confirmation link if their own account is not confirmed yet).
    The person signing up sees the same answer either way, so sign-up never says whether an
    email address is registered. The password is hashed either way, so timing does not say it.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)
        pending = not existing.is_active and existing.last_login is None
        context = {
            "user": existing,
            "pending": pending,
            "confirm_link": _confirm_link(existing, site_url=site_url, next_path="") if pending else "",
            "sign_in_link": site_url + reverse("accounts:signin"),
            "reset_link": site_url + reverse("accounts:password_reset"),
        }
        _email(
            existing.email,
            f"Someone tried to create a {settings.SITE_NAME} account with your email address",
            "accounts/signup_taken_email.txt",
            context,
        )
        return None
    user = User.objects.create_user(username=username, email=email, password=password, is_active=False)
    Profile.objects.create(user=user, display_name=display_name)
    _email(
        email,
        f"Confirm your {settings.SITE_NAME} account",
        "accounts/signup_confirm_email.txt",
        {"user": user, "confirm_link": _confirm_link(user, site_url=site_url, next_path=next_path)},
    )
    return user


@transaction.atomic
def user_resend_confirmation(*, email: str, site_url: str) -> bool:
    """Email a fresh confirmation link when an unconfirmed account uses `email`.

    The person asking sees the same answer whether or not one does, as at sign-up.
    """
    user = User.objects.filter(email__iexact=email, is_active=False, last_login__isnull=True).first()
    if user is None:
        return False
    _email(
        user.email,
        f"Confirm your {settings.SITE_NAME} account",
        "accounts/signup_confirm_email.txt",
        {"user": user, "confirm_link": _confirm_link(user, site_url=site_url, next_path="")},
    )
    return True


@transaction.atomic
def user_confirm(*, user: User) -> User:
    """The owner of the email address followed the confirmation link: the account can be used."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


# What a comment's text becomes once erased: the row stays for the moderation record (its
# reports and decisions), the words that might identify the person do not.
ERASED_TEXT = "This comment was erased at its author's request."
# What a removed comment's text becomes once moderators no longer need it (privacy_retention).
EXPIRED_TEXT = "This comment was removed and its text has since been deleted."


def _end_sessions(user: User) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in Session.objects.filter(account=user).values_list("session_key", flat=True):
        # Through the session store, so a cached copy (cached_db) goes too.
        store(session_key=session_key).delete()


def _erase_comments(user: User, *, delete_comments: bool) -> None:
    # Earlier versions of any of their comments were only ever kept for moderators, and may hold
    # the very details an edit took out (a held comment's phone number, say): they go either way.
    CommentEdit.objects.filter(comment__author=user).update(previous_text=ERASED_TEXT)
    comments = Comment.objects.filter(author=user)
    if not delete_comments:
        # Published comments stay, from "a former member"; held, hidden and removed ones were
        # only ever kept for moderators, and their text goes now.
        comments = comments.exclude(status=Comment.Status.PUBLISHED)
    now = timezone.now()
    comments.filter(deleted_by_author_at__isnull=True).update(deleted_by_author_at=now)
    comments.update(text=ERASED_TEXT, text_hash=text_hash(ERASED_TEXT), status=Comment.Status.REMOVED)


@transaction.atomic
def account_delete(*, user: User, delete_comments: bool = True, erased_by: User | None = None) -> None:
    """Delete the account and everything that identifies the person.

    The email address, display name, sessions and sign-in lockout records go. The text of
    every comment goes too (`delete_comments`), or only of those never published: published
    ones can stay, shown as from "a former member". Ratings stay as anonymous ones, so no
    page's rating figures change. A moderator erasing on request is `erased_by`, and is
    recorded (who and when, nothing about the person).
    """
    _erase_comments(user, delete_comments=delete_comments)
    ratings_detach_user(user=user)
    _end_sessions(user)
    username = user.get_username()
    AccessAttempt.objects.filter(username=username).delete()
    AccessFailureLog.objects.filter(username=username).delete()
    if erased_by is not None:
        ErasureRecord.objects.create(erased_by=erased_by, comments_deleted=delete_comments)
    user.delete()


@transaction.atomic
def retention_erase_due(*, now=None) -> dict[str, int]:
    """Erase what the privacy notice says is kept only for a while; returns how many of each.

    Safe to run at any time and twice in a row: a second run finds nothing due.
    """
    now = now or timezone.now()
    text_cutoff = now - datetime.timedelta(days=settings.REMOVED_COMMENT_TEXT_DAYS)
    # Removed (by a moderator, or declined after being held, or by the author) long enough
    # ago: no decision or deletion about it since the cut-off.
    due = (
        Comment.objects.filter(status=Comment.Status.REMOVED, created_at__lt=text_cutoff)
        .exclude(text__in=[ERASED_TEXT, EXPIRED_TEXT])
        .filter(Q(deleted_by_author_at__isnull=True) | Q(deleted_by_author_at__lt=text_cutoff))
        .annotate(last_decided=Max("decisions__created_at"))
        .filter(Q(last_decided__isnull=True) | Q(last_decided__lt=text_cutoff))
        .values("pk")
    )
    texts = Comment.objects.filter(pk__in=due).update(text=EXPIRED_TEXT, text_hash=text_hash(EXPIRED_TEXT))
    # Never confirmed (user_sign_up makes them inactive; confirming activates and signs in).
    unconfirmed = User.objects.filter(
        is_active=False,
        last_login__isnull=True,
        date_joined__lt=now - datetime.timedelta(days=settings.UNCONFIRMED_ACCOUNT_DAYS),
    )
    accounts = 0
    for user in unconfirmed:
        account_delete(user=user)
        accounts += 1
    sign_in_cutoff = now - datetime.timedelta(days=settings.SIGN_IN_RECORD_DAYS)
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=sign_in_cutoff).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=sign_in_cutoff).delete()
    return {"comment texts": texts, "unconfirmed accounts": accounts, "sign-in records": attempts + failures}
