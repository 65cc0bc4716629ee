import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from conditions import services
from conditions.models import Page

pytestmark = pytest.mark.django_db


def overdue_date():
    return timezone.localdate() - datetime.timedelta(days=1)


def test_editors_group_holds_exactly_the_content_permissions():
    permissions = set(Group.objects.get(name="Editors").permissions.values_list("content_type__app_label", "codename"))
    content = {(app, codename) for app, codename in permissions if app == "conditions"}
    assert {
        ("conditions", "add_page"),
        ("conditions", "change_page"),
        ("conditions", "delete_page"),
        ("conditions", "change_section"),
        ("conditions", "delete_relatedlink"),
        ("conditions", "view_historicalpage"),
    } <= content
    # Beyond content, editors only read readers' feedback on pages (issue 3) and mark it
    # handled, and keep the risk phrase list (issue 14): nothing else about comments, users
    # or the ratings themselves.
    assert permissions - content == {
        ("ratings", "view_ratingfeedback"),
        ("ratings", "change_ratingfeedback"),
        ("ratings", "view_ratingsummary"),
        ("comments", "view_riskphrase"),
        ("comments", "add_riskphrase"),
        ("comments", "change_riskphrase"),
        ("comments", "delete_riskphrase"),
    }


def test_anonymous_visitor_is_sent_to_the_admin_login(reader):
    response = reader.get(reverse("admin:conditions_page_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_commenter_cannot_reach_the_admin(client_for, commenter):
    response = client_for(commenter).get(reverse("admin:conditions_page_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_editor_cannot_reach_users(client_for, editor):
    client = client_for(editor)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_editor_cannot_change_a_published_guide_in_place(client_for, editor, condition):
    """Content of a published guide changes only through a reviewed guide change."""
    client = client_for(editor)
    url = reverse("admin:conditions_page_change", args=[condition.pk])
    data = {"owner": editor.pk, "review_interval_months": 24, "title": "Renamed", "last_reviewed": "01/01/2030"}
    data.update(_inline_data(condition))
    data["sections-0-body"] = "Unreviewed **text**."
    response = client.post(url, data)
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.title == "Dystonia"
    assert condition.last_reviewed == datetime.date(2013, 6, 19)
    assert condition.owner == editor  # the owner and interval are not content, so they do change
    assert condition.sections.get(anchor="part-1").body == "Text 1."
    assert "Unreviewed" not in client.get(condition.get_absolute_url()).content.decode()


def test_published_guide_change_form_offers_a_guide_change(client_for, editor, condition):
    html = client_for(editor).get(reverse("admin:conditions_page_change", args=[condition.pk])).content.decode()
    assert "To change Dystonia, or to record a review, start a change" in html
    assert 'value="Change this guide"' in html
    assert 'name="title"' not in html  # read only
    assert reverse("admin:conditions_guiderevision_start", args=[condition.pk]) in html


def test_the_change_form_says_view_on_site_only_for_pages_readers_can_open(client_for, editor, condition):
    symptoms = Page.objects.get(parent=condition, slug="symptoms")
    client = client_for(editor)

    def link_label(page):
        html = client.get(reverse("admin:conditions_page_change", args=[page.pk])).content.decode()
        return re.search(rf'<a href="{re.escape(page.get_absolute_url())}">([^<]+)</a>', html).group(1)

    assert link_label(symptoms) == "View on site"
    Page.objects.filter(pk=condition.pk).update(status=Page.Status.DRAFT)
    assert link_label(symptoms) == "Preview draft"  # published itself, but its guide is not
    assert link_label(condition) == "Preview draft"


def test_a_never_published_guide_is_edited_in_place(client_for, editor, make_page):
    draft = make_page("Tremor", status=Page.Status.DRAFT)
    html = client_for(editor).get(reverse("admin:conditions_page_change", args=[draft.pk])).content.decode()
    assert 'name="title"' in html
    assert "This guide has never been published, so you can edit it here." in html


def test_changing_the_interval_moves_next_review_due_from_the_latest_sign_off(client_for, editor, condition):
    services.guide_record_legacy_review(guide=condition)
    response = client_for(editor).post(
        reverse("admin:conditions_page_change", args=[condition.pk]),
        {"owner": "", "review_interval_months": 12, **_inline_data(condition)},
    )
    assert response.status_code == 302
    condition.refresh_from_db()
    assert {page.next_review_due for page in services.guide_pages(condition)} == {datetime.date(2014, 6, 19)}


def test_review_filters_show_overdue_and_due_soon_pages(client_for, editor, make_page):
    today = timezone.localdate()
    make_page("Overdue page", next_review_due=overdue_date())
    make_page("Soon page", next_review_due=today + datetime.timedelta(days=10))
    make_page("Fresh page", next_review_due=today + datetime.timedelta(days=200))
    client = client_for(editor)
    changelist = reverse("admin:conditions_page_changelist")
    overdue = client.get(changelist, {"review": "overdue"})
    assert [page.title for page in overdue.context["cl"].result_list] == ["Overdue page"]
    assert "Overdue since" in overdue.content.decode()
    soon = client.get(changelist, {"review": "soon"})
    assert [page.title for page in soon.context["cl"].result_list] == ["Soon page"]


def test_admin_index_tells_editors_how_many_pages_are_overdue(client_for, editor, make_page):
    make_page("Old one", next_review_due=overdue_date())
    make_page("Old two", next_review_due=overdue_date())
    make_page("Old draft", next_review_due=overdue_date(), status=Page.Status.DRAFT)  # not counted
    html = client_for(editor).get(reverse("admin:index")).content.decode()
    assert "2 guides are overdue for clinical review." in html


def new_page_data(**overrides):
    """What the admin's add form posts for a new condition page with no inlines."""
    return {
        "title": "Tremor",
        "slug": "tremor",
        "summary": "About tremor.",
        "order": 0,
        "status": "published",  # read only: ignored
        "last_reviewed": "01/01/2030",  # not a field any more: ignored
        "review_interval_months": 24,
        "sections-TOTAL_FORMS": 0,
        "sections-INITIAL_FORMS": 0,
        "related_links-TOTAL_FORMS": 0,
        "related_links-INITIAL_FORMS": 0,
        **overrides,
    }


def test_editor_can_add_a_draft_and_preview_it(client_for, editor):
    client = client_for(editor)
    response = client.post(reverse("admin:conditions_page_add"), new_page_data())
    assert response.status_code == 302
    page = Page.objects.get(slug="tremor")
    assert page.status == Page.Status.DRAFT
    assert "This page is a draft" in client.get(page.get_absolute_url()).content.decode()


def test_editors_cannot_type_review_dates_on_a_new_page(client_for, editor, condition):
    response = client_for(editor).post(
        reverse("admin:conditions_page_add"),
        new_page_data(title="Living with dystonia", slug="living", parent=condition.pk, next_review_due="01/01/2031"),
    )
    assert response.status_code == 302
    page = Page.objects.get(slug="living")
    # A new sub-page carries its guide's dates until a sign-off publishes it with its own.
    assert (page.status, page.last_reviewed, page.next_review_due) == (
        Page.Status.DRAFT,
        condition.last_reviewed,
        condition.next_review_due,
    )


def _formset_data(prefix, rows, parent, fields):
    """What the admin posts for an inline formset: each row's id, its `parent` key and `fields`."""
    rows = list(rows)
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)}
    for index, row in enumerate(rows):
        values = {"id": row.pk, parent: getattr(row, f"{parent}_id")} | {name: getattr(row, name) for name in fields}
        data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
    return data


def _inline_data(page):
    return (
        _formset_data("sections", page.sections.all(), "page", ["order", "heading", "anchor", "body"])
        | _formset_data("related_links", page.related_links.all(), "page", ["order", "title", "url"])
        | _formset_data("subpages", page.subpages.all(), "parent", ["order"])
    )


# What editors do in the admin reaches signed-out readers at once, even from a warm cache.


def signed_out_html(page):
    from django.test import Client

    return Client().get(page.get_absolute_url()).content.decode()


def test_a_change_published_through_clinical_review_reaches_signed_out_readers(condition, editor, reviewer):
    """Published guides change only through review (issue 13); publishing saves the live rows, and
    their triggers move the guide's version, so a warm cache follows at once. Moving and
    unpublishing sub-pages outside the admin are in tests/conditions/test_page_cache.py."""
    from conditions import services

    assert "Text 1." in signed_out_html(condition)  # warms the cache
    revision = services.revision_start(guide=condition, user=editor)
    content = revision.content
    next(s for s in content["pages"][0]["sections"] if s["anchor"] == "part-1")["body"] = "Reviewed in the admin."
    revision = services.revision_save(
        revision=revision, user=editor, content=content, edit_version=revision.edit_version
    )
    revision = services.revision_submit(revision=revision, user=editor, change_summary="Clearer wording.")
    services.revision_approve(revision=revision, reviewer=reviewer, role="Neurologist", sources_checked="NICE")
    page = signed_out_html(condition)
    assert "Reviewed in the admin." in page and "Text 1." not in page


def test_deleting_a_subpage_with_the_admin_action_drops_it_for_signed_out_readers(client_for, editor, condition):
    from django.contrib.admin import helpers

    symptoms = condition.subpages.get(slug="symptoms")
    assert symptoms.get_absolute_url() in signed_out_html(condition)
    response = client_for(editor).post(
        reverse("admin:conditions_page_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [symptoms.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Page.objects.filter(pk=symptoms.pk).exists()
    assert symptoms.get_absolute_url() not in signed_out_html(condition)


def test_editors_manage_search_synonyms_and_search_uses_them_at_once(client_for, editor, make_page):
    from conditions.models import Section, Synonym

    page = make_page("Eye conditions", sections=0)
    Section.objects.create(page=page, heading="Twitching", anchor="twitching", body="Blepharospasm is focal.")
    client = client_for(editor)
    assert client.get("/search/", {"q": "eyelid"}).context["found"].total == 0

    response = client.post(reverse("admin:conditions_synonym_add"), {"term": "Eyelid ", "means": "blepharospasm"})
    assert response.status_code == 302
    assert Synonym.objects.get().term == "eyelid"
    assert [r.url for r in client.get("/search/", {"q": "eyelid"}).context["found"].results] == [
        page.get_absolute_url()
    ]

    synonym = Synonym.objects.get()
    client.post(reverse("admin:conditions_synonym_delete", args=[synonym.pk]), {"post": "yes"})
    assert not Synonym.objects.exists()


def test_admin_refuses_a_synonym_that_means_itself_or_repeats_a_term(client_for, editor):
    from conditions.models import Synonym

    Synonym.objects.create(term="shaking", means="tremor")
    client = client_for(editor)
    response = client.post(reverse("admin:conditions_synonym_add"), {"term": "tremor", "means": "Tremor"})
    assert "Give a different word from the one readers search for." in response.content.decode()
    response = client.post(reverse("admin:conditions_synonym_add"), {"term": "Shaking", "means": "tremor"})
    assert response.status_code == 200 and Synonym.objects.count() == 1


def test_editors_group_may_manage_synonyms_and_moderators_may_not(client_for, moderator):
    codenames = set(
        Group.objects.get(name="Editors")
        .permissions.filter(codename__endswith="_synonym")
        .values_list("codename", flat=True)
    )
    assert codenames == {"add_synonym", "change_synonym", "delete_synonym", "view_synonym"}
    assert client_for(moderator).get(reverse("admin:conditions_synonym_changelist")).status_code == 403
