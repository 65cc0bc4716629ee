"""Security helpers that settings point at by dotted path."""

import ipaddress

from django.conf import settings

from .ratelimit import keyed_hash

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
