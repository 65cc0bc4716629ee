import secrets

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from dystonia_portal.csrf import SAFE_METHODS

from .backends import reading_session

# When the session's expiry was last moved on: epoch seconds for staff, an ISO date for readers.
STAFF_SEEN_AT = "accounts_staff_seen_at"
READER_SEEN_ON = "accounts_seen_on"
# A staff session's expiry is moved on at most this often, so a burst of requests is one write.
STAFF_REFRESH_SECONDS = 60
# The cookie holding a browser's write mark (WriteMarkMiddleware).
WRITE_MARK_COOKIE = "write_mark"


def session_expiry_refresh(session, user) -> None:
    """Move the session's end on from now: 2 hours for staff, 30 days for readers.

    Staff (editors, moderators, admins) can change what everyone reads, so their session ends
    after settings.STAFF_SESSION_IDLE_SECONDS without a request (to the minute: it is moved on
    at most once a minute). A reader's ends settings.SESSION_COOKIE_AGE after their last visit
    and is moved on at most once a day, so readers cost one session write a day, not one per
    request (SESSION_SAVE_EVERY_REQUEST would).
    """
    now = timezone.now()
    if user.is_staff:
        seen_at = session.get(STAFF_SEEN_AT)
        if seen_at is None or now.timestamp() - seen_at >= STAFF_REFRESH_SECONDS:
            session[STAFF_SEEN_AT] = int(now.timestamp())
            session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
    elif session.get(READER_SEEN_ON) != now.date().isoformat():
        session[READER_SEEN_ON] = now.date().isoformat()  # saved, so it lives SESSION_COOKIE_AGE from now


def on_sign_in(sender, request, user, **kwargs):
    """user_logged_in: a new session starts with the right lifetime (every way of signing in)."""
    if request is not None and hasattr(request, "session"):
        session_expiry_refresh(request.session, user)


class SessionIdleTimeoutMiddleware:
    """Sign people out after a while without a request: staff after 2 hours, readers after 30 days.

    Put it after AuthenticationMiddleware: it acts on the response, once any sign-in or
    sign-out has happened, and before SessionMiddleware saves the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A request that never looked at its session (a cached page) changes nothing and costs no query.
        if session is None or not session.accessed:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session_expiry_refresh(session, user)
        return response


def _user(request):
    """`request.user` as Django's middleware reads it, the account taken from the session's query.
    Once read, `request.user` is the account itself: every attribute of the lazy object costs a
    proxy call, and a member's page asks for about forty."""
    if not hasattr(request, "_cached_user"):
        with reading_session(request.session):
            request._cached_user = auth.get_user(request)
    request.user = request._cached_user
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the request's account read in the same query as its session
    (accounts.sessions): Django's `auth.get_user` still checks the session against the account."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


class WriteMarkMiddleware:
    """A write mark for each browser with a session, so that on PostgreSQL a request that cannot
    write may read its session from this process's memory (accounts.sessions) and still see
    every write the same browser has made.

    The mark is a random value in its own cookie, changed on every response to a request that
    may have written (any method but the safe ones, or one whose session changed), and
    the session is remembered under it: the browser's next request, on whichever process,
    reads its session, account and member version from the database again, so its own writes
    show at once, before any notification of them has arrived. A write made anywhere else
    reaches it when that notification does (conditions.versions_memo).

    Put it just after Django's SessionMiddleware: its answer is the last word on the session
    but for the saving, so it sees whether the session cookie is about to be set or deleted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if request.method in SAFE_METHODS:
            session.remembered_as = request.COOKIES.get(WRITE_MARK_COOKIE, "")
        response = self.get_response(request)
        if request.method in SAFE_METHODS and not session.modified:
            return response
        # As Django's SessionMiddleware will: the cookie deleted, or the session saved (a session
        # that is not empty has a key from its cookie or data written here).
        if session.is_empty():
            if settings.SESSION_COOKIE_NAME in request.COOKIES or WRITE_MARK_COOKIE in request.COOKIES:
                response.delete_cookie(
                    WRITE_MARK_COOKIE,
                    path=settings.SESSION_COOKIE_PATH,
                    domain=settings.SESSION_COOKIE_DOMAIN,
                    samesite=settings.SESSION_COOKIE_SAMESITE,
                )
        else:
            response.set_cookie(
                WRITE_MARK_COOKIE,
                secrets.token_urlsafe(12),
                max_age=settings.SESSION_COOKIE_AGE,
                path=settings.SESSION_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        return response
