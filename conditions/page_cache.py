"""The condition page's cache design, all of it: who is a shared reader, the keys, the layers, the headers.

Two layers in Django, both in the per-worker "fragments" cache (settings.CACHES):

1. The whole page, for a shared reader (`reads_shared_page`): no session, no message waiting,
   not signed in, on the page's own address. Every such reader gets the same bytes, since
   signed-out readers' forms carry no CSRF token (dystonia_portal.csrf protects them with
   Fetch Metadata instead). So an HTTP cache in front (deploy/nginx) may keep the page too:
   `CacheHeadersMiddleware` marks it `public` for a few seconds. Once a page is kept, that
   middleware answers a shared reader's request for its address itself (`kept_page`),
   before the session, CSRF and authentication middleware and the URL resolver, which have
   nothing to do for such a reader; the page's versions still decide, as in the view.
2. Fragments for everyone else. The page itself is kept around its readers' own parts
   (`render_frame`): rendered once, the same for every reader, with holes (`{% hole %}`)
   where the header's account links, waiting messages, the rating block and the comment
   thread go, each rendered for the reader as it is served. Inside those, the parts every
   reader sees alike (the guide's content, in the template's `{% cache %}` blocks), and the
   rating block and comment thread as a signed-out reader sees them (`shares_fragments`).
   Signed-in readers share fragments too, apart from what is theirs: the rating block for
   their score (`get_or_build_with_token` keeps a slot for their CSRF token, filled as it is
   served) and the page of comments, each comment rendered once. What is one member's own
   (their score, which comments they reported, their Change and Delete links, their comments
   waiting for a moderator) is kept for them alone under `member_key`, with their own
   version, which database triggers move on every write to any of it
   (accounts.MemberVersion); their tokens are slots there too. A confirmation and a form sent
   back with errors are never kept. What the page reads to build all this (the page with the
   rows it joins, the guide's family) is kept the same way, under the versions it carries.

Every key carries the versions of what it shows (conditions.page_lookup): counter rows that
database triggers move in the same transaction as every write, so nothing cached is ever
stale and nothing is shared that is one reader's.
"""

import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.template.context import make_context
from django.template.loader import get_template
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty

from dystonia_portal.csrf import form_token

FRAGMENTS = "fragments"
# The fragments' lifetime: only to free memory, since a change moves the key.
FRAGMENT_SECONDS = 86400


def is_shared_reader(request) -> bool:
    """A reader with nothing of their own on any page: no session, no message waiting, not signed in."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)  # absent when a middleware answered before authentication
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return True  # AuthenticationMiddleware's user, still unread: with no session, nobody is signed in
    return not user.is_authenticated


def reads_own_address(request) -> bool:
    """A GET for a page's own address (or one of its comment pages), not a form sent back to it."""
    if not request.META.get("QUERY_STRING"):
        return request.method in ("GET", "HEAD")  # the usual case, without parsing an empty query
    number = request.GET.get("comments-page", "1")
    return (
        request.method in ("GET", "HEAD")
        # Only the addresses pages link to, so made-up query strings cannot fill the cache.
        and set(request.GET) <= {"comments-page"}
        and number.isdigit()
        and len(number) <= 4
    )


def reads_shared_page(request) -> bool:
    """A shared reader asking for a page's own address (or one of its comment pages)."""
    return reads_own_address(request) and is_shared_reader(request)


def shares_fragments(request) -> bool:
    """Whether this reader sees the rating block and comment thread as every signed-out reader does."""
    return not request.user.is_authenticated


def key(name: str, page, *version_names: str, extra: str = "", owner=None) -> str | None:
    """The key of fragment `name` of `page` (or of `owner`, a page whose versions `page` carries),
    with the named versions; None if one is missing (that part is then never cached)."""
    versions = getattr(page, "versions", None)
    if versions is None or not all(versions[version] for version in version_names):
        return None
    parts = ":".join(versions[version] for version in version_names)
    return f"{name}:{(owner or page).pk}:{parts}:{extra}"


