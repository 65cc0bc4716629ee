"""Request-wide wiring: a request id on every request and log line, and the client's address behind proxies."""

import ipaddress
import re
import time
import uuid

from django.conf import settings

from .logs import request_id_var

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
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
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
            forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
            if len(forwarded) >= count:
                candidate = forwarded[-count]
                try:
                    ipaddress.ip_address(candidate)
                except ValueError:
                    pass
                else:
                    request.META["REMOTE_ADDR"] = candidate
        return self.get_response(request)
