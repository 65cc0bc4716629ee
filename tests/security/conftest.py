"""What the attack tests share: every URL in the URLconf with its parameters filled, the hostile
corpus, and a check that a page carries no markup smuggled in from user input."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import URLResolver, get_resolver, reverse

# Each path parameter used anywhere in the URLconf, and a value to fill it with. A new
# parameter name fails test_every_url_parameter_has_a_value, so no endpoint is skipped unseen.
PARAMETER_VALUES = {
    "slug": "dystonia",
    "subpage_slug": "symptoms",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "pk": "1",
    "app_label": "conditions",
    "url": "anything/",
    "uidb64": "MQ",
    "token": "set-password",
    "comment_id": "1",
    "page_id": "1",
    "decision": "remove",
    "guide_id": "1",
    "revision_id": "1",
}

# Appears in every markup payload, so an unescaped copy can be found wherever it lands.
MARKER = "xss1337"

HOSTILE_STRINGS = [
    # Script tags and event handlers
    f"<script>alert('{MARKER}')</script>",
    f"<ScRiPt src=//evil.example/{MARKER}.js></ScRiPt>",
    f'"><script>alert("{MARKER}")</script>',
    f"'><img src=x onerror=alert('{MARKER}')>",
    f"<img src=x onerror=alert('{MARKER}')>",
    f"<body onload=\"alert('{MARKER}')\">",
    f"<div onmouseover=alert('{MARKER}')>hover</div>",
    f"\" autofocus onfocus=\"alert('{MARKER}')",
    f"<details open ontoggle=alert('{MARKER}')>",
    # javascript: and data: URLs
    f"javascript:alert('{MARKER}')",
    f"<a href=\"javascript:alert('{MARKER}')\">click</a>",
    f"<a href=\"JaVaScRiPt&colon;alert('{MARKER}')\">click</a>",
    f"<iframe src=\"data:text/html,<script>alert('{MARKER}')</script>\"></iframe>",
    # SVG and CSS payloads
    f"<svg onload=alert('{MARKER}')>",
    f"<svg><script>alert('{MARKER}')</script></svg>",
    f"<svg><a xlink:href=\"javascript:alert('{MARKER}')\"><text>x</text></a></svg>",
    f"<style>body{{background:url('javascript:alert(\"{MARKER}\")')}}</style>",
    f"<p style=\"background-image:url(javascript:alert('{MARKER}'))\">{MARKER}</p>",
    f"<link rel=stylesheet href=//evil.example/{MARKER}.css>",
    f"</textarea><script>alert('{MARKER}')</script>",
    f"</title><script>alert('{MARKER}')</script>",
    f"<object data=\"javascript:alert('{MARKER}')\"></object>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARKER}')>",
    # Template syntax: must be shown as typed, never evaluated
    "{{ 7|add:1330 }}",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% load static %}{% static 'x' %}",
    "${7*191}",
    # SQL fragments
    "' OR '1'='1",
    "'; DROP TABLE conditions_page; --",
    "1 UNION SELECT username, password FROM auth_user --",
    "%' AND 1=0 UNION SELECT NULL --",
    # Control characters, NUL, odd Unicode
    "before\x00after",
    "line\r\nSet-Cookie: injected=1",
    "\x1b[31mred\x1b[0m\x07\x08",
    "\u202eevil\u202c right-to-left override",
    "zero\u200bwidth\ufeff space",
    "emoji 🧠 and accents éàü",
    # Very long
    "a" * 10_000,
    ("<b>" + MARKER + "</b>") * 2_000,
]


def iter_url_patterns(patterns=None, namespace=""):
    """(qualified name, pattern) for every URL the project routes, through every include().

    An unnamed pattern gives just its namespace ("admin:", or "" at the top level).
    """
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from iter_url_patterns(entry.url_patterns, inner)
        else:
            yield namespace + (entry.name or ""), entry


def url_parameters(pattern):
    """Names of the keyword parameters in a pattern, and how many positional ones it has."""
    regex = pattern.pattern.regex
    names = list(regex.groupindex)
    return names, regex.groups - len(names)


def every_url():
    """Each named URL in the project, reversed with PARAMETER_VALUES: [(name, path)]."""
    urls = []
    for name, pattern in iter_url_patterns():
        if name == "" or name.endswith(":"):
            continue
        names, positional = url_parameters(pattern)
        if not set(names) <= PARAMETER_VALUES.keys():
            continue  # test_every_url_parameter_has_a_value names it
        if positional:
            urls.append((name, reverse(name, args=["1"] * positional)))
        else:
            urls.append((name, reverse(name, kwargs={key: PARAMETER_VALUES[key] for key in names})))
    return urls


class InjectionFinder(HTMLParser):
    """Finds markup that came from a hostile string rather than from our templates.

    A payload shown escaped is text: the marker then sits in text nodes or in a form field's
    value. Anywhere else (a tag or attribute it created, a script or style body, a
    javascript: link) means it was injected.
    """

    SAFE_VALUE_ATTRIBUTES = {"value", "content", "aria-label", "title", "alt", "placeholder"}
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.raw_text_tag = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if MARKER in name or name.startswith("on") and MARKER in value:
                self.found.append(f"<{tag} {name}={value[:80]!r}>")
            elif MARKER in value and name not in self.SAFE_VALUE_ATTRIBUTES:
                relative = value.strip().lower().startswith(("/", "?", "#", "https://", "http://"))
                if not (name in self.URL_ATTRIBUTES and relative):
                    self.found.append(f"<{tag} {name}={value[:80]!r}>")
        if tag in {"script", "style"}:
            self.raw_text_tag = tag

    def handle_endtag(self, tag):
        if tag == self.raw_text_tag:
            self.raw_text_tag = None

    def handle_data(self, data):
        if self.raw_text_tag and MARKER in data:
            self.found.append(f"<{self.raw_text_tag}> {data[:80]!r}")


def injected_markup(html: str) -> list:
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def assert_shown_safely(response, payload, *, secret_key):
    """A response to hostile input: never a server error, never live markup, never a secret."""
    assert response.status_code < 500, response.status_code
    body = response.content.decode(errors="replace")
    assert injected_markup(body) == []
    if "<" in payload and MARKER in payload:
        # Escaped, "<" becomes "&lt;": the raw run from the first tag to the marker never appears.
        start = payload.index("<")
        end = payload.index(MARKER, start) + len(MARKER) if MARKER in payload[start:] else len(payload)
        assert payload[start:end] not in body
    assert secret_key not in body
    # Template syntax is shown as typed, never evaluated ({{ 7|add:1330 }} and ${7*191} make 1337).
    # A row's id in a link (/page/1337/change/) is not evaluation: on PostgreSQL ids run on across tests.
    assert "1337" not in re.sub(r"/1337/", "/", body.replace(MARKER, "").replace("add:1330", ""))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests sign in hundreds of times; a slow hash proves nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def quick_comments(settings):
    """Comments post at once (no minimum typing time) and email stays in memory."""
    settings.COMMENT_MIN_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def published_comment(db, condition, other_commenter, quick_comments):
    from comments.services import comment_post

    comment, _ = comment_post(page=condition, author=other_commenter, text="Botox helped me.")
    return comment
