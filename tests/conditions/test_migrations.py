"""The clinical review data migration: groups with least privilege, and today's dates kept as a review."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from conditions.models import ClinicalReview, GuideRevision

pytestmark = pytest.mark.django_db

migration = importlib.import_module("conditions.migrations.0004_clinical_reviewers_and_legacy_reviews")


def test_clinical_reviewers_read_content_and_review_changes_nothing_more():
    permissions = set(Group.objects.get(name="Clinical reviewers").permissions.values_list("codename", flat=True))
    assert permissions == {
        "view_page",
        "view_section",
        "view_relatedlink",
        "view_guiderevision",
        "review_guiderevision",
        "view_clinicalreview",
        # The clinician's note (comments 0007): written by a moderator who is also a reviewer.
        "add_clinical_note",
        "view_clinicalnote",
        "view_historicalclinicalnote",
    }


def test_editors_start_and_publish_changes_but_cannot_review_them():
    permissions = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_guiderevision", "change_guiderevision", "view_clinicalreview"} <= permissions
    assert "review_guiderevision" not in permissions
    assert "add_clinicalreview" not in permissions and "change_clinicalreview" not in permissions


def test_existing_guides_get_a_legacy_review_and_version_one_with_their_dates_unchanged(make_page, condition):
    yearly = make_page("Tremor", last_reviewed=datetime.date(2020, 3, 1), next_review_due=datetime.date(2021, 3, 1))

    migration.record_legacy_reviews(apps, None)
    migration.record_legacy_reviews(apps, None)  # a second run (the browser suite reruns it) adds nothing

    review = ClinicalReview.objects.get(guide=condition)
    assert (review.legacy, review.reviewed_on, review.revision.number) == (True, datetime.date(2013, 6, 19), 1)
    version = GuideRevision.objects.get(guide=condition)
    assert version.state == GuideRevision.State.PUBLISHED
    assert [page["title"] for page in version.content["pages"]][:2] == ["Dystonia", "Symptoms of dystonia"]
    condition.refresh_from_db()
    yearly.refresh_from_db()
    assert (condition.last_reviewed, condition.next_review_due) == (
        datetime.date(2013, 6, 19),
        datetime.date(2015, 6, 19),
    )
    assert (condition.review_interval_months, yearly.review_interval_months) == (24, 12)
    assert ClinicalReview.objects.count() == 2
