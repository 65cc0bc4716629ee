import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from accounts.backends import MemberBackend
from accounts.models import member_version
from comments.models import Comment, CommentSettings, Report
from conditions.page_lookup import find_page

from .factories import make_comment

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def render_thread(page, *, user=None, query=""):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get(page.get_absolute_url() + query)
    request.user = user or AnonymousUser()
    template = Template("{% load comments_tags %}{% comment_thread page %}")
    return template.render(Context({"page": page, "request": request, "user": request.user}))


def make_comments(page, author, count):
    start = datetime.datetime(2014, 3, 1, 12, tzinfo=LONDON)
    return [
        make_comment(page, author, text=f"Comment {n}", created_at=start + datetime.timedelta(days=n))
        for n in range(1, count + 1)
    ]


def test_heading_for_several_comments(condition, commenter):
    make_comments(condition, commenter, 3)
    assert (
        "The 3 comments posted are personal views. Any information they give has not been checked and may not be "
        "accurate." in render_thread(condition)
    )


def test_heading_for_one_comment(condition, commenter):
    make_comments(condition, commenter, 1)
    assert (
        "The 1 comment posted is a personal view. Any information it gives has not been checked and may not be "
        "accurate." in render_thread(condition)
    )


def test_heading_for_no_comments(condition):
    html = render_thread(condition)
    assert "There are no comments yet." in html
    assert "personal view" not in html


def test_count_is_only_the_visible_comments(condition, commenter):
    make_comments(condition, commenter, 2)
    for status in [Comment.Status.HELD, Comment.Status.HIDDEN, Comment.Status.REMOVED]:
        make_comment(condition, commenter, text=f"Not shown {status}", status=status)
    html = render_thread(condition)
    assert "The 2 comments posted" in html
    assert "Not shown" not in html


def test_each_comment_shows_author_date_text_and_report_link(condition, commenter):
    comment = make_comment(
        condition, commenter, text="My story.", created_at=datetime.datetime(2014, 3, 29, 12, tzinfo=LONDON)
    )
    html = render_thread(condition)
    assert "commenter said on 29 March 2014" in html
    assert "My story." in html
    assert f'<a href="/comments/{comment.pk}/report/">Report this content as offensive or unsuitable</a>' in html


def test_comments_of_a_deleted_account_show_as_from_a_former_member(condition, commenter):
    make_comment(condition, commenter, created_at=datetime.datetime(2014, 3, 29, 12, tzinfo=LONDON))
    commenter.delete()
    assert "A former member said on 29 March 2014" in render_thread(condition)


def test_newest_comment_comes_first(condition, commenter):
    make_comments(condition, commenter, 3)
    html = render_thread(condition)
    assert html.index("Comment 3") < html.index("Comment 2") < html.index("Comment 1")


def test_twenty_comments_per_page_with_numbered_pagination(condition, commenter):
    make_comments(condition, commenter, 45)
    first = render_thread(condition)
    assert first.count('class="app-comment"') == 20
    assert "Comment 45<" in first and "Comment 26<" in first and "Comment 25<" not in first
    assert "nhsuk-pagination--numbered" in first
    assert 'href="?comments-page=2#comments"' in first
    assert 'aria-current="page">1</a>' in first

    third = render_thread(condition, query="?comments-page=3")
    assert third.count('class="app-comment"') == 5
    assert "Comment 5<" in third and "Comment 1<" in third
    assert 'rel="prev"' in third and 'rel="next"' not in third


@pytest.mark.parametrize("value", ["0", "999", "abc"])
def test_a_bad_page_number_shows_a_valid_page(condition, commenter, value):
    make_comments(condition, commenter, 25)
    assert 'class="app-comment"' in render_thread(condition, query=f"?comments-page={value}")


def test_no_pagination_for_a_single_page(condition, commenter):
    make_comments(condition, commenter, 3)
    assert "nhsuk-pagination" not in render_thread(condition)


def test_anonymous_reader_sees_sign_in_to_comment_with_a_way_back(condition):
    html = render_thread(condition)
    assert '<a href="/account/sign-in/?next=%2Fconditions%2Fdystonia%2F%23comments">Sign in to comment</a>' in html
    assert '<a href="/account/create/?next=%2Fconditions%2Fdystonia%2F%23comments">create an account</a>' in html
    assert "<textarea" not in html


