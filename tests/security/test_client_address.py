"""The client's address behind our proxies, and the request the edit history sees."""

import pytest
from django.http import HttpResponse
from simple_history.models import HistoricalRecords

from dystonia_portal.middleware import ClientAddressMiddleware, EditHistoryMiddleware, client_address


def address_seen(rf, forwarded_for: str) -> str:
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    return ClientAddressMiddleware(lambda request: HttpResponse(request.META["REMOTE_ADDR"]))(request).content.decode()


@pytest.mark.parametrize(
    ("count", "forwarded_for", "seen"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "203.0.113.99, 198.51.100.1", "198.51.100.1"),  # the left entry is the client's own claim
        (2, "203.0.113.99, 198.51.100.1", "203.0.113.99"),
        (2, "198.51.100.1", "127.0.0.1"),  # fewer entries than proxies: the connection's address
        (1, "not-an-address", "127.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
        (0, "198.51.100.1", "127.0.0.1"),  # no proxy: X-Forwarded-For is anybody's
    ],
)
def test_the_address_our_outermost_proxy_saw_is_the_clients(rf, settings, count, forwarded_for, seen):
    settings.TRUSTED_PROXY_COUNT = count
    assert address_seen(rf, forwarded_for) == seen


def test_only_short_header_values_are_remembered(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client_address.cache_clear()
    assert address_seen(rf, "198.51.100.7") == "198.51.100.7"
    assert client_address.cache_info().currsize == 1
    long_chain = ", ".join(f"203.0.113.{n}" for n in range(1, 40)) + ", 198.51.100.8"
    assert len(long_chain) > 200
    assert address_seen(rf, long_chain) == "198.51.100.8"  # still read, never kept
    assert client_address.cache_info().currsize == 1


@pytest.mark.parametrize(("method", "seen"), [("get", False), ("head", False), ("post", True), ("delete", True)])
def test_the_edit_history_sees_the_request_only_when_it_may_change_something(rf, method, seen):
    def view(request):
        return HttpResponse(str(getattr(HistoricalRecords.context, "request", None) is request))

    response = EditHistoryMiddleware(view)(getattr(rf, method)("/"))
    assert (response.content.decode() == "True") is seen
    assert getattr(HistoricalRecords.context, "request", None) is None  # nothing left behind
