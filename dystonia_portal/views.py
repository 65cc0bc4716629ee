"""Views that belong to the project rather than to a feature: the site's own pages (cookies,
accessibility, contact), the health check, and the error page."""

import functools
import sys

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

from accounts.middleware import WRITE_MARK_COOKIE

# What crawlers may not index: pages made per query or per reader, and the forms' endpoints.
ROBOTS_RULES = "User-agent: *\nDisallow: /search/\nDisallow: /ratings/\nDisallow: /comments/\n"


@require_safe
def robots_txt(request):
    """robots.txt, pointing at the sitemap. A string rather than a template: crawlers ask for it
    often, and `make bench` uses it as the floor our middleware adds to (benchmarks/middleware_profile.py)."""
    return HttpResponse(_robots_text(request.scheme, request.get_host()), content_type="text/plain; charset=utf-8")


@functools.lru_cache(maxsize=16)
def _robots_text(scheme: str, host: str) -> str:
    """The text for one scheme and host (ALLOWED_HOSTS keeps hosts few): the same every time."""
    return f"{ROBOTS_RULES}Sitemap: {scheme}://{host}{reverse('sitemap')}\n"


@never_cache
@require_safe
def healthz(request):
    """200 when the site can reach its database, 503 with a short reason when it cannot.

    For load balancers and uptime checks: no session, no template, one query.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # django.request logs the 503 (and mails ADMINS); the reason stays short and generic.
        return JsonResponse({"status": "error", "reason": "database unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


# How long a reader (or a cache in front) should wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500: a styled 503 with Retry-After when the database cannot be reached, else the 500 page.

    Django calls this for an exception raised anywhere in the request (any middleware, the
    view, a template), so a stopped PostgreSQL never shows as a 500. nginx in front serves
    its last good copy of a page instead, while it can (deploy/nginx.conf).
    """
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)):
        return django_server_error(request)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def duration_words(seconds: int) -> str:
    """A cookie's lifetime as people say it: "2 hours", "30 days", "52 weeks"."""
    for unit, size in (("week", 7 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0 and (unit != "week" or seconds >= 8 * 7 * 86400):
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def cookies(request):
    """The cookies page: every cookie the site sets, named and timed from the settings that set them."""
    context = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_lifetime": duration_words(settings.SESSION_COOKIE_AGE),
        "staff_session_lifetime": duration_words(settings.STAFF_SESSION_IDLE_SECONDS),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_lifetime": duration_words(settings.CSRF_COOKIE_AGE),
        "messages_cookie": CookieStorage.cookie_name,
        "write_mark_cookie": WRITE_MARK_COOKIE,
    }
    return render(request, "cookies.html", context)


def accessibility(request):
    return render(request, "accessibility.html", {"contact_email": settings.CONTACT_EMAIL})


def contact(request):
    return render(request, "contact.html", {"contact_email": settings.CONTACT_EMAIL})
