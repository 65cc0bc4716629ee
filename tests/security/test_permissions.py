"""Permissions matrix: each persona against each admin page and each moderation or edit action.

The admin requires staff; editors reach condition content, search synonyms and page feedback,
clinical reviewers read condition content and review guide changes, moderators reach comment
moderation, and only superusers reach accounts, groups and sign-in attempts.
"""

import pytest
from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from comments import services as comment_services
from comments.models import Comment
from conditions import services as condition_services
from conditions.models import ClinicalReview, GuideRevision, Page

# Comments post at once and email stays in memory (tests/security/conftest.py).
pytestmark = pytest.mark.usefixtures("quick_comments")

ADMIN = f"/{settings.ADMIN_PATH}"
ALL_MODELS = {model._meta.label for model in admin.site._registry}

# The admin models each persona may open. Everything else must be refused.
MODELS_ALLOWED = {
    "reader": set(),
    "commenter": set(),
    "editor": {
        "conditions.Page",
        "conditions.GuideRevision",
        "conditions.ClinicalReview",
        "conditions.Synonym",
        "ratings.RatingFeedback",
        "ratings.RatingSummary",
        "comments.RiskPhrase",
    },
    "reviewer": {"conditions.Page", "conditions.GuideRevision", "conditions.ClinicalReview"},
    "moderator": {
        "comments.Comment",
        "comments.CommentSettings",
        "comments.ModerationDecision",
        "comments.Report",
        "comments.RiskPhrase",
        "comments.UrgentItem",
        # To erase a person's data on request (read-only otherwise), and the record of erasures.
        "accounts.Profile",
        "accounts.ErasureRecord",
    },
    "superuser": ALL_MODELS,
}
PERSONAS = list(MODELS_ALLOWED)
# Who may delete a page, and start, approve or publish a guide change.
PAGE_DELETERS = {"editor", "superuser"}
CHANGE_STARTERS = {"editor", "superuser"}
APPROVERS = {"reviewer", "superuser"}
MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def as_persona(request, client, persona):
    if persona != "reader":
        client.force_login(request.getfixturevalue(persona))
    return client


def assert_refused(response, persona):
    if persona in ("reader", "commenter"):
        # Not staff: sent to the admin sign-in page, never shown the admin.
        assert response.status_code == 302
        assert response["Location"].startswith(f"{ADMIN}login/")
    else:
        assert response.status_code == 403


