"""Rate limits for write endpoints, and reader keys that never store an IP address.

One mechanism for every write (rating, comment, report, sign-up, sign-in ...):
`@rate_limit("rating")` counts requests per reader in a fixed window held in the
cache, and answers 429 with a sentence (an NHS.UK page, or JSON for in-place
requests) once the reader is over the limit set in settings.RATE_LIMITS.
"""

import functools
import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone


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


def is_allowed(scope: str, key: str, *, limit: int, period: int) -> bool:
    """Count one request for `key` in `scope`; False once it is over `limit` in the window."""
    window = int(timezone.now().timestamp()) // period
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=period + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= limit


def too_many_requests(request, *, period: int):
    minutes = max(1, round(period / 60))
    message = (
        f"You have done this too many times in a short while. Please wait {minutes} "
        f"minute{'s' if minutes != 1 else ''} and try again."
    )
    if wants_json(request):
        response = JsonResponse({"error": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(period)
    return response


def rate_limit(scope: str, *, methods=("POST",), key=reader_key):
    """Limit a view per reader to settings.RATE_LIMITS[scope] = (requests, seconds)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                limit, period = settings.RATE_LIMITS[scope]
                if not is_allowed(scope, key(request), limit=limit, period=period):
                    return too_many_requests(request, period=period)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
