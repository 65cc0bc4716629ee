"""Hostile strings into every text input: never a 500, and wherever they are shown, escaped."""

import pytest
from django.conf import settings
from django.urls import reverse

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


# --- Writes: comments, reports, rating feedback, accounts -------------------------------------

STRONG_PASSWORD = "Hostile-input-test-pw-5831"


def assert_admin_shows_safely(client, superuser, paths, payload):
    """Moderators and editors read what people typed: the admin must escape it too."""
    client.force_login(superuser)
    for path in paths:
        response = client.get(f"/{settings.ADMIN_PATH}{path}")
        assert response.status_code == 200, path
        assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)


def assert_refused_or_stored_once_and_shown_safely(client, superuser, response, payload, model, also=()):
    """The answer to a hostile write: refused (400) with nothing stored, or one `model` row stored
    and shown safely in its admin list and change page (and at the admin paths `also`)."""
    assert response.status_code in (302, 400)
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)
    rows = list(model.objects.all())
    if response.status_code == 400:
        assert rows == []
        return
    assert len(rows) == 1
    admin = f"{model._meta.app_label}/{model._meta.model_name}/"
    assert_admin_shows_safely(client, superuser, [admin, f"{admin}{rows[0].pk}/change/", *also], payload)


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_comment_text_is_refused_or_stored_as_typed_and_shown_escaped(
    client, commenter, superuser, condition, quick_comments, payload
):
    from comments.forms import form_started_token
    from comments.models import Comment

    client.force_login(commenter)

    response = client.post(
        reverse("comments:post", args=[condition.slug]), {"text": payload, "started": form_started_token()}
    )

    assert response.status_code in (302, 400)
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)
    comments = list(Comment.objects.filter(author=commenter))
    if response.status_code == 400:
        assert comments == []  # nothing half-written
        assert "nhsuk-error-summary" in response.content.decode()
        return
    assert len(comments) == 1
    assert comments[0].text == payload.replace("\r\n", "\n").strip()
    assert_shown_safely(client.get(condition.get_absolute_url()), payload, secret_key=settings.SECRET_KEY)
    assert_admin_shows_safely(
        client, superuser, ["comments/comment/", f"comments/comment/{comments[0].pk}/change/"], payload
    )


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_report_details_are_refused_or_stored_and_shown_escaped(client, superuser, published_comment, payload):
    from comments.models import Report

    response = client.post(
        reverse("comments:report", args=[published_comment.pk]),
        {"reason": Report.Reason.values[0], "details": payload},
    )

    assert_refused_or_stored_once_and_shown_safely(
        client, superuser, response, payload, Report, also=[f"comments/comment/{published_comment.pk}/change/"]
    )


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_rating_feedback_details_are_refused_or_stored_and_shown_escaped(client, superuser, condition, payload):
    from ratings.models import RatingFeedback

    client.post(reverse("ratings:rate", args=[condition.pk]), {"score": "1"})

    response = client.post(
        reverse("ratings:feedback", args=[condition.pk]),
        {"reason": RatingFeedback.Reason.values[0], "details": payload},
    )

    assert_refused_or_stored_once_and_shown_safely(client, superuser, response, payload, RatingFeedback)


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_rating_score_that_is_not_a_score_is_refused(client, db, condition, payload):
    from ratings.models import Rating

    response = client.post(reverse("ratings:rate", args=[condition.pk]), {"score": payload})

    assert response.status_code == 400
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("field", ["username", "display_name", "email"])
@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_sign_up_fields_refuse_or_escape_hostile_text(client, db, django_user_model, field, payload):
    data = {
        "username": "new-reader",
        "display_name": "New reader",
        "email": "new-reader@example.org",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        field: payload,
    }

    response = client.post(reverse("accounts:signup"), data)

    assert response.status_code in (302, 400)
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)
    if response.status_code == 400:
        assert not django_user_model.objects.exists()
    else:
        assert_shown_safely(client.get("/"), payload, secret_key=settings.SECRET_KEY)


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_site_sign_in_with_hostile_username_is_refused_and_escaped(client, commenter, payload):
    response = client.post(reverse("accounts:signin"), {"username": payload, "password": "wrong-password"})

    assert response.status_code in (200, 400, 429)
    assert "_auth_user_id" not in client.session
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_password_reset_with_hostile_email_is_refused_and_escaped(client, commenter, payload):
    from django.core import mail

    response = client.post(reverse("accounts:password_reset"), {"email": payload})

    assert response.status_code in (200, 302, 400)
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)
    assert mail.outbox == []


def test_a_script_in_a_comment_is_posted_as_text_and_shown_as_text(client, commenter, condition, quick_comments):
    from comments.forms import form_started_token

    client.force_login(commenter)
    payload = f"<script>alert('{MARKER}')</script> and <img src=x onerror=alert(1)>"

    response = client.post(
        reverse("comments:post", args=[condition.slug]), {"text": payload, "started": form_started_token()}
    )
    page = client.get(condition.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert f"&lt;script&gt;alert(&#x27;{MARKER}&#x27;)&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;" in page
    assert injected_markup(page) == []


@pytest.mark.parametrize("payload", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_rating_feedback_reason_that_is_not_a_reason_is_refused(client, db, condition, payload):
    from ratings.models import RatingFeedback

    client.post(reverse("ratings:rate", args=[condition.pk]), {"score": "2"})

    response = client.post(reverse("ratings:feedback", args=[condition.pk]), {"reason": payload, "details": payload})

    assert response.status_code == 400
    assert_shown_safely(response, payload, secret_key=settings.SECRET_KEY)
    assert RatingFeedback.objects.count() == 0
