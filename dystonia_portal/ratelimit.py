"""Rate limits for write endpoints, counted per reader (dystonia_portal.readers).

One mechanism for every write (rating, comment, report, sign-up, sign-in ...):
`@rate_limit("rating")` counts requests per reader in a fixed window (ratelimits.counters:
atomic, in the database or Redis, never evicted while live), and answers 429 with a
sentence (an NHS.UK page, or JSON for in-place requests) and `Retry-After` (the seconds
left in the window) once the reader is over the limit set in settings.RATE_LIMITS.
"""

import functools
import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from ratelimits.counters import counter_increment

from .readers import reader_key, wants_json


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
