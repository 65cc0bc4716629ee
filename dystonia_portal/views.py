"""Views that belong to the project rather than to a feature: the health check, and the error page."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

# What crawlers may not index: pages made per query or per reader, and the forms' endpoints.
ROBOTS_RULES = "User-agent: *\nDisallow: /search/\nDisallow: /ratings/\nDisallow: /comments/\n"


@require_safe
def robots_txt(request):
    """robots.txt, pointing at the sitemap. A string rather than a template: crawlers ask for it
    often, and `make bench` uses it as the floor our middleware adds to (benchmarks/middleware_profile.py)."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(f"{ROBOTS_RULES}Sitemap: {sitemap}\n", content_type="text/plain; charset=utf-8")


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
