"""Cross-site request forgery: Fetch Metadata for every form, and Django's token as well once signed in.

A signed-out reader's page must be the same bytes for every such reader, so a standard HTTP
cache can serve it (conditions.page_cache): their forms (rating, feedback, report, sign-in,
sign-up, password reset) carry no per-reader token. What protects those forms instead is
what the browser says about where a request came from, as Go 1.25's
net/http.CrossOriginProtection and the OWASP CSRF cheat sheet describe:

1. GET, HEAD and OPTIONS pass (they never write);
2. `Sec-Fetch-Site: same-origin` or `none` (the reader typed the address) passes, and any
   other value (`cross-site`, `same-site`) is refused;
3. without that header (browsers from before 2020), an `Origin` header must name this host;
4. with neither header the request did not come from a browser on another site (browsers
   send one or the other with every cross-origin POST), so it passes.

An origin in settings.CSRF_TRUSTED_ORIGINS passes steps 2 and 3. A signed-in reader, who
has the most to lose, must also send Django's token: this middleware sits just before
Django's CsrfViewMiddleware and lets it check signed-in requests as it always has (so its
system checks still apply too). django-modern-csrf does steps 1 to 4 but drops the token for
everyone; we keep it for signed-in forms, which are never cached.
"""

import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseForbidden
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import render_to_string
from django.urls import get_callable
from django.utils.functional import SimpleLazyObject

logger = logging.getLogger("django.security.csrf")

REASON_CROSS_SITE = "The form was sent from another website."
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def cross_origin_refusal(request) -> str | None:
    """Why this request must be refused as cross-origin, or None if it may go on."""
    if request.method in SAFE_METHODS:
        return None
    origin = request.headers.get("Origin", "")
    if origin and origin in settings.CSRF_TRUSTED_ORIGINS:
        return None
    site = request.headers.get("Sec-Fetch-Site", "")
    if site:
        return None if site in ("same-origin", "none") else REASON_CROSS_SITE
    if not origin:
        return None
    # "null" (a sandboxed frame, a privacy-minded redirect) has no host and is refused.
    if urlsplit(origin).netloc.lower() != request.get_host().lower():
        return REASON_CROSS_SITE
    return None


def signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class CrossOriginProtectionMiddleware:
    """Refuse cross-origin writes; spare signed-out readers Django's token check, which follows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if getattr(callback, "csrf_exempt", False) or request.method in SAFE_METHODS:
            return None
        reason = cross_origin_refusal(request)
        if reason is not None:
            logger.warning("Forbidden (%s): %s", reason, request.path, extra={"status_code": 403, "request": request})
            return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=reason)
        if not signed_in(request):
            # Their forms carry no token; what the browser said about the origin is enough.
            request.csrf_processing_done = True
        return None


def csrf_token(request) -> dict:
    """Signed-out readers' forms carry no token (a page must be the same for all of them);
    signed-in readers' forms carry this request's one token (`form_token`)."""
    if signed_in(request):
        return {"csrf_token": SimpleLazyObject(lambda: form_token(request))}
    return {"csrf_token": "NOTPROVIDED"}


def form_token(request) -> str:
    """The CSRF token for this request's forms, as `get_token` gives it, but masked once per
    request (Django masks the secret afresh on every call, and a page with four forms, sign
    out, rating, feedback and comment, asked four times) and more cheaply (`masked`). A
    rotated secret (signing in) gets a new token."""
    secret = request.META.get("CSRF_COOKIE")
    remembered = getattr(request, "_form_token", None)
    if secret is not None and remembered is not None and remembered[0] == secret:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token says
        return remembered[1]
    token = masked(secret) if secret is not None else None
    if token is None:  # no secret yet (or not one Django made): Django's own, with a new cookie
        token = get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token says
    request._form_token = (request.META["CSRF_COOKIE"], token)
    return token


_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
# Random bytes at or above this are dropped, so that every character is as likely as any other.
_UNBIASED = 256 - 256 % len(_CHARS)


def masked(secret: str) -> str | None:
    """`secret` masked exactly as Django's get_token masks it (a random mask, then each character
    of the secret moved on by the mask's, which CsrfViewMiddleware undoes), so each page's token
    differs (BREACH). Django draws the mask one character at a time from the system's random
    source, 32 reads of it for each token, a tenth of a member's whole page; here it comes from
    one read. None for a secret Django did not make."""
    if len(secret) != CSRF_SECRET_LENGTH or not all(char in _INDEX for char in secret):
        return None
    mask = []
    while len(mask) < CSRF_SECRET_LENGTH:
        drawn = secrets.token_bytes(2 * CSRF_SECRET_LENGTH)
        mask += [_CHARS[byte % len(_CHARS)] for byte in drawn if byte < _UNBIASED]
    mask = mask[:CSRF_SECRET_LENGTH]
    cipher = [_CHARS[(_INDEX[char] + _INDEX[key]) % len(_CHARS)] for char, key in zip(secret, mask, strict=True)]
    return "".join(mask) + "".join(cipher)


def csrf_failure(request, reason=""):
    """The 403 for a refused form, saying why in a sentence (settings.CSRF_FAILURE_VIEW)."""
    html = render_to_string("403_csrf.html", {"cross_site": reason == REASON_CROSS_SITE}, request=request)
    return HttpResponseForbidden(html)
