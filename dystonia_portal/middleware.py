"""Request-wide wiring: a request id on every request and log line, the client's address behind
proxies, and the Content-Security-Policy header."""

import functools
import ipaddress
import re
import secrets
import time

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject, empty
from simple_history.middleware import HistoryRequestMiddleware

from .logs import request_id_var

FALLBACK_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# An incoming id is kept only when it cannot smuggle anything into a log line or header.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Tag each request with an id (the proxy's X-Request-ID if it is safe), and echo it back.

    The id reaches every log record made while the request runs (dystonia_portal.logs) and the
    gunicorn access log through the response header, so one request can be followed end to end.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers: that builds a dict of every header, which most requests never need.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if SAFE_REQUEST_ID.match(incoming) else secrets.token_hex(16)
        request.started_at = time.monotonic()
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class ClientAddressMiddleware:
    """Take the client's address from X-Forwarded-For, trusting only our own proxies' entries.

    With settings.TRUSTED_PROXY_COUNT = n, the n-th entry from the right is the address the
    outermost proxy we run saw; anything left of it was written by the client and is ignored.
    With 0 (no proxy), REMOTE_ADDR is already the client.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = settings.TRUSTED_PROXY_COUNT
        if count:
            forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
            # Remembered per header value (the same reader sends the same one each time), but
            # only short ones, so a client cannot fill the memory with long made-up chains.
            find = client_address if len(forwarded_for) <= 200 else client_address.__wrapped__
            address = find(forwarded_for, count)
            if address is not None:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


@functools.lru_cache(maxsize=2048)
def client_address(forwarded_for: str, count: int) -> str | None:
    """The address our outermost proxy saw, from an X-Forwarded-For value; None if it has none.

    Splitting the value and parsing the address was a twentieth of `/robots.txt` in process.
    """
    forwarded = [part.strip() for part in forwarded_for.split(",")]
    if len(forwarded) < count:
        return None
    candidate = forwarded[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return None
    return candidate


def messages_waiting(request) -> bool:
    """Whether this request may have messages to show, answered without making the storage when
    it was never made: nothing was added during the request, so only a message left by an
    earlier one can wait, and Django's default storage (FallbackStorage) always leaves the
    messages cookie then, even for messages too long for it, which wait in the session."""
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    if not isinstance(storage, SimpleLazyObject) or storage._wrapped is not empty:
        return True
    if settings.MESSAGE_STORAGE != FALLBACK_STORAGE:
        return True  # another storage may keep them elsewhere: make it and ask
    return CookieStorage.cookie_name in request.COOKIES


class LazyMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware, making a request's message storage only when something uses it.

    Django makes it (a cookie signer and two storages) for every request, and saves it on every
    response; most requests (a cached page, robots.txt, a static file's fallback) never look.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never used: nothing added, nothing read, nothing to save
        return super().process_response(request, response)


# Set per response by django-csp's decorators (@csp_exempt, @csp_update, @csp_replace, ...).
PER_RESPONSE_POLICY = frozenset(
    {
        "_csp_exempt",
        "_csp_exempt_ro",
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    }
)


@functools.cache
def site_policies() -> dict[str, str] | None:
    """The site-wide headers, built once from settings; None when some paths are excluded."""
    if _excludes_prefixes():
        return None
    return {HEADER: build_policy(), HEADER_REPORT_ONLY: build_policy(report_only=True)}


@receiver(setting_changed)
def _forget_built_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policies.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site-wide header built once instead of for every response.

    django-csp builds the header from settings on each response; for every response without a
    nonce or a per-view policy that is the same string each time, and building it was an
    eighth of what our middleware cost `/robots.txt` (benchmarks/middleware_profile.py). Responses with a
    nonce or their own policy, excluded paths, and DEBUG go through django-csp unchanged.
    """

    def process_response(self, request, response):
        policies = site_policies()
        if (
            policies is None
            or settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            # The decorators set these on the response itself.
            or not PER_RESPONSE_POLICY.isdisjoint(vars(response))
        ):
            return super().process_response(request, response)
        for header, policy in policies.items():
            if policy and header not in response:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _excludes_prefixes() -> bool:
    return any(
        (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    )


def EditHistoryMiddleware(get_response):  # noqa: N802 (a middleware factory, named as Django's are)
    """django-simple-history's request middleware, for the requests that may change something.

    It puts the request where the history records can find who made a change. A GET, HEAD or
    OPTIONS changes nothing here (the models with history are edited only by POSTs in the
    admin and the moderation views), so those skip the two thread-local writes it costs.
    """
    with_request = HistoryRequestMiddleware(get_response)

    def middleware(request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return get_response(request)
        return with_request(request)

    return middleware