def test_signed_in_reader_sees_the_form(condition, commenter):
    html = render_thread(condition, user=commenter)
    assert 'action="/comments/dystonia/add/"' in html
    assert "<textarea" in html
    assert "Sign in to comment" not in html


def test_closed_guide_shows_no_form(condition, commenter):
    CommentSettings.objects.create(page=condition, closed=True)
    html = render_thread(condition, user=commenter)
    assert "Comments are closed." in html
    assert "<textarea" not in html


def test_only_the_author_sees_delete(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter)
    assert f"/comments/{comment.pk}/delete/" in render_thread(condition, user=commenter)
    assert f"/comments/{comment.pk}/delete/" not in render_thread(condition, user=other_commenter)
    assert f"/comments/{comment.pk}/delete/" not in render_thread(condition)


def test_thread_queries_do_not_grow_with_comments_and_a_member_costs_none_until_their_version_moves(
    condition, commenter, other_commenter, django_assert_num_queries
):
    for n in range(50):
        make_comment(condition, commenter if n % 2 else other_commenter)
    Report.objects.create(
        comment=Comment.objects.filter(author=other_commenter).first(), reporter=commenter, reason=Report.Reason.SPAM
    )
    with django_assert_num_queries(7) as captured:
        # Outside the condition page (whose one query joins the settings and thread rows) and
        # with an account not read by the sign-in backend (which joins its version):
        # 1. the member's own version (accounts.MemberVersion)
        # 2. which comments here they reported
        # 3. their own comments here waiting for a moderator (a member who is not staff
        #    cannot be a moderator, so no permission queries: comments.models.is_moderator)
        # 4. their published comments here that they can still change
        # 5. the guide's comment settings
        # 6. the thread's row, whose triggers keep the count of visible comments (heading, pagination)
        # 7. one page of 20 comments JOINed with their authors, kept for every reader after
        html = render_thread(condition, user=commenter)
    assert html.count('class="app-comment"') == 20
    assert "JOIN" in captured.captured_queries[6]["sql"]
    assert html.count("You reported this") == 1
    # As the condition page finds the page (with the thread's versions) and the account (with
    # its version): the page of comments is kept, each member's own parts are kept under their
    # version, and a member whose version has not moved costs no query at all.
    page = find_page(slug=condition.slug)
    member, other = (MemberBackend().get_user(user.pk) for user in (commenter, other_commenter))
    with django_assert_num_queries(4):  # 2 to 4 above, and 7 once for everyone
        render_thread(page, user=member)
    with django_assert_num_queries(0):
        assert render_thread(page, user=member).count("You reported this") == 1
    with django_assert_num_queries(3):  # their own 2 to 4
        html = render_thread(page, user=other)
    assert html.count('class="app-comment"') == 20
    assert "You reported this" not in html
    assert html.count("/delete/") == 10  # their own ten of the twenty shown


