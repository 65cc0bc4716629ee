"""Security helpers that settings point at by dotted path."""

import ipaddress

from .ratelimit import keyed_hash


def hashed_client_address(request) -> str:
    """The client's address as a keyed hash, written as an IPv6 unique-local address.

    django-axes keeps an address per failed sign-in in a GenericIPAddressField (PostgreSQL's
    inet). This gives it a value of that shape that is stable per client, so lockouts work,
    but is not the address and cannot be turned back into it without the secret key.
    """
    digest = keyed_hash(request.META.get("REMOTE_ADDR", ""))
    # fd00::/8 is the unique-local range: never routable, so never mistaken for a real client.
    return str(ipaddress.IPv6Address(bytes.fromhex("fd" + digest[:30])))
