"""The condition page's fragment caches: never stale after an edit, never shared across readers' own parts."""

import pytest

from conditions.models import Page, RelatedLink

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def test_editing_a_section_with_its_page_shows_at_once(reader, condition):
    reader.get(condition.get_absolute_url())
    section = condition.sections.first()
    section.body = "Newly written text."
    section.save()
    condition.save()  # the admin saves the page with its inline sections
    assert "Newly written text." in html(reader.get(condition.get_absolute_url()))


def test_renaming_a_subpage_updates_its_guide_contents(reader, condition):
    assert "Treatment" in html(reader.get(condition.get_absolute_url()))
    treatment = condition.subpages.get(slug="treatment")
    treatment.short_title = "Treating it"
    treatment.save()
    page = html(reader.get(condition.get_absolute_url()))
    assert "Treating it" in page
    assert ">Treatment<" not in page


def test_unpublishing_a_subpage_drops_it_from_cached_contents(reader, condition):
    causes_url = condition.subpages.get(slug="causes").get_absolute_url()
    assert causes_url in html(reader.get(condition.get_absolute_url()))
    Page.objects.filter(slug="causes").update(status=Page.Status.DRAFT)
    causes = condition.subpages.get(slug="causes")
    causes.save()  # a status change in the admin saves the page, moving the guide's version
    assert causes_url not in html(reader.get(condition.get_absolute_url()))


def test_new_related_link_shows_after_the_page_is_saved(reader, condition):
    reader.get(condition.get_absolute_url())
    RelatedLink.objects.create(page=condition, order=9, title="Brand new link", url="https://example.org/new")
    condition.save()
    assert "Brand new link" in html(reader.get(condition.get_absolute_url()))


def test_editors_preview_is_cached_apart_from_the_public_page(reader, client_for, editor, condition):
    causes = condition.subpages.get(slug="causes")
    causes.status = Page.Status.DRAFT
    causes.save()
    public = html(reader.get(condition.get_absolute_url()))
    preview = html(client_for(editor).get(condition.get_absolute_url()))
    assert causes.get_absolute_url() not in public
    assert causes.get_absolute_url() in preview


def test_json_ld_names_the_host_it_was_asked_for(client, condition, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    client.get(condition.get_absolute_url(), HTTP_HOST="one.example")
    page = html(client.get(condition.get_absolute_url(), HTTP_HOST="two.example"))
    assert '"url": "http://two.example/conditions/dystonia/"' in page
    assert "one.example" not in page
