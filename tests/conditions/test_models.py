import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from conditions.models import Page, Section

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def test_section_stores_sanitised_html_when_saved(condition):
    section = Section.objects.create(page=condition, heading="Danger", anchor="danger", body="Hi <script>x</script>")
    assert section.body_html == "<p>Hi </p>"
    section.body = "Now **bold**"
    section.save()
    section.refresh_from_db()
    assert section.body_html == "<p>Now <strong>bold</strong></p>"


def test_published_excludes_drafts_and_subpages_of_draft_guides(make_page):
    live = make_page("Live")
    draft = make_page("Hidden", status=Page.Status.DRAFT)
    live_sub = make_page("Live sub", parent=live)
    draft_sub = make_page("Orphaned sub", parent=draft)
    published = set(Page.objects.published())
    assert live in published and live_sub in published
    assert draft not in published and draft_sub not in published


def test_review_overdue_and_due_soon(make_page):
    overdue = make_page("Overdue", next_review_due=TODAY - datetime.timedelta(days=1))
    soon = make_page("Soon", next_review_due=TODAY + datetime.timedelta(days=30))
    later = make_page("Later", next_review_due=TODAY + datetime.timedelta(days=31))
    assert list(Page.objects.review_overdue(TODAY)) == [overdue]
    assert list(Page.objects.review_due_soon(TODAY)) == [soon]
    assert overdue.is_review_overdue(TODAY) and not later.is_review_overdue(TODAY)
    assert soon.is_review_due_soon(TODAY) and not later.is_review_due_soon(TODAY)


def test_database_refuses_review_due_before_last_review(make_page):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_page("Backwards", last_reviewed=datetime.date(2015, 1, 1), next_review_due=datetime.date(2014, 1, 1))


def test_condition_slugs_are_unique_but_subpage_slugs_only_within_a_guide(make_page):
    first = make_page("First")
    second = make_page("Second")
    make_page("Symptoms", parent=first, slug="symptoms")
    make_page("Symptoms", parent=second, slug="symptoms")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_page("First again", slug="first")


def test_clean_refuses_a_subpage_of_a_subpage(condition):
    symptoms = condition.subpages.get(slug="symptoms")
    nested = Page(parent=symptoms, title="Deeper", slug="deeper", summary="x", **_dates())
    with pytest.raises(ValidationError, match="must belong to a condition page"):
        nested.clean()


def test_section_read_more_must_point_into_the_same_guide(condition, make_page):
    other_sub = make_page("Elsewhere", parent=make_page("Other"))
    section = condition.sections.first()
    section.read_more = other_sub
    section.read_more_label = "Read more"
    with pytest.raises(ValidationError, match="sub-page of this condition"):
        section.clean()


def test_urls_and_guide(condition):
    symptoms = condition.subpages.get(slug="symptoms")
    assert condition.get_absolute_url() == "/conditions/dystonia/"
    assert symptoms.get_absolute_url() == "/conditions/dystonia/symptoms/"
    assert symptoms.guide == condition and condition.guide == condition
    assert str(symptoms) == "Dystonia: Symptoms of dystonia"


def _dates():
    return {"last_reviewed": datetime.date(2013, 6, 19), "next_review_due": datetime.date(2015, 6, 19)}
