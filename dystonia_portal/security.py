"""Security helpers that settings point at by dotted path."""

import ipaddress
import math

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from .readers import keyed_hash

USERNAME_MAX_LENGTH = 150  # django.contrib.auth's User.username


def hashed_client_address(request) -> str:
    """The client's address as a keyed hash, written as an IPv6 unique-local address.

    django-axes keeps an address per failed sign-in in a GenericIPAddressField (PostgreSQL's
    inet). This gives it a value of that shape that is stable per client, so lockouts work,
    but is not the address and cannot be turned back into it without the secret key.
    """
    digest = keyed_hash(request.META.get("REMOTE_ADDR", ""))
    # fd00::/8 is the unique-local range: never routable, so never mistaken for a real client.
    return str(ipaddress.IPv6Address(bytes.fromhex("fd" + digest[:30])))


def axes_username(request, credentials=None):
    """The username a sign-in attempt is counted against, cut to what a username can be.

    django-axes stores it in a 255-character column; a hostile 10,000-character username
    would otherwise make PostgreSQL refuse the row and the sign-in page fail with a 500.
    No account's username is longer than the User model allows, so cutting loses nothing.
    """
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    source = credentials if credentials else getattr(request, "data", request.POST)
    value = source.get(field)
    if value is None:
        return None
    return str(value).replace("\x00", "")[:USERNAME_MAX_LENGTH]


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page (429), with `Retry-After`: the seconds left in the cool-off.

    The cool-off runs from the pair's latest failure, as axes counts it (AXES_COOLOFF_TIME).
    """
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit
    from axes.models import AccessAttempt

    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials) or ""
    latest = (
        AccessAttempt.objects.filter(username=username, ip_address=getattr(request, "axes_ip_address", None))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    ends = (latest or timezone.now()) + cool_off
    context = {"failure_limit": get_failure_limit(request, credentials), "username": username}
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(max(1, math.ceil((ends - timezone.now()).total_seconds())))
    return response