def member_key(name: str, page, member: str | None, *version_names: str, extra: str = "") -> str | None:
    """`key` for a fragment that is one member's own: `member` is their own version
    (accounts.models.member_version), which every write to what is theirs moves; None if it or
    a named version is missing (that part is then never cached)."""
    if member is None:
        return None
    return key(name, page, *version_names, extra=f"{member}:{extra}")


def site_member_key(name: str, member: str | None) -> str | None:
    """The key of fragment `name` that is one member's own on every page (the header's account
    links): `member` is their own version, as for `member_key`; None when nobody is signed in."""
    return f"{name}:{member}" if member is not None else None


def page_key(request, page, *, preview: bool, address: str | None = None) -> str | None:
    """The whole page's key: its address (`_address`, if not given) and every version it shows."""
    return key("conditions:page", page, *page.versions, extra=f"{preview}:{address or _address(request)}")


def frame_key(request, page, *, preview: bool) -> str | None:
    """The key of the page around its holes (`render_frame`): its address and every version it
    shows; None unless the request is for the page's own address (`reads_own_address`)."""
    if not reads_own_address(request):
        return None
    return key("conditions:frame", page, *page.versions, extra=f"{preview}:{_address(request)}")


def _address(request) -> str:
    return f"{request.scheme}://{request.get_host()}{request.get_full_path()}"


def content_key(page, *, preview: bool) -> str | None:
    """What the template's `{% cache %}` blocks vary on: the guide's content (drafts apart)."""
    version = page.versions["content_version"]
    return f"{version}:{preview}" if version else None


def get(cache_key: str | None):
    return caches[FRAGMENTS].get(cache_key) if cache_key else None


def put(cache_key: str | None, value) -> None:
    if cache_key:
        caches[FRAGMENTS].set(cache_key, value, FRAGMENT_SECONDS)


# Where each address (path and query) whose whole page this process has kept finds its
# page's versions (`keep_page`): so `kept_page` can answer a shared reader before the URL
# resolver runs. Only a shortcut to the view's own lookup: what is served is still chosen
# by the versions found for the request, under the same key the view uses.
_kept_addresses: dict[str, Callable] = {}
KEPT_ADDRESSES = 10_000  # emptied when full: at worst, those addresses go through the view again


def keep_page(request, cache_key: str | None, content: bytes, find_versions: Callable) -> None:
    """Keep a shared reader's whole page (`page_key`), and how its address finds its versions
    (`find_versions()`: the page's versions as the view reads them, or Http404)."""
    if not cache_key:
        return
    put(cache_key, content)
    if len(_kept_addresses) >= KEPT_ADDRESSES:
        _kept_addresses.clear()
    _kept_addresses[request.get_full_path()] = find_versions


def kept_page(request) -> HttpResponse | None:
    """A shared reader's whole page, if this process keeps it at the key the view would use;
    None to let the request through to the view (which then reuses the versions read here)."""
    find_versions = _kept_addresses.get(request.get_full_path()) if request.method in ("GET", "HEAD") else None
    if find_versions is None or not reads_shared_page(request):
        return None
    address = _address(request)  # the host checked first, as CommonMiddleware would
    try:
        versions = find_versions()
    except Http404:
        return None  # gone or moved: the view says so
    content = get(page_key(request, versions, preview=False, address=address))
    if content is None:
        request.shared_page_versions = versions
        return None
    response = HttpResponse(content)
    response["Content-Length"] = str(len(content))  # as CommonMiddleware, inside, would add
    return response


def versions_read(request):
    """The versions `kept_page` read for this request's page, if it read them and found no page kept."""
    return getattr(request, "shared_page_versions", None)


