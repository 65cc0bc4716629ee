import datetime

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ratings.models import Rating, RatingFeedback, RatingSummary
from ratings.services import (
    RatingError,
    rating_feedback_mark_handled,
    rating_feedback_submit,
    rating_submit,
    rating_summaries_rebuild,
)

pytestmark = pytest.mark.django_db

ANNE = "a" * 40
BEN = "b" * 40


def summary_of(page):
    return RatingSummary.objects.get(page=page)


def recount(page):
    """The summary's figures counted afresh from the raw ratings."""
    ratings = Rating.objects.filter(page=page)
    recent = ratings.filter(page_reviewed_on__gte=page.last_reviewed)
    figures = {}
    for prefix, rows in (("count", ratings), ("recent", recent)):
        totals = rows.aggregate(n=Count("pk"), total=Sum("score"))
        figures[f"{prefix}"] = totals["n"]
        figures[f"{prefix}_total"] = totals["total"] or 0
        for score in range(1, 6):
            figures[f"{prefix}_{score}"] = rows.filter(score=score).count()
    return figures


def stored(page):
    summary = RatingSummary.objects.filter(page=page).first() or RatingSummary(page=page)
    recent_count, recent_total, recent = summary.since_review(page.last_reviewed)
    figures = {"count": summary.count, "count_total": summary.total, "recent": recent_count}
    figures["recent_total"] = recent_total
    figures.update({f"count_{score}": n for score, n in summary.buckets.items()})
    figures.update({f"recent_{score}": n for score, n in recent.items()})
    return figures


def test_first_rating_creates_rating_and_summary(page):
    rating = rating_submit(page=page, session_hash=ANNE, score=4)

    assert (rating.score, rating.session_hash, rating.user, rating.page_reviewed_on) == (
        4,
        ANNE,
        None,
        page.last_reviewed,
    )
    summary = summary_of(page)
    assert (summary.count, summary.total, summary.count_4) == (1, 4, 1)
    assert (summary.reviewed_on, summary.recent_count, summary.recent_total, summary.recent_4) == (
        page.last_reviewed,
        1,
        4,
        1,
    )


def test_ratings_from_different_readers_add_up(page, commenter, other_commenter):
    rating_submit(page=page, session_hash=ANNE, score=5)
    rating_submit(page=page, session_hash=BEN, score=4)
    rating_submit(page=page, user=commenter, score=4)
    rating_submit(page=page, user=other_commenter, score=1)

    summary = summary_of(page)
    assert (summary.count, summary.total) == (4, 14)
    assert summary.buckets == {1: 1, 2: 0, 3: 0, 4: 2, 5: 1}
    assert stored(page) == recount(page)


def test_rating_again_replaces_the_score_without_growing_the_count(page):
    rating_submit(page=page, session_hash=ANNE, score=5)
    rating_submit(page=page, session_hash=BEN, score=4)
    rating = rating_submit(page=page, session_hash=ANNE, score=2)

    assert Rating.objects.filter(page=page, session_hash=ANNE).get().score == 2
    assert rating.score == 2
    summary = summary_of(page)
    assert (summary.count, summary.total) == (2, 6)
    assert summary.buckets == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}
    assert (summary.recent_count, summary.recent_total, summary.recent_2, summary.recent_5) == (2, 6, 1, 0)


def test_rating_again_with_the_same_score_changes_nothing(page):
    rating_submit(page=page, session_hash=ANNE, score=3)
    rating_submit(page=page, session_hash=ANNE, score=3)

    summary = summary_of(page)
    assert (summary.count, summary.total, summary.count_3, summary.recent_3) == (1, 3, 1, 1)
    assert Rating.objects.count() == 1


def test_signed_in_reader_has_one_rating_per_page(page, commenter):
    rating_submit(page=page, user=commenter, score=1)
    rating_submit(page=page, user=commenter, score=5)

    assert list(Rating.objects.values_list("user", "score")) == [(commenter.pk, 5)]
    assert (summary_of(page).count, summary_of(page).total) == (1, 5)


def test_each_page_has_its_own_summary(page):
    subpage = page.subpages.first()
    rating_submit(page=page, session_hash=ANNE, score=5)
    rating_submit(page=subpage, session_hash=ANNE, score=1)

    assert (summary_of(page).count, summary_of(page).total) == (1, 5)
    assert (summary_of(subpage).count, summary_of(subpage).total) == (1, 1)


