"""Rate limits for write endpoints, and reader keys that never store an IP address.

One mechanism for every write (rating, comment, report, sign-up, sign-in ...):
`@rate_limit("rating")` counts requests per reader in a fixed window (ratelimits.counters:
atomic, in the database or Redis, never evicted while live), and answers 429 with a
sentence (an NHS.UK page, or JSON for in-place requests) and `Retry-After` (the seconds
left in the window) once the reader is over the limit set in settings.RATE_LIMITS.
"""

import functools
import hashlib
import hmac
import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from ratelimits.counters import counter_increment


def keyed_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA256 with the secret key): comparable, not reversible."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def address_hash(request) -> str:
    """The client's address as a keyed hash, for counting without storing the address."""
    return keyed_hash(request.META.get("REMOTE_ADDR", ""))[:40]


def address_key(request) -> str:
    return "addr:" + address_hash(request)


def session_key(request) -> str:
    """The anonymous reader's session, created if needed, as a keyed hash."""
    if request.session.session_key is None:
        request.session.save()
    return keyed_hash(request.session.session_key)[:40]


def reader_key(request) -> str:
    """Who is asking: the account when signed in, otherwise the client's address.

    Sessions cost a bot nothing to mint, so anonymous limits count per address.
    """
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return address_key(request)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def wait_sentence(seconds: int) -> str:
    """How long to wait, in whole minutes rounded up: "1 minute", "10 minutes"."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many_requests(request, *, retry_after: int):
    message = (
        f"You have done this too many times in a short while. Please wait {wait_sentence(retry_after)} and try again."
    )
    if wants_json(request):
        response = JsonResponse({"error": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(scope: str, *, methods=("POST",), key=reader_key):
    """Limit a view per reader to settings.RATE_LIMITS[scope] = (requests, seconds)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                limit, period = settings.RATE_LIMITS[scope]
                hit = counter_increment(key=f"{scope}:{key(request)}", period=period)
                if hit.count > limit:
                    return too_many_requests(request, retry_after=hit.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
