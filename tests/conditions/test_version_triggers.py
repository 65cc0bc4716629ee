"""The counter rows move on every write that changes what a page shows, whatever made the write.

Database triggers, not signals or `save()`, so these use the ORM's every path: save, delete,
`QuerySet.update()` (which sends no signals), bulk delete and plain SQL.
"""

import pytest
from django.db import connection

from comments.models import Comment, CommentSettings, CommentThread
from conditions.models import ContentVersion, Page, RelatedLink, Section
from ratings.models import RatingSummary
from ratings.services import rating_submit

pytestmark = pytest.mark.django_db


def content(guide):
    return ContentVersion.objects.get(guide=guide).version


def thread(guide):
    return CommentThread.objects.get(page=guide).version


@pytest.fixture
def other_guide(make_page):
    return make_page("Tremor", sections=0)


def test_a_new_condition_page_starts_its_counters(make_page):
    page = make_page("Tremor", sections=0)
    assert content(page) == 1
    assert thread(page) == 1


def test_editing_a_page_moves_its_guides_version(condition):
    before = content(condition)
    condition.title = "Dystonia (adults)"
    condition.save()
    assert content(condition) == before + 1


def test_editing_a_subpage_moves_its_guides_version(condition):
    before = content(condition)
    Page.objects.filter(slug="causes").update(short_title="Why")
    assert content(condition) == before + 1


def test_publishing_and_unpublishing_a_subpage_moves_its_guides_version(condition):
    before = content(condition)
    Page.objects.filter(slug="causes").update(status=Page.Status.DRAFT)
    Page.objects.filter(slug="causes").update(status=Page.Status.PUBLISHED)
    assert content(condition) == before + 2


def test_deleting_a_subpage_moves_its_guides_version(condition):
    before = content(condition)
    condition.subpages.get(slug="symptoms").delete()
    assert content(condition) > before


def test_bulk_deleting_subpages_moves_their_guides_version(condition):
    before = content(condition)
    Page.objects.filter(parent=condition).delete()
    assert content(condition) > before


def test_moving_a_subpage_moves_both_guides_versions(condition, other_guide):
    old_before, new_before = content(condition), content(other_guide)
    Page.objects.filter(slug="symptoms").update(parent=other_guide)
    assert content(condition) > old_before
    assert content(other_guide) > new_before


@pytest.mark.parametrize("model", [Section, RelatedLink])
def test_saving_updating_and_deleting_a_section_or_link_on_its_own_moves_the_version(condition, model):
    row = model.objects.filter(page__parent=None, page=condition).first()
    before = content(condition)
    row.save()
    model.objects.filter(pk=row.pk).update(order=99)
    row.delete()
    assert content(condition) == before + 3


def test_a_subpages_section_moves_its_guides_version(condition):
    causes = condition.subpages.get(slug="causes")
    before = content(condition)
    Section.objects.filter(page=causes).update(body="Changed.")
    assert content(condition) == before + 1


def test_moving_a_section_to_another_guide_moves_both(condition, other_guide):
    old_before, new_before = content(condition), content(other_guide)
    Section.objects.filter(page=condition, anchor="part-1").update(page=other_guide)
    assert content(condition) > old_before and content(other_guide) > new_before


def test_deleting_a_guide_leaves_no_counter_behind(condition):
    condition.delete()
    assert not ContentVersion.objects.exists()
    assert not CommentThread.objects.exists()


def test_every_comment_write_moves_the_thread_version(condition, commenter):
    before = thread(condition)
    comment = Comment.objects.create(page=condition, author=commenter, text="Hello", text_hash="1")
    comment.status = Comment.Status.HIDDEN
    comment.save(update_fields=["status"])
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PUBLISHED)
    Comment.objects.filter(pk=comment.pk).delete()
    assert thread(condition) == before + 4


def test_comment_settings_written_on_their_own_move_the_thread_version(condition):
    before = thread(condition)
    row = CommentSettings.objects.create(page=condition, closed=True)
    CommentSettings.objects.filter(pk=row.pk).update(closed=False)
    row.delete()
    assert thread(condition) == before + 3


def test_renaming_an_author_moves_every_thread_they_wrote_in(condition, other_guide, commenter, other_commenter):
    Comment.objects.create(page=condition, author=commenter, text="Hello", text_hash="1")
    before, untouched = thread(condition), thread(other_guide)
    commenter.username = "renamed"
    commenter.save()
    assert thread(condition) == before + 1
    assert thread(other_guide) == untouched


def test_changing_a_display_name_moves_every_thread_its_author_wrote_in(
    condition, other_guide, commenter, other_commenter
):
    Comment.objects.create(page=condition, author=commenter, text="Hello", text_hash="1")
    before, untouched = thread(condition), thread(other_guide)
    commenter.profile.display_name = "Quiet Owl"
    commenter.profile.save()
    assert thread(condition) == before + 1
    assert thread(other_guide) == untouched
    commenter.profile.save()  # the same name again moves nothing
    assert thread(condition) == before + 1


def test_a_save_that_keeps_the_username_moves_no_thread(condition, commenter):
    Comment.objects.create(page=condition, author=commenter, text="Hello", text_hash="1")
    before = thread(condition)
    commenter.first_name = "Ann"
    commenter.save()
    commenter.save(update_fields=["last_login"])
    assert thread(condition) == before


def test_deleting_an_author_moves_the_thread_version(condition, commenter):
    Comment.objects.create(page=condition, author=commenter, text="Hello", text_hash="1")
    before = thread(condition)
    commenter.delete()  # their comments stay, by "A former member"
    assert thread(condition) > before


def test_every_write_to_a_rating_summary_moves_its_version(condition):
    rating_submit(page=condition, session_hash="a" * 40, score=5)
    summary = RatingSummary.objects.get(page=condition)
    rating_submit(page=condition, session_hash="b" * 40, score=4)
    RatingSummary.objects.filter(pk=summary.pk).update(count=2)
    summary.refresh_from_db()
    summary.save()  # a save writes the version it read; the trigger still moves it on
    assert RatingSummary.objects.get(pk=summary.pk).version == summary.version + 1


def test_plain_sql_moves_the_version_too(condition):
    before = content(condition)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE conditions_section SET body = 'Raw.' WHERE page_id = %s", [condition.pk])
    assert content(condition) == before + 3  # one per section


def published(guide):
    return CommentThread.objects.get(page=guide).published


def test_the_thread_counts_its_published_comments_through_every_kind_of_write(condition, other_guide, commenter):
    from tests.comments.factories import make_comment

    comments = [make_comment(condition, commenter, text=f"Comment number {n}.") for n in range(4)]
    held = make_comment(condition, commenter, text="Held for a moderator.", status=Comment.Status.HELD)
    assert published(condition) == 4
    Comment.objects.filter(pk=comments[0].pk).update(status=Comment.Status.REMOVED)  # no signals
    comments[1].status = Comment.Status.HIDDEN
    comments[1].save()
    assert published(condition) == 2
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PUBLISHED)  # reinstated
    assert published(condition) == 3
    Comment.objects.filter(pk=comments[2].pk).update(page=other_guide)  # moved
    assert (published(condition), published(other_guide)) == (2, 1)
    comments[3].delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM comments_comment WHERE id = %s", [held.pk])
    assert published(condition) == 0
    assert published(condition) == Comment.objects.visible().filter(page=condition).count()
