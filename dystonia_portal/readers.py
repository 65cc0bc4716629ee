"""Who the reader is, without storing who they are.

A signed-in reader is their account. An anonymous reader is a keyed hash of their session
(for what they did: a rating, a report) or of their address (for counting: rate limits,
reports from one place, the sign-in lockout). The hashes are comparable, never reversible,
so no IP address or session key is ever stored. Ratings, comments, the rate limiter and the
lockout all ask this module, so every part of the site means the same reader.
"""

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA256 with the secret key): comparable, not reversible."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def address_hash(request) -> str:
    """The client's address as a keyed hash, for counting without storing the address."""
    return keyed_hash(request.META.get("REMOTE_ADDR", ""))[:40]


def session_key(request) -> str:
    """The anonymous reader's session, created if needed, as a keyed hash."""
    if request.session.session_key is None:
        request.session.save()
    return keyed_hash(request.session.session_key)[:40]


def existing_session_key(request) -> str:
    """The anonymous reader's session hash, or "" for an account or a reader with no session yet.

    Never starts a session, so merely reading a page leaves nothing behind.
    """
    if request.user.is_authenticated or request.session.session_key is None:
        return ""
    return session_key(request)


def reader_lookup(request, *, create: bool) -> dict | None:
    """How to find what this reader did: by account, or by a keyed hash of their session.

    Without `create`, an anonymous reader who has no session yet gets None, so
    merely reading a page never creates a session.
    """
    if request.user.is_authenticated:
        return {"user": request.user}
    if not create and request.session.session_key is None:
        return None
    return {"session_hash": session_key(request)}


def address_key(request) -> str:
    """The client's address, for counting: a limit per address, whoever is asking."""
    return "addr:" + address_hash(request)


def reader_key(request) -> str:
    """Who is asking, for counting: the account when signed in, otherwise the client's address.

    Sessions cost a bot nothing to mint, so anonymous limits count per address.
    """
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return address_key(request)


def session_reader_key(request) -> str:
    """Who is asking, for counting what each person may do once per page (a rating): the
    account when signed in, otherwise their session (started if needed).

    Not the address: a hospital ward, school or office shares one, and each reader there may
    rate. A session costs a bot nothing, so such a limit needs a per-address ceiling beside it
    (`address_key`).
    """
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return "session:" + session_key(request)


def wants_json(request) -> bool:
    """Whether the reader's page asked in place (fetch) and reads the answer as JSON."""
    return "application/json" in request.headers.get("Accept", "")
