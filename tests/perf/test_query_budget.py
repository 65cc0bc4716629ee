"""Query budgets of the condition page: a fixed number of queries whatever the data size.

Budget (issue 7): at most 6 queries with cold caches, at most 2 once its caches are warm; since
the thread row counts its own comments (issue 11), 5 cold, and 1 more for a shared reader's
first visit, whose whole page is looked up by its versions alone before it is made.
Each test makes several rows of everything the page shows first (sections, links, ratings,
comments), so an N+1 would show as a higher count, then doubles them and counts again.
"""

import pytest

from comments.models import Comment
from conditions.models import RelatedLink, Section
from ratings.services import rating_submit

pytestmark = pytest.mark.django_db


def add_content(page, commenter, *, start):
    for number in range(start, start + 4):
        Section.objects.create(page=page, order=number, heading=f"Extra {number}", anchor=f"x{number}", body="x")
        RelatedLink.objects.create(
            page=page, order=number, title=f"Link {number}", url=f"https://example.org/{number}"
        )
        rating_submit(page=page, session_hash=f"reader-{number}".ljust(40, "x"), score=number % 5 + 1)
        Comment.objects.create(page=page, author=commenter, text=f"Comment {number}", text_hash=f"{number}")
    page.save()  # as the admin does when sections and links are edited with their page


@pytest.mark.parametrize("rows", [3, 7])
def test_condition_page_runs_six_queries_cold_and_one_warm(
    reader, condition, commenter, rows, django_assert_num_queries
):
    add_content(condition, commenter, start=10)
    if rows == 7:
        add_content(condition, commenter, start=20)
    url = condition.get_absolute_url()
    # Cold: 1 the page's versions alone (conditions.page_lookup.find_page_versions), for the
    # whole page's key, 2 the page joined with every counter row (guide content, rating
    # summary, comment thread, whose triggers keep its count) and the comment settings, 3 the
    # guide and its sub-pages, 4 sections with read-more pages, 5 related links, 6 one page of
    # comments with their authors.
    with django_assert_num_queries(6):
        cold = reader.get(url)
    # Warm: 1 the page's versions; the page comes whole from the cache.
    with django_assert_num_queries(1):
        warm = reader.get(url)
    html = warm.content.decode()
    assert "Extra 13" in html and "Link 13" in html and "Comment 13" in html
    assert warm.content == cold.content  # signed-out readers' pages hold no token: the same bytes


def test_subpage_runs_five_queries_cold_and_one_warm(reader, condition, commenter, django_assert_num_queries):
    causes = condition.subpages.get(slug="causes")
    add_content(causes, commenter, start=10)
    # Cold: 1 the page's versions, 2 the page joined with its guide and counter rows (the rating
    # summary among them), 3 the guide and its sub-pages, 4 sections, 5 related links. Sub-pages
    # carry no comments.
    with django_assert_num_queries(5):
        reader.get(causes.get_absolute_url())
    with django_assert_num_queries(1):
        response = reader.get(causes.get_absolute_url())
    assert "Extra 13" in response.content.decode()


def test_signed_in_reader_gets_their_own_block_and_thread(client_for, commenter, condition, django_assert_num_queries):
    add_content(condition, commenter, start=10)
    rating_submit(page=condition, user=commenter, score=2)
    client = client_for(commenter)
    client.get(condition.get_absolute_url())
    # Warm page fragments, rating block and page of comments, and this member's own parts
    # (their rating, reports and comments waiting for a moderator), kept under their own
    # version (accounts.MemberVersion): 1 the session with the account and that version
    # (accounts.sessions), 2 the page's versions (the page itself is kept under them).
    with django_assert_num_queries(2):
        response = client.get(condition.get_absolute_url())
    html = response.content.decode()
    assert "You gave this page 2 stars." in html
    assert "Delete<span" in html  # their own comments' delete links
    assert "Post comment" in html
