"""Hostile strings into every text input: never a 500, and wherever they are shown, escaped."""

import pytest
from django.conf import settings

from .conftest import HOSTILE_STRINGS, MARKER, assert_shown_safely, injected_markup


def test_corpus_covers_each_kind_of_attack():
    corpus = "\n".join(HOSTILE_STRINGS)
    assert len(HOSTILE_STRINGS) >= 30
    for kind in ["<script", "onerror=", "javascript:", "<svg", "<style", "{{", "{%", "UNION SELECT", "\x00", "\x1b"]:
        assert kind in corpus, kind
    assert max(len(s) for s in HOSTILE_STRINGS) >= 10_000


def test_injection_finder_spots_live_markup_and_passes_escaped_text():
    assert injected_markup(f"<p><img src=x onerror=alert('{MARKER}')></p>") != []
    assert injected_markup(f"<script>alert('{MARKER}')</script>") != []
    assert injected_markup(f"<a href=\"javascript:alert('{MARKER}')\">x</a>") != []
    assert injected_markup(f"<p>&lt;script&gt;alert('{MARKER}')&lt;/script&gt;</p>") == []
    assert injected_markup(f'<input value="&quot;&gt;{MARKER}">') == []
    assert injected_markup(f'<a href="/search/?q={MARKER}">next</a>') == []


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_search_shows_hostile_query_escaped(client, db, condition, payload):
    response = client.get("/search/", {"q": payload})

    assert response.status_code in (200, 400)
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_query_on_any_page_is_escaped_in_the_header_search(client, db, condition, payload):
    # Every page echoes ?q= into the header search box.
    response = client.get("/conditions/dystonia/", {"q": payload})

    assert response.status_code == 200
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_admin_sign_in_with_hostile_username_is_refused_and_escaped(client, db, payload):
    response = client.post(
        f"/{settings.ADMIN_PATH}login/", {"username": payload, "password": "wrong-password", "next": "/"}
    )

    assert response.status_code in (200, 400, 429)
    assert "_auth_user_id" not in client.session
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_admin_search_with_hostile_text_is_escaped(client_for, superuser, db, condition, payload):
    client = client_for(superuser)

    response = client.get(f"/{settings.ADMIN_PATH}conditions/page/", {"q": payload})

    assert response.status_code in (200, 400)
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)