@pytest.mark.parametrize("score", [0, 6, -1, 3.5, "4", None, True])
def test_bad_score_stores_nothing(page, score):
    with pytest.raises(RatingError, match="Select a rating from 1 to 5 stars"):
        rating_submit(page=page, session_hash=ANNE, score=score)
    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()


@pytest.mark.parametrize("reader", [{}, {"session_hash": ANNE, "user": "commenter"}])
def test_exactly_one_reader_is_needed(page, commenter, reader):
    if "user" in reader:
        reader["user"] = commenter
    with pytest.raises(ValueError, match="exactly one"):
        rating_submit(page=page, score=3, **reader)
    assert not Rating.objects.exists()


def test_since_review_figures_start_again_after_a_new_review(page):
    rating_submit(page=page, session_hash=ANNE, score=5)
    rating_submit(page=page, session_hash=BEN, score=4)

    page.last_reviewed = datetime.date(2014, 1, 10)
    page.next_review_due = datetime.date(2016, 1, 10)
    page.save()
    # Before anyone rates again, readers already see nothing since the new review.
    assert summary_of(page).since_review(page.last_reviewed)[0] == 0

    rating_submit(page=page, user=None, session_hash="c" * 40, score=2)

    summary = summary_of(page)
    assert (summary.count, summary.total) == (3, 11)
    assert summary.reviewed_on == datetime.date(2014, 1, 10)
    assert (summary.recent_count, summary.recent_total, summary.recent_2, summary.recent_5) == (1, 2, 1, 0)
    assert Rating.objects.get(session_hash="c" * 40).page_reviewed_on == datetime.date(2014, 1, 10)


def test_rating_again_after_a_review_counts_the_rating_since_the_review(page):
    rating_submit(page=page, session_hash=ANNE, score=5)
    page.last_reviewed = datetime.date(2014, 1, 10)
    page.next_review_due = datetime.date(2016, 1, 10)
    page.save()

    rating_submit(page=page, session_hash=ANNE, score=3)

    summary = summary_of(page)
    assert (summary.count, summary.total, summary.count_3, summary.count_5) == (1, 3, 1, 0)
    assert (summary.recent_count, summary.recent_total, summary.recent_3, summary.recent_5) == (1, 3, 1, 0)
    assert stored(page) == recount(page)


def test_missing_summary_row_is_made_again_from_the_ratings_already_there(page):
    rating_submit(page=page, session_hash=ANNE, score=5)
    RatingSummary.objects.all().delete()

    rating_submit(page=page, session_hash=BEN, score=3)

    summary = summary_of(page)
    assert (summary.count, summary.total, summary.recent_count, summary.recent_total) == (2, 8, 2, 8)
    assert stored(page) == recount(page)
    assert rating_summaries_rebuild() == []


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=5),  # reader: 0-2 signed in, 3-5 by session
            st.integers(min_value=0, max_value=1),  # which page
            st.integers(min_value=1, max_value=5),  # score
            st.booleans(),  # the page is reviewed again first
        ),
        max_size=40,
    )
)
def test_summary_always_equals_a_fresh_recount(make_page, django_user_model, steps):
    with transaction.atomic():
        pages = [make_page("Property"), make_page("Other property")]
        users = [django_user_model.objects.create(username=f"reader{number}") for number in range(3)]
        readers = [{"user": user} for user in users] + [{"session_hash": f"{n}" * 40} for n in range(3)]
        for reader, page_index, score, reviewed in steps:
            page = pages[page_index]
            if reviewed:
                page.last_reviewed += datetime.timedelta(days=1)
                page.next_review_due += datetime.timedelta(days=1)
                page.save()
            rating_submit(page=page, score=score, **readers[reader])
            assert stored(page) == recount(page)
        for page in pages:
            assert stored(page) == recount(page)
        assert rating_summaries_rebuild() == []
        transaction.set_rollback(True)