@receiver(setting_changed)
def _forget_kept_addresses(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _kept_addresses.clear()  # the addresses may mean other pages now


def get_or_build(cache_key: str | None, build):
    """The cached value at `cache_key`, or `build()` stored there (always built when the key is None)."""
    value = get(cache_key)
    if value is None:
        value = build()
        put(cache_key, value)
    return value


def get_or_build_with_token(cache_key: str | None, request, build, values: dict | None = None) -> str:
    """`get_or_build_with_slots` for HTML that is the same every time but for this reader's CSRF
    token, filled in exactly as `{% csrf_token %}` would have written it (and any other `values`)."""
    return get_or_build_with_slots(cache_key, build, {"csrf_token": lambda: form_token(request), **(values or {})})


def get_or_build_with_slots(cache_key: str | None, build, values: dict) -> str:
    """Like `get_or_build`, for HTML every reader sees alike but for a few values of their own.

    `values` maps a template context name to a function giving this reader's value for it.
    `build(context)` renders with `context` added to its template context: it is built once
    with a random stand-in for each value, made afresh for that build so no stored text can
    hold one, and kept split where the stand-ins were. Each reader gets the pieces joined with
    their own values, each worked out only if the HTML uses it. With no key, `build({})`.
    """
    if cache_key is None:
        return build({})
    pieces = get(cache_key)
    if pieces is None:
        stand_ins = {secrets.token_hex(16): name for name in values}
        pieces = _split(build({name: stand_in for stand_in, name in stand_ins.items()}), stand_ins)
        put(cache_key, pieces)
    head, slots = pieces
    if not slots:
        return head
    own = {name: values[name]() for name in {name for name, _ in slots}}
    return head + "".join(own[name] + text for name, text in slots)


def render_frame(request, template_name: str, context: dict, cache_key: str | None) -> str:
    """`template_name` rendered for this reader, the page around their own parts kept at `cache_key`.

    The reader's own parts are holes (`{% hole %}`, conditions.templatetags.page_holes). The
    page is rendered once with a fresh random stand-in in each hole ("frame_stand_in" in the
    template context) and kept split there, the same for every reader; each reader gets it
    with each hole's template rendered in its place, in page order, with the page's context
    and the context processors run once. With no key, the page is rendered whole.
    """
    template = get_template(template_name)
    if cache_key is None:
        return template.render(context, request)
    pieces = get(cache_key)
    if pieces is None:
        stand_ins = {}

        def stand_in(name):
            token = secrets.token_hex(16)
            stand_ins[token] = name
            return token

        pieces = _split(template.render({**context, "frame_stand_in": stand_in}, request), stand_ins)
        put(cache_key, pieces)
    head, holes = pieces
    if not holes:
        return head
    page = template.template  # the engine's own Template, as `{% include %}` renders them
    reader_context = make_context(context, request)
    with reader_context.bind_template(page):
        parts = [page.engine.get_template(name).render(reader_context) + text for name, text in holes]
    return head + "".join(parts)


def _split(html: str, stand_ins: dict) -> tuple[str, tuple]:
    """`html` split where the stand-ins (mapped to names) were: text, then (name, text) for each found, in order."""
    if not stand_ins:
        return html, ()
    parts = re.split(f"({'|'.join(stand_ins)})", html)
    return parts[0], tuple((stand_ins[parts[i]], parts[i + 1]) for i in range(1, len(parts), 2))


class CacheHeadersMiddleware:
    """Tell HTTP caches what they may keep: a shared reader's page for a few seconds, nothing of anyone else's.

    A successful GET for a shared reader that sets no cookie is `public` (so nginx, a CDN or
    the browser may keep it for settings.PAGE_CACHE_SECONDS, serve it stale while fetching a
    fresh copy, and serve it stale for a day if the site is down). Any response to a reader
    with a session is `private, no-store`. Every page varies on Cookie.

    It also answers a shared reader's request for a page this process keeps whole
    (`kept_page`), so such a request never reaches the middleware inside it or the URL resolver.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = kept_page(request) or self.get_response(request)
        if response.streaming or response.has_header("Cache-Control"):
            return response  # static files and views that chose their own
        if response.has_header("Vary"):
            patch_vary_headers(response, ["Cookie"])
        else:
            response["Vary"] = "Cookie"  # what patch_vary_headers would write, without parsing
        if not is_shared_reader(request) or response.cookies:
            response["Cache-Control"] = "private, no-store"
        elif request.method in ("GET", "HEAD") and response.status_code == 200:
            response["Cache-Control"] = (
                f"public, max-age={settings.PAGE_CACHE_SECONDS}, "
                f"stale-while-revalidate={settings.PAGE_CACHE_STALE_SECONDS}, stale-if-error=86400"
            )
        return response