@pytest.fixture
def comment(condition, other_commenter):
    comment, _ = comment_services.comment_post(page=condition, author=other_commenter, text="Botox helped me.")
    assert comment.status == Comment.Status.PUBLISHED
    return comment


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_index_requires_staff(request, client, db, persona):
    response = as_persona(request, client, persona).get(ADMIN)

    if persona in ("reader", "commenter"):
        assert_refused(response, persona)
    else:
        assert response.status_code == 200
        listed = {
            f"{app['app_label']}.{model['object_name']}"
            for app in response.context["app_list"]
            for model in app["models"]
        }
        assert listed == MODELS_ALLOWED[persona]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_admin_changelist_matrix(request, client, db, persona, model):
    opts = model._meta
    response = as_persona(request, client, persona).get(f"{ADMIN}{opts.app_label}/{opts.model_name}/")

    if opts.label in MODELS_ALLOWED[persona]:
        assert response.status_code == 200
    else:
        assert_refused(response, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_page_matrix(request, client, db, condition, persona):
    client = as_persona(request, client, persona)
    url = f"{ADMIN}conditions/page/{condition.pk}/change/"

    page = client.get(url)
    delete = client.post(f"{ADMIN}conditions/page/{condition.pk}/delete/", {"post": "yes"})

    if persona in PAGE_DELETERS:
        assert page.status_code == 200
        assert delete.status_code == 302
        assert not Page.objects.filter(pk=condition.pk).exists()
    elif persona == "reviewer":
        assert page.status_code == 200  # read only
        assert 'name="title"' not in page.content.decode()
        assert delete.status_code == 403
        assert Page.objects.filter(pk=condition.pk).exists()
    else:
        assert_refused(page, persona)
        assert_refused(delete, persona)
        assert Page.objects.filter(pk=condition.pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_start_guide_change_matrix(request, client, db, condition, persona):
    response = as_persona(request, client, persona).post(f"{ADMIN}conditions/guiderevision/start/{condition.pk}/")

    if persona in CHANGE_STARTERS:
        assert response.status_code == 302
        assert condition.revisions.open().count() == 1
    else:
        assert_refused(response, persona)
        assert not condition.revisions.exists()


@pytest.fixture
def submitted(condition, other_editor):
    revision = condition_services.revision_start(guide=condition, user=other_editor)
    return condition_services.revision_submit(revision=revision, user=other_editor, change_summary="Checked.")


@pytest.mark.parametrize("persona", PERSONAS)
def test_approve_guide_change_matrix(request, client, db, submitted, persona):
    client = as_persona(request, client, persona)
    data = {"decision": "approve", "role": "Neurologist", "sources_checked": "NICE", "note": ""}

    response = client.post(f"{ADMIN}conditions/guiderevision/{submitted.pk}/review/", data)

    submitted.refresh_from_db()
    if persona in APPROVERS:
        assert response.status_code == 302
        assert submitted.state == GuideRevision.State.PUBLISHED
        assert (
            ClinicalReview.objects.get(revision=submitted).reviewer.username
            == request.getfixturevalue(persona).username
        )
    else:
        assert_refused(response, persona)
        assert submitted.state == GuideRevision.State.SUBMITTED
        assert not ClinicalReview.objects.filter(revision=submitted).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_guide_draft_matrix(request, client, db, condition, other_editor, persona):
    revision = condition_services.revision_start(guide=condition, user=other_editor)
    client = as_persona(request, client, persona)

    response = client.get(f"{ADMIN}conditions/guiderevision/{revision.pk}/edit/")
    submit = client.post(f"{ADMIN}conditions/guiderevision/{revision.pk}/submit/", {"change_summary": "Mine."})

    revision.refresh_from_db()
    if persona in CHANGE_STARTERS:
        assert response.status_code == 200
        assert submit.status_code == 302
        assert revision.state == GuideRevision.State.SUBMITTED
    else:
        assert_refused(response, persona)
        assert_refused(submit, persona)
        assert revision.state == GuideRevision.State.DRAFT


def post_decision(client, comment, decision):
    """Confirm a moderation decision on `comment` in the admin, as its form would."""
    return client.post(
        f"{ADMIN}comments/comment/{comment.pk}/decide/{decision}/",
        {"confirm": "1", "note": "", "author_reason": "offensive"},
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_remove_comment_matrix(request, client, db, comment, persona):
    client = as_persona(request, client, persona)

    response = post_decision(client, comment, "remove")

    comment.refresh_from_db()
    if persona in ("moderator", "superuser"):
        assert response.status_code == 302
        assert comment.status == Comment.Status.REMOVED
        assert comment.decisions.count() == 1
    else:
        assert_refused(response, persona)
        assert comment.status == Comment.Status.PUBLISHED
        assert comment.decisions.count() == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_ban_author_matrix(request, client, db, comment, persona):
    client = as_persona(request, client, persona)

    response = post_decision(client, comment, "ban")

    comment.author.refresh_from_db()
    if persona in ("moderator", "superuser"):
        assert response.status_code == 302
        assert comment.author.is_active is False
    else:
        assert_refused(response, persona)
        assert comment.author.is_active is True
        assert mail.outbox == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_author_deletes_their_own_comment(request, client, db, comment, persona):
    client = as_persona(request, client, persona)

    response = client.post(f"/comments/{comment.pk}/delete/")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    if persona == "reader":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:signin"))
    else:
        # Moderators remove comments in the admin, with a record; this page is the author's.
        assert response.status_code == 404


def test_the_author_deletes_their_own_comment(client_for, other_commenter, comment):
    response = client_for(other_commenter).post(f"/comments/{comment.pk}/delete/")

    comment.refresh_from_db()
    assert response.status_code == 302
    assert comment.status != Comment.Status.PUBLISHED


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_manage_accounts(request, client, db, persona, django_user_model):
    client = as_persona(request, client, persona)
    password = "x-Very-l0ng-pass"

    response = client.post(
        f"{ADMIN}auth/user/add/", {"username": "intruder", "password1": password, "password2": password}
    )

    if persona == "superuser":
        assert response.status_code == 302
        assert django_user_model.objects.filter(username="intruder").exists()
    else:
        assert_refused(response, persona)
        assert not django_user_model.objects.filter(username="intruder").exists()


def test_debug_banner_shows_in_the_admin_only_with_debug_on(client_for, superuser, settings):
    client = client_for(superuser)
    warning = "this site is running with DEBUG on"

    assert warning not in client.get(ADMIN).content.decode()
    settings.DEBUG = True
    assert warning in client.get(ADMIN).content.decode()
    client.logout()
    assert warning in client.get(f"{ADMIN}login/").content.decode()


def test_robots_txt_does_not_reveal_the_admin(client, db):
    body = client.get("/robots.txt").content.decode()

    assert settings.ADMIN_PATH.strip("/") not in body