def test_condition_page_queries_do_not_grow_with_comments(client, condition, commenter):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_comments(condition, commenter, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(condition.get_absolute_url())
    make_comments(condition, commenter, 50)
    caches["fragments"].clear()  # compare cold with cold
    with CaptureQueriesContext(connection) as many:
        response = client.get(condition.get_absolute_url())
    assert "The 53 comments posted" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_sub_pages_show_no_comments(client, condition, commenter):
    make_comments(condition, commenter, 2)
    html = client.get(condition.subpages.first().get_absolute_url()).content.decode()
    assert "comments posted" not in html
    assert "Add your comment" not in html


def test_comments_posted_before_the_latest_review_say_so(condition, commenter):
    # Reviewed 19 June 2013. Half past midnight that day in London is still 18 June in UTC.
    make_comment(condition, commenter, text="Before", created_at=datetime.datetime(2013, 6, 18, 23, 30, tzinfo=LONDON))
    make_comment(
        condition, commenter, text="Same day", created_at=datetime.datetime(2013, 6, 19, 0, 30, tzinfo=LONDON)
    )
    html = render_thread(condition)
    before, same_day = html.index(">Before<"), html.index(">Same day<")
    note = "Posted before this page was last reviewed on 19 June 2013"
    assert html.count(note) == 1
    # Newest first: the note sits with the earlier comment, after the one from the review day.
    assert same_day < html.index(note) < before


def test_thread_shows_display_names_and_never_usernames_or_emails(condition, commenter, other_commenter):
    commenter.profile.display_name = "Quiet Owl"
    commenter.profile.save()
    other_commenter.profile.display_name = "Night Heron"
    other_commenter.profile.save()
    make_comment(condition, commenter, text="It helps to rest.")
    make_comment(condition, other_commenter, text="Botox every 12 weeks.")
    html = render_thread(condition)
    assert "Quiet Owl said on" in html
    assert "Night Heron said on" in html
    assert "commenter" not in html
    assert "@example.org" not in html


def test_signed_out_readers_are_told_commenting_needs_a_confirmed_email(condition):
    html = render_thread(condition)
    assert "Commenting needs an account with a confirmed email address" in html
    assert "reading, rating and reporting comments do not need an account" in html


# Your own content: held comments, your own comments, comments you reported


def signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def page_html(client, page):
    return client.get(page.get_absolute_url()).content.decode()


def cached_items():
    """Everything in the condition pages' cache: (key, value as text)."""
    from django.core.cache import caches

    cache = caches["fragments"]
    # LocMemCache's keys are ":<version>:<key>".
    keys = [key.split(":", 2)[2] for key in list(cache._cache)]
    return [(key, str(cache.get(key))) for key in keys]


def cached_values():
    """Everything in the condition pages' cache, as text."""
    return [value for _, value in cached_items()]


def test_the_author_sees_their_held_and_hidden_comments_marked_and_can_delete_them(condition, commenter):
    held = make_comment(condition, commenter, text="Held words, my number is 07700 900123.", status="held")
    hidden = make_comment(condition, commenter, text="Reported words.", status="hidden")
    make_comment(condition, commenter, text="Removed words.", status="removed")
    html = render_thread(condition, user=commenter)
    assert html.count("Waiting for a moderator") == 2
    assert "Held words, my number is 07700 900123." in html
    assert "It will appear on the page once a moderator has checked it." in html
    assert "It was reported, so it is hidden until a moderator has checked it." in html
    assert "Removed words." not in html
    assert f"/comments/{held.pk}/delete/" in html
    assert f"/comments/{hidden.pk}/delete/" in html
    assert f"/comments/{held.pk}/edit/" in html  # held comments can be changed in the first 15 minutes
    assert f"/comments/{hidden.pk}/edit/" not in html  # a hidden one cannot, while a moderator checks it
    # They do not count as posted: readers cannot see them.
    assert "There are no comments yet." in html


def test_nobody_else_sees_an_authors_held_comment_in_the_thread(condition, commenter, other_commenter, moderator):
    make_comment(condition, commenter, text="Held words.", status="held")
    for user in (None, other_commenter, moderator):
        html = render_thread(condition, user=user)
        assert "Held words." not in html
        assert "Waiting for a moderator" not in html


def test_the_author_is_not_offered_to_report_their_own_comment(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter, text="My own words.")
    assert f"/comments/{comment.pk}/report/" not in render_thread(condition, user=commenter)
    assert f"/comments/{comment.pk}/report/" in render_thread(condition, user=other_commenter)
    assert f"/comments/{comment.pk}/report/" in render_thread(condition)


def test_a_member_who_reported_a_comment_sees_you_reported_this(condition, commenter, other_commenter, moderator):
    from comments.services import comment_report

    reported = make_comment(condition, commenter, text="Reported by the other commenter.")
    other = make_comment(condition, commenter, text="Not reported.")
    comment_report(comment=reported, reason="spam", reporter=other_commenter)
    html = render_thread(condition, user=other_commenter)
    assert "You reported this" in html
    assert f"/comments/{reported.pk}/report/" not in html
    assert f"/comments/{other.pk}/report/" in html
    # Someone else still has the link.
    assert "You reported this" not in render_thread(condition, user=moderator)
    assert f"/comments/{reported.pk}/report/" in render_thread(condition, user=moderator)


def test_an_anonymous_reader_who_reported_sees_you_reported_this_and_no_one_else_does(condition, commenter):
    from django.test import Client

    reported = make_comment(condition, commenter, text="Reported anonymously.")
    reporter = Client()
    page_html(Client(), condition)  # a shared reader fills the cache first
    reporter.post(reported.get_report_url(), {"reason": "spam", "details": ""}, HTTP_SEC_FETCH_SITE="same-origin")
    assert Report.objects.filter(reporter__isnull=True, comment=reported).exists()

    html = page_html(reporter, condition)
    assert "You reported this" in html
    assert f"/comments/{reported.pk}/report/" not in html
    # Nothing of theirs reached the cache that others are served from.
    assert any("Reported anonymously." in value for value in cached_values())  # the shared thread
    assert not [value for value in cached_values() if "You reported this" in value]
    for other in (Client(), signed_in(commenter)):
        html = page_html(other, condition)
        assert "You reported this" not in html
    assert f"/comments/{reported.pk}/report/" in page_html(Client(), condition)


def test_an_anonymous_reader_with_a_session_and_no_reports_here_gets_the_shared_thread(
    condition, commenter, django_assert_num_queries
):
    from django.test import Client

    from comments.services import comment_report

    comments = make_comments(condition, commenter, 3)
    reader = Client()
    page_html(reader, condition)
    session = reader.session
    session["seen"] = True  # any session, as a rating would start
    session.save()
    reader.cookies["sessionid"] = session.session_key
    comment_report(comment=comments[0], reason="spam", session_hash="someone-else", address_hash="a")
    page_html(Client(), condition)  # the shared thread, cached at this version
    with django_assert_num_queries(4):
        # 1. the session  2. the page with its versions  3. this reader's rating  4. their reports on this
        # page's comments (none: the thread is the cached one everyone gets)
        html = page_html(reader, condition)
    assert "You reported this" not in html
    assert html.count("Report this content as offensive or unsuitable") == 3


def test_an_authors_view_never_reaches_what_other_readers_are_served(condition, commenter, other_commenter, moderator):
    from django.test import Client

    from comments.services import comment_report

    make_comments(condition, other_commenter, 3)
    mine = make_comment(condition, commenter, text="Published words of mine.")
    make_comment(condition, commenter, text="Held words of mine, call 07700 900123.", status="held")
    theirs = make_comment(condition, other_commenter, text="Words I reported.")
    comment_report(comment=theirs, reason="spam", reporter=commenter)

    author = signed_in(commenter)
    html = page_html(author, condition)
    assert "Waiting for a moderator" in html and "You reported this" in html
    assert f"/comments/{mine.pk}/delete/" in html

    # What is theirs is kept only under their own version (page_cache.member_key), which no
    # other reader's key can name.
    own = f":{member_version(commenter)}:"
    assert own.startswith(f":{commenter.pk}:")
    theirs_alone = [value for key, value in cached_items() if own in key]
    assert any("Held words of mine" in value for value in theirs_alone)
    values = [value for key, value in cached_items() if own not in key]
    assert any("Part 1" in value for value in values)  # the guide's content, cached for everyone
    for value in values:
        assert "Held words of mine" not in value
        assert "Waiting for a moderator" not in value
        assert "You reported this" not in value
        assert f"/comments/{mine.pk}/delete/" not in value
    for other in (Client(), signed_in(other_commenter), signed_in(moderator)):
        html = page_html(other, condition)
        assert "Published words of mine." in html
        assert "Held words of mine" not in html
        assert "Waiting for a moderator" not in html
        assert "You reported this" not in html
        assert f"/comments/{mine.pk}/delete/" not in html
        assert f"/comments/{mine.pk}/report/" in html
    # And the author's own page stays theirs after the others have filled the cache.
    assert "Waiting for a moderator" in page_html(author, condition)


def test_each_member_gets_the_kept_blank_form_with_their_own_fresh_timestamp(
    client_for, condition, commenter, other_commenter, settings
):
    """The blank form's fields are kept as HTML with a slot for the timestamp token (comments_tags
    ._form_fields): each page carries a new one, and a comment sent with it is accepted."""
    import re

    from django.core import signing

    from comments.forms import FORM_SALT

    settings.COMMENT_MIN_SECONDS = 0
    tokens = []
    for member in (commenter, other_commenter, commenter):
        html = client_for(member).get(condition.get_absolute_url()).content.decode()
        assert 'id="id_text"' in html and "Read the <a" in html
        tokens.append(re.search(r'name="started" value="([^"]+)"', html).group(1))
    assert all(signing.TimestampSigner(salt=FORM_SALT).unsign(token) for token in tokens)
    member = client_for(commenter)
    posted = member.post(
        f"/comments/{condition.slug}/add/", {"text": "Sent from the kept form.", "website": "", "started": tokens[0]}
    )
    assert posted.status_code == 302
    assert Comment.objects.filter(text="Sent from the kept form.", author=commenter).exists()