def test_feedback_is_stored_for_a_low_score(page):
    rating = rating_submit(page=page, session_hash=ANNE, score=2)

    feedback = rating_feedback_submit(rating=rating, reason="out_of_date", details="The treatment part is old.")

    assert (feedback.page, feedback.score, feedback.reason, feedback.details) == (
        page,
        2,
        "out_of_date",
        "The treatment part is old.",
    )
    assert not feedback.handled


def test_feedback_again_replaces_the_earlier_feedback_and_reopens_it(page, editor):
    rating = rating_submit(page=page, session_hash=ANNE, score=1)
    first = rating_feedback_submit(rating=rating, reason="other", details="")
    rating_feedback_mark_handled(feedback=RatingFeedback.objects.all(), by=editor)

    second = rating_feedback_submit(rating=rating, reason="seems_wrong", details="Dose looks wrong.")

    assert second.pk == first.pk
    assert RatingFeedback.objects.get().reason == "seems_wrong"
    assert (second.handled, second.handled_by, second.handled_at) == (False, None, None)


def test_feedback_is_refused_after_a_high_score(page):
    rating = rating_submit(page=page, session_hash=ANNE, score=3)
    with pytest.raises(RatingError, match="after rating this page 1 or 2 stars"):
        rating_feedback_submit(rating=rating, reason="other", details="")
    assert not RatingFeedback.objects.exists()


@pytest.mark.parametrize(
    ("reason", "details", "message"),
    [("nonsense", "", "Select what was wrong"), ("other", "x" * 501, "500 characters or fewer")],
)
def test_bad_feedback_stores_nothing(page, reason, details, message):
    rating = rating_submit(page=page, session_hash=ANNE, score=1)
    with pytest.raises(RatingError, match=message):
        rating_feedback_submit(rating=rating, reason=reason, details=details)
    assert not RatingFeedback.objects.exists()


def test_mark_handled_records_who_and_when_once(page, editor, superuser):
    for session in (ANNE, BEN, "c" * 40):
        rating = rating_submit(page=page, session_hash=session, score=1)
        rating_feedback_submit(rating=rating, reason="other", details="")
    RatingFeedback.objects.filter(rating__session_hash=ANNE).update(
        handled=True, handled_by=superuser, handled_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )

    changed = rating_feedback_mark_handled(feedback=RatingFeedback.objects.all(), by=editor)

    assert changed == 2
    assert RatingFeedback.objects.filter(handled=True, handled_by=editor, handled_at__isnull=False).count() == 2
    assert RatingFeedback.objects.get(rating__session_hash=ANNE).handled_by == superuser


def test_rebuild_finds_no_drift_when_summaries_are_right(page):
    rating_submit(page=page, session_hash=ANNE, score=5)
    rating_submit(page=page, session_hash=BEN, score=2)
    assert rating_summaries_rebuild() == []
    assert stored(page) == recount(page)


def test_rebuild_corrects_drift_and_says_what_it_was(page):
    subpage = page.subpages.first()
    rating_submit(page=page, session_hash=ANNE, score=5)
    rating_submit(page=subpage, session_hash=ANNE, score=4)
    RatingSummary.objects.filter(page=page).update(count=2, total=9, count_4=1)

    drifts = rating_summaries_rebuild()

    assert [(drift.page_id, drift.changes) for drift in drifts] == [
        (page.pk, {"count": (2, 1), "total": (9, 5), "count_4": (1, 0)})
    ]
    assert stored(page) == recount(page)
    assert stored(subpage) == recount(subpage)


def test_rebuild_empties_the_summary_of_a_page_whose_ratings_went(page, commenter):
    rating_submit(page=page, user=commenter, score=5)
    Rating.objects.all().delete()  # as when an account is deleted

    drifts = rating_summaries_rebuild()

    assert drifts[0].changes["count"] == (1, 0)
    assert summary_of(page).count == 0


def test_rebuild_is_not_drift_when_the_page_was_only_reviewed_since(page):
    rating_submit(page=page, session_hash=ANNE, score=5)
    page.last_reviewed = datetime.date(2014, 1, 10)
    page.next_review_due = datetime.date(2016, 1, 10)
    page.save()

    assert rating_summaries_rebuild() == []
    assert summary_of(page).reviewed_on == datetime.date(2014, 1, 10)
    assert Rating.objects.filter(Q(page_reviewed_on__lt=page.last_reviewed)).count() == 1
