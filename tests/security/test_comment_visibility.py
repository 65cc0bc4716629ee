"""Held, hidden and removed comments are a 404 to everyone but their author and moderators.

The attack: a comment held because it gives a phone number and an address got an id, and
`GET /comments/<id>/report/` showed it, author and all, to a signed-out reader; ids are
sequential, so the whole moderation queue could be walked. Every public URL that takes a
comment's id is walked here, for every status, as every persona, and a refusal must look
exactly like an id that never existed.
"""

import re

import pytest
from django.urls import reverse

from comments import services
from comments.forms import form_started_token
from comments.models import Comment, Report

from .conftest import iter_url_patterns, url_parameters

PERSONAL_TEXT = "Ring me on 07700 900123, I live at 4 Elm Road, NR4 7UY."
PERSONAS = ["reader", "commenter", "other_commenter", "moderator", "editor", "superuser"]
STATUSES = [Comment.Status.PUBLISHED, Comment.Status.HELD, Comment.Status.HIDDEN, Comment.Status.REMOVED]
MISSING_ID = 999_999

pytestmark = pytest.mark.django_db

# Every public URL that takes a comment's id: a new one fails test_every_comment_url_is_walked.
COMMENT_URLS = ["comments:report", "comments:report_thanks", "comments:delete", "comments:edit"]


def test_every_comment_url_is_walked():
    public = {
        name
        for name, pattern in iter_url_patterns()
        if "comment_id" in url_parameters(pattern)[0] and not name.startswith("admin:")
    }
    assert public == set(COMMENT_URLS)


@pytest.fixture
def comment_in(condition, commenter):
    """A comment by `commenter` with the given status, as the services leave it."""

    def make(status):
        comment = Comment.objects.create(
            page=condition, author=commenter, text=PERSONAL_TEXT, text_hash=services.text_hash(PERSONAL_TEXT)
        )
        Comment.objects.filter(pk=comment.pk).update(status=status)
        return comment

    return make


def as_persona(request, client, persona):
    if persona != "reader":
        client.force_login(request.getfixturevalue(persona))
    return client


def normalised(response, comment_id):
    """The response body without what differs between any two responses (nonces, tokens, the id in links)."""
    html = response.content.decode().replace(f"/{comment_id}/", "/ID/")
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def assert_like_missing(client, name, comment, method="get"):
    """The response for `comment` is the response for an id that never existed."""
    send = getattr(client, method)
    data = {"reason": "spam", "details": ""} if method == "post" else None
    response = send(reverse(name, args=[comment.pk]), data)
    missing = send(reverse(name, args=[MISSING_ID]), data)
    assert response.status_code == missing.status_code
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == missing["Location"].replace(str(MISSING_ID), str(comment.pk))
    else:
        assert normalised(response, comment.pk) == normalised(missing, MISSING_ID)
        assert "07700 900123" not in response.content.decode()
        assert "commenter said" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", [Comment.Status.HELD, Comment.Status.HIDDEN, Comment.Status.REMOVED])
def test_held_hidden_and_removed_comments_cannot_be_reported_by_anyone(request, client, comment_in, persona, status):
    comment = comment_in(status)
    client = as_persona(request, client, persona)
    assert_like_missing(client, "comments:report", comment)
    assert_like_missing(client, "comments:report", comment, method="post")
    assert not Report.objects.exists()


@pytest.mark.parametrize("persona", [persona for persona in PERSONAS if persona != "commenter"])
def test_a_published_comment_can_be_reported_by_anyone_but_its_author(request, client, comment_in, persona):
    comment = comment_in(Comment.Status.PUBLISHED)
    client = as_persona(request, client, persona)
    page = client.get(reverse("comments:report", args=[comment.pk])).content.decode()
    assert "commenter said on" in page
    assert "07700 900123" in page
    response = client.post(reverse("comments:report", args=[comment.pk]), {"reason": "spam", "details": ""})
    assert response["Location"] == reverse("comments:report_thanks", args=[comment.pk])
    assert Report.objects.filter(comment=comment).count() == 1


def test_the_author_of_a_published_comment_is_told_they_cannot_report_it(request, client, comment_in):
    comment = comment_in(Comment.Status.PUBLISHED)
    client = as_persona(request, client, "commenter")
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("comments:report", args=[comment.pk]), {"reason": "spam"})
        assert response.status_code == 403
        assert "You cannot report your own comment" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", STATUSES)
