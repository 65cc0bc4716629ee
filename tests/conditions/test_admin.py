import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

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
    # handled: nothing about comments, users or the ratings themselves.
    assert permissions - content == {
        ("ratings", "view_ratingfeedback"),
        ("ratings", "change_ratingfeedback"),
        ("ratings", "view_ratingsummary"),
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


def test_editor_edits_a_section_and_the_history_names_them(client_for, editor, condition):
    client = client_for(editor)
    section = condition.sections.get(anchor="part-1")
    url = reverse("admin:conditions_page_change", args=[condition.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(_inline_data(condition))
    data["sections-0-body"] = "New reviewed **text**."
    data["last_reviewed"] = "19/06/2013"
    data["next_review_due"] = "19/06/2015"
    data["parent"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    section.refresh_from_db()
    assert section.body_html == "<p>New reviewed <strong>text</strong>.</p>"
    assert section.history.latest().history_user == editor
    assert "New reviewed" in client.get(condition.get_absolute_url()).content.decode()
    history = client.get(reverse("admin:conditions_page_history", args=[condition.pk]))
    assert "editor" in history.content.decode()


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
    html = client_for(editor).get(reverse("admin:index")).content.decode()
    assert "2 pages are overdue for review." in html


def new_page_data(**overrides):
    """What the admin's add form posts for a new condition page with no inlines."""
    return {
        "title": "Tremor",
        "slug": "tremor",
        "summary": "About tremor.",
        "order": 0,
        "status": "draft",
        "last_reviewed": "01/01/2026",
        "next_review_due": "01/01/2027",
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


def test_admin_refuses_review_due_before_last_review(client_for, editor):
    response = client_for(editor).post(
        reverse("admin:conditions_page_add"),
        new_page_data(title="Backwards", slug="backwards", next_review_due="01/01/2025"),
    )
    assert response.status_code == 200
    assert "The next review must be due after the last review." in response.content.decode()
    assert not Page.objects.filter(slug="backwards").exists()


def _inline_data(page):
    data = {}
    sections = list(page.sections.all())
    data.update({"sections-TOTAL_FORMS": len(sections), "sections-INITIAL_FORMS": len(sections)})
    for index, section in enumerate(sections):
        data.update(
            {
                f"sections-{index}-id": section.pk,
                f"sections-{index}-page": page.pk,
                f"sections-{index}-order": section.order,
                f"sections-{index}-heading": section.heading,
                f"sections-{index}-anchor": section.anchor,
                f"sections-{index}-body": section.body,
            }
        )
    links = list(page.related_links.all())
    data.update({"related_links-TOTAL_FORMS": len(links), "related_links-INITIAL_FORMS": len(links)})
    for index, link in enumerate(links):
        data.update(
            {
                f"related_links-{index}-id": link.pk,
                f"related_links-{index}-page": page.pk,
                f"related_links-{index}-order": link.order,
                f"related_links-{index}-title": link.title,
                f"related_links-{index}-url": link.url,
            }
        )
    subpages = list(page.subpages.all())
    data.update({"subpages-TOTAL_FORMS": len(subpages), "subpages-INITIAL_FORMS": len(subpages)})
    for index, subpage in enumerate(subpages):
        data.update(
            {
                f"subpages-{index}-id": subpage.pk,
                f"subpages-{index}-parent": page.pk,
                f"subpages-{index}-order": subpage.order,
            }
        )
    return data


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
