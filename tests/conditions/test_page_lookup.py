"""conditions.page_lookup: the page with its versions, and the versions alone for the whole-page cache."""

import pytest
from django.http import Http404

from conditions.models import Page
from conditions.page_lookup import find_page, find_page_versions
from ratings.services import rating_submit
from tests.comments.factories import make_comment

pytestmark = pytest.mark.django_db


def test_the_versions_alone_are_the_versions_the_page_carries(condition, commenter):
    causes = condition.subpages.get(slug="causes")
    for slug, subpage_slug in ((condition.slug, None), (condition.slug, "causes")):
        page = find_page(slug=slug, subpage_slug=subpage_slug)
        found = find_page_versions(slug=slug, subpage_slug=subpage_slug)
        assert (found.pk, found.versions) == (page.pk, page.versions)
    # No ratings yet: a missing summary row always shows the same, so it is "empty", not None.
    assert find_page_versions(slug=condition.slug).versions["rating_version"] == "empty"
    rating_submit(page=causes, session_hash="r".ljust(40, "x"), score=4)
    make_comment(condition, commenter)
    before = find_page_versions(slug=condition.slug).versions
    condition.title = "Dystonia (changed)"
    condition.save()
    after = find_page_versions(slug=condition.slug).versions
    assert after["content_version"] != before["content_version"]
    assert after["comment_version"] == before["comment_version"]
    assert find_page_versions(slug=condition.slug, subpage_slug="causes").versions["rating_version"] != "empty"


@pytest.mark.parametrize(
    ("slug", "subpage_slug"),
    [
        ("no-such-page", None),
        ("dystonia", "no-such-subpage"),
        ("causes", None),  # a sub-page is not a condition page of its own
        ("symptoms", "causes"),  # nor a guide of another sub-page
    ],
)
def test_no_such_address_is_a_404(condition, slug, subpage_slug):
    with pytest.raises(Http404):
        find_page_versions(slug=slug, subpage_slug=subpage_slug)


def test_drafts_are_found_only_for_a_preview(condition):
    causes = condition.subpages.get(slug="causes")
    causes.status = Page.Status.DRAFT
    causes.save()
    with pytest.raises(Http404):
        find_page_versions(slug=condition.slug, subpage_slug="causes")
    assert find_page_versions(slug=condition.slug, subpage_slug="causes", preview=True).pk == causes.pk
    condition.status = Page.Status.DRAFT
    condition.save()
    for subpage_slug in (None, "symptoms"):  # a live sub-page of a draft guide is not live either
        with pytest.raises(Http404):
            find_page_versions(slug=condition.slug, subpage_slug=subpage_slug)
        assert find_page_versions(slug=condition.slug, subpage_slug=subpage_slug, preview=True)


def test_the_versions_cost_one_query(condition, django_assert_num_queries):
    find_page_versions(slug=condition.slug)  # compiled once per process
    with django_assert_num_queries(1):
        find_page_versions(slug=condition.slug, subpage_slug="causes")
    with django_assert_num_queries(1):
        find_page_versions(slug=condition.slug)


def test_the_page_comes_from_the_cache_under_its_versions_and_never_stale(condition, django_assert_num_queries):
    find_page(slug=condition.slug)
    with django_assert_num_queries(1):  # its versions; the page and what it joins are kept under them
        page = find_page(slug=condition.slug)
    assert page.title == "Dystonia"
    assert not hasattr(page, "rating_summary")  # nobody has rated it yet
    rating_submit(page=condition, session_hash="r".ljust(40, "x"), score=5)
    Page.objects.filter(pk=condition.pk).update(title="Dystonia, renamed")  # no save(): the trigger still moves
    with django_assert_num_queries(2):
        page = find_page(slug=condition.slug)
    assert page.title == "Dystonia, renamed"
    assert page.rating_summary.count == 1