def test_the_report_thanks_page_is_only_for_the_reader_who_reported(request, client, comment_in, persona, status):
    comment = comment_in(status)
    assert_like_missing(as_persona(request, client, persona), "comments:report_thanks", comment)


def test_the_thanks_page_stays_for_a_reporter_whose_report_hid_the_comment(reader, comment_in, condition):
    comment = comment_in(Comment.Status.PUBLISHED)
    reader.post(reverse("comments:report", args=[comment.pk]), {"reason": "offensive", "details": ""})
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    page = reader.get(reverse("comments:report_thanks", args=[comment.pk])).content.decode()
    assert "Thank you for your report" in page
    assert f"Back to {condition.title}" in page
    assert "07700 900123" not in page


@pytest.fixture(params=[p for p in PERSONAS if p != "commenter"])
def not_the_author(request, client):
    """The test client as each persona but the comments' author, the anonymous reader among them."""
    return as_persona(request, client, request.param)


@pytest.mark.parametrize("status", STATUSES)
def test_only_the_author_reaches_a_comments_delete_page(not_the_author, comment_in, status):
    comment = comment_in(status)
    assert_like_missing(not_the_author, "comments:delete", comment)
    assert_like_missing(not_the_author, "comments:delete", comment, method="post")
    comment.refresh_from_db()
    assert comment.status == status


@pytest.mark.parametrize("status", [Comment.Status.PUBLISHED, Comment.Status.HELD, Comment.Status.HIDDEN])
def test_the_author_can_delete_their_own_comment_whatever_its_status(client_for, commenter, comment_in, status):
    comment = comment_in(status)
    client = client_for(commenter)
    page = client.get(reverse("comments:delete", args=[comment.pk])).content.decode()
    assert "07700 900123" in page
    client.post(reverse("comments:delete", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert comment.deleted_by_author_at is not None


def test_the_author_gets_a_404_for_their_removed_comment(client_for, commenter, comment_in):
    comment = comment_in(Comment.Status.REMOVED)
    assert_like_missing(client_for(commenter), "comments:delete", comment)


@pytest.mark.parametrize("status", STATUSES)
def test_only_the_author_reaches_a_comments_edit_page(not_the_author, comment_in, status):
    comment = comment_in(status)
    assert_like_missing(not_the_author, "comments:edit", comment)
    edit = {"text": "Changed by someone else.", "website": "", "started": form_started_token()}
    response = not_the_author.post(reverse("comments:edit", args=[comment.pk]), edit)
    missing = not_the_author.post(reverse("comments:edit", args=[MISSING_ID]), edit)
    assert response.status_code == missing.status_code
    comment.refresh_from_db()
    assert comment.text == PERSONAL_TEXT
    assert not comment.edits.exists()


@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.REMOVED])
def test_the_author_cannot_reach_the_edit_page_of_a_hidden_or_removed_comment(
    client_for, commenter, comment_in, status
):
    comment = comment_in(status)
    assert_like_missing(client_for(commenter), "comments:edit", comment)


@pytest.mark.parametrize("status", [Comment.Status.PUBLISHED, Comment.Status.HELD])
def test_the_author_reaches_the_edit_page_of_their_published_or_held_comment(
    client_for, commenter, comment_in, status
):
    comment = comment_in(status)
    page = client_for(commenter).get(reverse("comments:edit", args=[comment.pk])).content.decode()
    assert "Change your comment" in page
    assert "07700 900123" in page


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("reader", {"published"}),
        ("commenter", {"published", "held", "hidden"}),
        ("other_commenter", {"published"}),
        ("editor", {"published"}),
        ("moderator", {"published", "held", "hidden", "removed"}),
        ("superuser", {"published", "held", "hidden", "removed"}),
    ],
)
def test_visible_to_is_the_one_rule_for_who_sees_a_comment(request, django_user_model, comment_in, persona, sees):
    from django.contrib.auth.models import AnonymousUser

    for status in STATUSES:
        comment_in(status)
    user = AnonymousUser() if persona == "reader" else request.getfixturevalue(persona)
    assert {comment.status for comment in Comment.objects.visible_to(user)} == sees


def test_a_comment_on_a_draft_guide_is_a_404_to_readers(client, comment_in, condition):
    comment = comment_in(Comment.Status.PUBLISHED)
    type(condition).objects.filter(pk=condition.pk).update(status="draft")
    assert_like_missing(client, "comments:report", comment)
