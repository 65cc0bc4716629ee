"""The condition page's fragment caches: never stale after an edit, never shared across readers' own parts."""

import pytest

from conditions.models import Page, RelatedLink
from tests.conftest import app_section

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


# Ratings and comments on a cached page: fresh after every change, and nobody's own parts shared.


def test_a_new_rating_shows_at_once_on_a_cached_page(reader, condition):
    from ratings.services import rating_submit

    rating_submit(page=condition, session_hash="a" * 40, score=5)
    assert "Based on 1 rating" in html(reader.get(condition.get_absolute_url()))
    rating_submit(page=condition, session_hash="b" * 40, score=3)
    assert "Based on 2 ratings" in html(reader.get(condition.get_absolute_url()))


def test_signed_out_readers_get_the_same_bytes_and_only_a_rater_sees_their_score(condition):
    from django.test import Client

    first = Client()
    first.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "2"})
    assert "You gave this page 2 stars." in html(first.get(condition.get_absolute_url()))
    one = Client().get(condition.get_absolute_url())  # fills the cache
    two = Client().get(condition.get_absolute_url())  # served from it
    assert one.content == two.content
    assert "You gave this page" not in html(one)
    assert "csrfmiddlewaretoken" not in html(one)
    assert not one.cookies and not two.cookies


def test_a_rating_sent_from_a_cached_page_is_accepted(condition):
    from django.test import Client

    from ratings.models import Rating

    client = Client(enforce_csrf_checks=True)
    client.get(condition.get_absolute_url())  # fills the cache
    client.get(condition.get_absolute_url())  # served from it: no token in its form
    posted = client.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "4"}, HTTP_SEC_FETCH_SITE="same-origin")
    assert posted.status_code == 302
    assert Rating.objects.get(page=condition).score == 4


def test_a_signed_in_readers_page_carries_their_own_token_and_is_not_shared(client_for, commenter, condition):
    from django.middleware.csrf import _unmask_cipher_token

    response = client_for(commenter).get(condition.get_absolute_url())
    page = html(response)
    start = page.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
    assert _unmask_cipher_token(page[start : page.index('"', start)]) == response.cookies["csrftoken"].value
    assert response["Cache-Control"] == "private, no-store"


def test_new_and_hidden_comments_show_at_once_on_a_cached_thread(reader, condition, commenter):
    from comments.models import Comment

    first = Comment.objects.create(page=condition, author=commenter, text="First thoughts", text_hash="1")
    assert "First thoughts" in html(reader.get(condition.get_absolute_url()))
    Comment.objects.create(page=condition, author=commenter, text="Second thoughts", text_hash="2")
    page = html(reader.get(condition.get_absolute_url()))
    assert "First thoughts" in page and "Second thoughts" in page
    first.status = Comment.Status.HIDDEN
    first.save(update_fields=["status"])
    page = html(reader.get(condition.get_absolute_url()))
    assert "First thoughts" not in page and "Second thoughts" in page


def test_closing_comments_shows_at_once_on_a_cached_thread(reader, condition):
    from comments.models import CommentSettings

    assert "Sign in to comment" in html(reader.get(condition.get_absolute_url()))
    CommentSettings.objects.create(page=condition, closed=True)
    page = html(reader.get(condition.get_absolute_url()))
    assert "Comments are closed." in page
    assert "Sign in to comment" not in page


def test_a_deleted_account_shows_as_a_former_member_at_once(reader, condition, commenter):
    from comments.models import Comment

    Comment.objects.create(page=condition, author=commenter, text="My view", text_hash="1")
    assert "commenter said on" in html(reader.get(condition.get_absolute_url()))
    commenter.delete()
    page = html(reader.get(condition.get_absolute_url()))
    assert "A former member said on" in page


def test_authors_delete_links_never_reach_other_readers(reader, client_for, condition, commenter):
    from comments.models import Comment

    Comment.objects.create(page=condition, author=commenter, text="My view", text_hash="1")
    assert "Delete<span" in html(client_for(commenter).get(condition.get_absolute_url()))
    reader.logout()
    page = html(reader.get(condition.get_absolute_url()))
    assert "My view" in page
    assert "Delete<span" not in page
    assert "Post comment" not in page


def test_comment_pages_are_cached_apart(reader, condition, commenter):
    from comments.models import Comment

    for number in range(1, 26):
        Comment.objects.create(
            page=condition, author=commenter, text=f"Comment number {number}.", text_hash=f"{number}"
        )
    first = html(reader.get(condition.get_absolute_url()))
    second = html(reader.get(condition.get_absolute_url() + "?comments-page=2"))
    assert "Comment number 25." in first and "Comment number 1." not in first
    assert "Comment number 1." in second and "Comment number 25." not in second


# The whole page for readers with nothing of their own on it.


def test_rating_from_a_cached_page_then_shows_the_readers_message_and_score(condition):
    from django.test import Client

    Client().get(condition.get_absolute_url())  # another reader fills the cache
    reader = Client()
    response = reader.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "5"}, follow=True)
    page = html(response)
    assert "Thank you, your rating has been saved." in page
    assert "You gave this page 5 stars." in page
    assert "You gave this page" not in html(Client().get(condition.get_absolute_url()))


def test_cached_pages_differ_by_address_and_query(reader, condition):
    plain = html(reader.get(condition.get_absolute_url()))
    searched = html(reader.get(condition.get_absolute_url() + "?q=neck+pain"))
    assert 'value="neck pain"' in searched
    assert 'value="neck pain"' not in plain
    causes = html(reader.get(condition.subpages.get(slug="causes").get_absolute_url()))
    assert "Causes of dystonia" in causes


def test_a_cached_page_sets_no_cookie_and_may_be_kept_by_a_shared_cache(condition, settings):
    from django.test import Client

    settings.PAGE_CACHE_SECONDS, settings.PAGE_CACHE_STALE_SECONDS = 10, 30
    Client().get(condition.get_absolute_url())
    response = Client().get(condition.get_absolute_url())
    assert not response.cookies
    assert response["Cache-Control"] == "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
    assert "Cookie" in response["Vary"]


def test_a_page_for_a_reader_with_a_session_is_private(condition):
    from django.test import Client

    reader = Client()
    rated = reader.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "4"})
    assert rated.cookies["sessionid"].value
    assert rated["Cache-Control"] == "private, no-store"
    response = reader.get(condition.get_absolute_url())
    assert response["Cache-Control"] == "private, no-store"
    assert "You gave this page 4 stars." in html(response)


def test_only_a_reader_with_no_session_and_nobody_signed_in_is_shared(rf, commenter):
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import SimpleLazyObject

    from conditions.page_cache import is_shared_reader

    request = rf.get("/")
    request.user = SimpleLazyObject(AnonymousUser)  # as AuthenticationMiddleware leaves it, unread
    assert is_shared_reader(request)
    request.user = SimpleLazyObject(lambda: commenter)
    request.user.is_authenticated  # noqa: B018 - read, as a view that signed someone in would have
    assert not is_shared_reader(request)
    request.user = commenter  # set outright (django.contrib.auth.login does)
    assert not is_shared_reader(request)
    assert not is_shared_reader(rf.get("/", HTTP_COOKIE="sessionid=abc"))
    assert not is_shared_reader(rf.get("/", HTTP_COOKIE="messages=abc"))


def test_a_comment_holding_the_old_csrf_placeholder_is_shown_as_written(condition, commenter):
    from django.test import Client

    from tests.comments.factories import make_comment

    placeholder = "csrf-token-slot-filled-per-response"
    make_comment(condition, commenter, text=f"Odd text: {placeholder}")
    Client().get(condition.get_absolute_url())
    page = html(Client().get(condition.get_absolute_url()))
    assert f"Odd text: {placeholder}" in page


def test_cached_condition_pages_carry_no_csp_nonce(reader, condition):
    # A whole page is cached for readers with no session; a CSP nonce in it would be frozen
    # while each response's header carries a new one. Scripts are files (see base.html).
    reader.get(condition.get_absolute_url())
    response = reader.get(condition.get_absolute_url())
    assert "nonce=" not in html(response)


def test_made_up_query_strings_are_not_cached(reader, condition):
    from django.core.cache import caches

    reader.get(condition.get_absolute_url() + "?utm=1")
    reader.get(condition.get_absolute_url() + "?comments-page=" + "9" * 50)
    assert not [key for key in caches["fragments"]._cache if ":conditions:page:" in key]
    assert not [key for key in caches["fragments"]._cache if ":comments:thread:" in key]
    reader.get(condition.get_absolute_url() + "?comments-page=2")
    assert [key for key in caches["fragments"]._cache if ":conditions:page:" in key]


# Versions exact by construction (issue 11): each of these left signed-out readers with a
# page that was no longer true while the versions were fingerprints worked out at read time.


def test_swapping_which_comments_are_published_shows_at_once(reader, condition, commenter, moderator):
    from comments.models import Comment
    from comments.services import comment_reinstate, comment_remove
    from tests.comments.factories import make_comment

    comments = [make_comment(condition, commenter, text=f"Comment {n} of five.") for n in range(1, 6)]
    for held in (comments[1], comments[2]):
        Comment.objects.filter(pk=held.pk).update(status=Comment.Status.HELD)
    before = html(reader.get(condition.get_absolute_url()))
    assert all(f"Comment {n} of five." in before for n in (1, 4, 5))
    # {1, 4, 5} becomes {2, 3, 5}: the same count, highest id and sum of ids.
    for removed in (comments[0], comments[3]):
        comment_remove(comment=removed, moderator=moderator)
    for reinstated in (comments[1], comments[2]):
        comment_reinstate(comment=reinstated, moderator=moderator)
    after = html(reader.get(condition.get_absolute_url()))
    assert "Comment 1 of five." not in after and "Comment 4 of five." not in after
    assert all(f"Comment {n} of five." in after for n in (2, 3, 5))


def test_deleting_a_subpage_drops_it_from_its_guide_at_once(reader, condition):
    symptoms = condition.subpages.get(slug="symptoms")
    url = symptoms.get_absolute_url()
    assert url in html(reader.get(condition.get_absolute_url()))
    symptoms.delete()  # not the guide's most recently changed page
    assert url not in html(reader.get(condition.get_absolute_url()))
    assert reader.get(url).status_code == 404


def test_moving_a_subpage_to_another_guide_changes_both_at_once(reader, condition, make_page):
    tremor = make_page("Tremor", sections=0)
    symptoms = condition.subpages.get(slug="symptoms")
    old_url = symptoms.get_absolute_url()
    assert old_url in html(reader.get(condition.get_absolute_url()))
    reader.get(tremor.get_absolute_url())
    symptoms.parent = tremor
    symptoms.save()
    assert old_url not in html(reader.get(condition.get_absolute_url()))
    assert "/conditions/tremor/symptoms/" in html(reader.get(tremor.get_absolute_url()))


def test_a_section_saved_on_its_own_shows_at_once(reader, condition):
    reader.get(condition.get_absolute_url())
    section = condition.sections.get(anchor="part-2")
    section.body = "Written in the shell."
    section.save()  # the page itself is not saved
    assert "Written in the shell." in html(reader.get(condition.get_absolute_url()))


def test_a_related_link_saved_on_its_own_shows_at_once(reader, condition):
    reader.get(condition.get_absolute_url())
    RelatedLink.objects.create(page=condition, order=9, title="Link added in bulk", url="https://example.org/bulk")
    assert "Link added in bulk" in html(reader.get(condition.get_absolute_url()))
    RelatedLink.objects.filter(title="Link added in bulk").delete()
    assert "Link added in bulk" not in html(reader.get(condition.get_absolute_url()))


def test_comment_settings_saved_on_their_own_show_at_once(reader, condition):
    from comments.models import CommentSettings

    thread_settings = CommentSettings.objects.create(page=condition, closed=True)
    assert "Comments are closed." in html(reader.get(condition.get_absolute_url()))
    thread_settings.closed = False
    thread_settings.save()
    assert "Comments are closed." not in html(reader.get(condition.get_absolute_url()))


def test_renaming_an_author_shows_their_new_name_at_once(reader, condition, commenter):
    """Readers see the display name (issue 16); a trigger moves the thread's version when it changes."""
    from tests.comments.factories import make_comment

    make_comment(condition, commenter, text="My view")
    assert "commenter said on" in html(reader.get(condition.get_absolute_url()))
    commenter.profile.display_name = "renamed-reader"
    commenter.profile.save()
    page = html(reader.get(condition.get_absolute_url()))
    assert "renamed-reader said on" in page
    assert "commenter said on" not in page


def page_tokens(page):
    marker = 'name="csrfmiddlewaretoken" value="'
    tokens, start = [], page.find(marker)
    while start != -1:
        start += len(marker)
        tokens.append(page[start : page.index('"', start)])
        start = page.find(marker, start)
    return tokens


def test_members_share_the_cached_blocks_but_each_gets_their_own_working_token(
    client_for, commenter, other_commenter, condition
):
    """The rating block and comment form are cached once for every member (conditions.page_cache
    .get_or_build_with_token), with a slot where the token goes: each member's page carries
    their own token in every form, and a rating sent with it, token checked, is accepted."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    from ratings.models import Rating

    seen = []
    for member in (commenter, other_commenter):
        client = Client(enforce_csrf_checks=True)
        client.force_login(member)
        client.get(condition.get_absolute_url())
        response = client.get(condition.get_absolute_url())  # served from the shared blocks
        tokens = page_tokens(html(response))
        # Sign out, the rating form, the feedback form and the comment form: all theirs.
        assert len(tokens) == 4
        secret = client.cookies["csrftoken"].value
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
        seen.append(secret)
        posted = client.post(
            f"/ratings/pages/{condition.pk}/rate/",
            {"score": "4", "csrfmiddlewaretoken": tokens[1]},
            HTTP_SEC_FETCH_SITE="same-origin",
        )
        assert posted.status_code == 302
        assert Rating.objects.filter(page=condition, user=member).get().score == 4
    assert seen[0] != seen[1]


def test_a_members_cached_rating_block_is_for_their_score_only(client_for, commenter, other_commenter, condition):
    from ratings.services import rating_submit

    rating_submit(page=condition, score=2, user=commenter)
    rating_submit(page=condition, score=5, user=other_commenter)
    for _ in range(2):  # the second time from the cache
        mine = html(client_for(commenter).get(condition.get_absolute_url()))
        theirs = html(client_for(other_commenter).get(condition.get_absolute_url()))
        assert "You gave this page 2 stars." in mine and "You gave this page 5 stars." not in mine
        assert "You gave this page 5 stars." in theirs and "You gave this page 2 stars." not in theirs
        # Two stars or fewer asks what was wrong; five does not.
        assert "data-rating-feedback hidden" not in mine
        assert "data-rating-feedback hidden" in theirs


def test_html_kept_with_slots_gets_each_readers_own_values_and_never_keeps_them():
    from django.core.cache import caches

    from conditions.page_cache import FRAGMENTS, get_or_build_with_slots

    builds = []

    def build(context):
        builds.append(context)
        return f"<p>{context.get('a', 'A')} and {context.get('b', 'B')}, {context.get('a', 'A')} again</p>"

    asked = []

    def value(name, text):
        return lambda: asked.append(name) or text

    first = get_or_build_with_slots("test:slots", build, {"a": value("a", "ann"), "b": value("b", "bob")})
    second = get_or_build_with_slots("test:slots", build, {"a": value("a", "cat"), "b": value("b", "dan")})
    assert first == "<p>ann and bob, ann again</p>"
    assert second == "<p>cat and dan, cat again</p>"
    assert len(builds) == 1  # built once, with stand-ins
    kept = repr(caches[FRAGMENTS].get("test:slots"))
    assert not any(name in kept for name in ("ann", "bob", "cat", "dan"))
    assert sorted(asked) == ["a", "a", "b", "b"]  # each value worked out once per reader

    unused = get_or_build_with_slots("test:no-slots", lambda context: "<p>plain</p>", {"a": value("x", "never")})
    assert unused == "<p>plain</p>" and "x" not in asked
    assert get_or_build_with_slots(None, build, {"a": value("a", "ann")}) == "<p>A and B, A again</p>"


# A member's own parts, kept under their own version (accounts.MemberVersion): their page
# follows every write to what is theirs, however it was made, and holds nobody else's.


def _change_their_score_by_update(member, page):
    from ratings.models import Rating

    Rating.objects.filter(user=member, page=page).update(score=1)
    return "You gave this page 1 star."


def _report_by_the_orm(member, page):
    from comments.models import Comment, Report

    Report.objects.create(comment=Comment.objects.get(text="Someone else's words."), reporter=member, reason="spam")
    return "You reported this"


def _hold_their_comment_by_update(member, page):
    from comments.models import Comment

    Comment.objects.filter(author=member).update(status=Comment.Status.HELD)
    return "Waiting for a moderator"


def _rename_them_in_the_shell(member, page):
    from accounts.models import Profile

    Profile.objects.filter(user=member).update(display_name="Renamed reader")
    return "Renamed reader"


THEIR_WRITES = [
    _change_their_score_by_update,
    _report_by_the_orm,
    _hold_their_comment_by_update,
    _rename_them_in_the_shell,
]


@pytest.mark.parametrize("write", THEIR_WRITES)
def test_a_members_page_shows_every_change_to_what_is_theirs_at_once(
    client_for, commenter, other_commenter, condition, write
):
    from comments.models import Comment
    from ratings.services import rating_submit
    from tests.comments.factories import make_comment

    rating_submit(page=condition, user=commenter, score=4)
    make_comment(condition, commenter, text="My own words.")
    make_comment(condition, other_commenter, text="Someone else's words.")
    client = client_for(commenter)
    for _ in range(2):  # the second time, all of it from the cache
        before = html(client.get(condition.get_absolute_url()))
    assert "You gave this page 4 stars." in before and "My own words." in before
    shown = write(commenter, condition)
    assert shown not in before
    after = html(client.get(condition.get_absolute_url()))
    assert shown in after
    if write is _hold_their_comment_by_update:
        # Readers no longer see it; its author still does, marked as waiting.
        assert "My own words." in after
        assert Comment.objects.visible().filter(author=commenter).count() == 0


def test_a_member_whose_rating_is_taken_back_sees_the_form_again(client_for, commenter, condition):
    from ratings.models import Rating
    from ratings.services import rating_submit

    rating_submit(page=condition, user=commenter, score=4)
    client = client_for(commenter)
    for _ in range(2):
        assert "You gave this page 4 stars." in html(client.get(condition.get_absolute_url()))
    Rating.objects.filter(user=commenter).delete()
    page = html(client.get(condition.get_absolute_url()))
    assert "You gave this page" not in page
    assert "How helpful is this page?" in page


def test_the_change_link_goes_when_the_edit_window_closes(client_for, commenter, condition, monkeypatch):
    import datetime

    from comments.templatetags import comments_tags
    from tests.comments.factories import make_comment

    comment = make_comment(condition, commenter, text="Just posted.")
    client = client_for(commenter)
    for _ in range(2):
        assert f"/comments/{comment.pk}/edit/" in html(client.get(condition.get_absolute_url()))
    # No write at all: only time passes, and the kept thread must not outlive the window.
    monkeypatch.setattr(comments_tags, "EDIT_WINDOW", datetime.timedelta(0))
    page = html(client.get(condition.get_absolute_url()))
    assert f"/comments/{comment.pk}/edit/" not in page
    assert f"/comments/{comment.pk}/delete/" in page


def test_members_parts_are_kept_for_them_alone(client_for, commenter, other_commenter, condition):
    from django.test import Client

    from accounts.models import MemberVersion
    from ratings.services import rating_submit
    from tests.comments.factories import make_comment

    rating_submit(page=condition, user=commenter, score=2)
    make_comment(condition, commenter, text="Held words of mine.", status="held")
    clients = {}
    for member in (commenter, other_commenter):
        clients[member] = Client()
        clients[member].force_login(member)  # signing in moves their version (last_login)
    for member in (commenter, other_commenter, commenter, other_commenter):
        page = html(clients[member].get(condition.get_absolute_url()))
        mine = member == commenter
        assert ("Held words of mine." in page) is mine
        assert ("You gave this page 2 stars." in page) is mine
    row = MemberVersion.objects.get(user=commenter)
    own = f":{commenter.pk}:{row.pk}.{row.version}:"
    kept = cached()
    assert any("Held words of mine." in value for key, value in kept.items() if own in key)
    for key, value in kept.items():
        if own not in key:
            assert "Held words of mine." not in value, key


def test_members_with_nothing_of_their_own_on_a_page_of_the_thread_share_one_kept_thread(
    commenter, other_commenter, make_user, condition
):
    """Most members have nothing of their own on the page of comments they read: their thread is
    kept once for all of them (with their tokens' slots), and a member's own parts take them
    out of it at once, whatever path wrote them."""
    from django.test import Client

    from comments.models import Comment, Report
    from tests.comments.factories import make_comment

    old = make_comment(condition, other_commenter, text="Words long ago.")
    Comment.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2014))
    for _ in range(20):  # push `old` to the thread's second page
        make_comment(condition, other_commenter)
    words = [make_comment(condition, other_commenter, text=f"Other words {n}.") for n in range(3)]
    third = make_user("third_member")
    Report.objects.create(comment=old, reporter=third, reason=Report.Reason.SPAM)  # not on the first page
    clients = {}
    for member in (commenter, third, other_commenter):
        clients[member] = Client()
        clients[member].force_login(member)

    def thread_of(member):
        return app_section(html(clients[member].get(condition.get_absolute_url())), "comments")

    for member in (commenter, third, commenter, third):
        thread = thread_of(member)
        assert "You reported this" not in thread and "/delete/" not in thread
        assert thread.count("Report this content as offensive or unsuitable") == 20
    kept = [key for key in cached() if key.startswith("comments:member")]
    assert [key.split(":")[1] for key in kept] == ["members-thread"]  # one, for both
    tokens = {member: page_tokens(thread_of(member)) for member in (commenter, third)}
    assert len(tokens[third]) == 1 and tokens[third] != tokens[commenter]  # each their own, in a slot
    assert not any(token in cached()[kept[0]] for token in (*tokens[third], *tokens[commenter]))
    assert "Other words 2." in thread_of(third)
    # Their own comments shown: their own thread, with their Delete links.
    assert thread_of(other_commenter).count("/delete/") == 20
    # A report on the shown page, made in the shell: at once, only for its reporter.
    Report.objects.create(comment=words[0], reporter=commenter, reason=Report.Reason.SPAM)
    assert thread_of(commenter).count("You reported this") == 1
    assert "You reported this" not in thread_of(third)
    # The reported comment on the second page shows there, for its reporter only.
    second = html(clients[third].get(condition.get_absolute_url() + "?comments-page=2"))
    assert "You reported this" in app_section(second, "comments")


def cached():
    """The condition pages' cache: {key: value as text}."""
    from django.core.cache import caches

    cache = caches["fragments"]
    keys = [key.split(":", 2)[2] for key in list(cache._cache)]  # LocMemCache's are ":<version>:<key>"
    return {key: repr(cache.get(key)) for key in keys}


def test_the_page_around_readers_own_parts_is_kept_once_and_holds_nothing_of_theirs(
    client_for, commenter, other_commenter, condition
):
    """The page is kept with holes where each reader's own parts go (conditions.page_cache
    .render_frame): built once for everyone, it holds no token, no name and no message."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    pages = {}
    for name, reader in (("anonymous", Client()), ("commenter", client_for(commenter))):
        pages[name] = html(reader.get(condition.get_absolute_url()))
    other = client_for(other_commenter)
    pages["other"] = html(other.get(condition.get_absolute_url()))
    frames = [value for key, value in cached().items() if key.startswith("conditions:frame:")]
    assert len(frames) == 1  # the same for all three readers
    frame = frames[0]
    assert "Part 1" in frame  # the guide's content
    for ones_own in ("csrfmiddlewaretoken", "Signed in as", "other_commenter", "Sign out", "Sign in", "rating-score"):
        assert ones_own not in frame
    assert "Signed in as </span>other_commenter" in pages["other"]
    assert "Signed in as" not in pages["anonymous"] and "Sign in" in pages["anonymous"]
    tokens = page_tokens(pages["other"])
    assert len(tokens) == 4 and len(set(tokens)) == 1  # one token, masked once, in all four forms
    assert _unmask_cipher_token(tokens[0]) == other.cookies["csrftoken"].value


def test_a_members_header_is_kept_for_them_without_their_token_and_goes_with_a_rename(
    commenter, other_commenter, condition
):
    """accounts.templatetags.accounts_tags.header_account: each member's links kept under their
    own version with a slot for their token, which is new on every page and still accepted."""
    from django.contrib.auth import get_user_model
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    reader, other = Client(enforce_csrf_checks=True), Client()
    reader.force_login(commenter)
    other.force_login(other_commenter)
    url = condition.get_absolute_url()
    pages = [html(reader.get(url)) for _ in range(2)] + [html(other.get(url))]
    headers = {key: value for key, value in cached().items() if key.startswith("accounts:header:")}
    assert len(headers) == 2  # one for each member
    for value in headers.values():
        assert "Signed in as" in value and "csrfmiddlewaretoken" in value
        assert reader.cookies["csrftoken"].value not in value and other.cookies["csrftoken"].value not in value
    first, second = (page_tokens(page)[0] for page in pages[:2])
    assert first != second  # masked afresh for each page
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == reader.cookies["csrftoken"].value
    assert "Signed in as </span>other_commenter" in pages[2] and "Signed in as </span>commenter" in pages[0]
    get_user_model().objects.filter(pk=commenter.pk).update(username="renamed-commenter")
    assert "Signed in as </span>renamed-commenter" in html(reader.get(url))
    signed_out = reader.post("/account/sign-out/", {"csrfmiddlewaretoken": first}, HTTP_SEC_FETCH_SITE="same-origin")
    assert signed_out.status_code == 302 and "Sign in" in html(reader.get(url))
    assert "Signed in as" not in html(Client().get(url))


def test_a_message_waiting_for_a_member_shows_on_the_kept_page(client_for, commenter, condition):
    from tests.conftest import PASSWORD

    new_password = "a-new-long-passphrase-9"  # noqa: S105 - a test account
    client = client_for(commenter)
    for _ in range(2):
        assert "notification-banner" not in html(client.get(condition.get_absolute_url()))
    changed = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert changed.status_code == 302  # the message waits for the next page they open
    page = html(client.get(condition.get_absolute_url()))
    assert "Your password has been changed." in page
    assert "Signed in as </span>commenter" in page
    assert "Your password has been changed." not in html(client.get(condition.get_absolute_url()))  # shown once


def test_a_message_waiting_for_a_signed_out_reader_shows_on_the_kept_page(client_for, commenter, condition):
    from django.test import Client

    Client().get(condition.get_absolute_url())  # the page is kept
    reader = client_for(commenter)
    reader.post("/account/sign-out/", HTTP_SEC_FETCH_SITE="same-origin")
    page = html(reader.get(condition.get_absolute_url()))
    assert "You have signed out." in page
    assert "Signed in as" not in page and "Sign in" in page


# A kept page answered by CacheHeadersMiddleware itself, before the session, CSRF and
# authentication middleware and the URL resolver (conditions.page_cache.kept_page).


def _headers(response):
    return {name: value for name, value in response.items() if name not in ("X-Request-ID", "Date")}


def test_a_kept_page_is_answered_before_the_view_with_the_views_own_bytes_and_headers(condition):
    from django.test import Client

    built = Client().get(condition.get_absolute_url())  # through the view, which keeps it
    assert hasattr(built.wsgi_request, "session")
    kept = Client().get(condition.get_absolute_url())
    assert not hasattr(kept.wsgi_request, "session")  # answered before the session middleware
    assert kept.content == built.content
    assert _headers(kept) == _headers(built)
    assert kept["X-Frame-Options"] == "DENY"
    assert kept["Content-Length"] == str(len(built.content))
    assert kept["Cache-Control"].startswith("public, ")
    head = Client().head(condition.get_absolute_url())
    assert not hasattr(head.wsgi_request, "session")
    assert _headers(head) == _headers(built)


def test_a_kept_page_costs_the_versions_query_alone_and_a_miss_reads_them_once(condition, django_assert_num_queries):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from conditions import page_cache

    Client().get(condition.get_absolute_url())
    with django_assert_num_queries(1):  # the page's versions (no listener in the tests)
        assert Client().get(condition.get_absolute_url()).status_code == 200
    section = condition.sections.first()
    counts = []
    for text, known in (("First rewrite.", False), ("Second rewrite.", True)):
        section.body = text
        section.save()  # the kept page's key moves
        if not known:
            page_cache._kept_addresses.clear()
        with CaptureQueriesContext(connection) as queries:
            assert text in html(Client().get(condition.get_absolute_url()))
        counts.append(len(queries))
    # The versions read before the view are handed to it, not read twice.
    assert counts[1] == counts[0]


def test_a_kept_subpage_deleted_or_moved_is_a_404_at_its_old_address(reader, condition, make_page):
    symptoms = condition.subpages.get(slug="symptoms")
    causes = condition.subpages.get(slug="causes")
    symptoms_url, causes_url = symptoms.get_absolute_url(), causes.get_absolute_url()
    assert reader.get(symptoms_url).status_code == 200
    assert reader.get(causes_url).status_code == 200
    symptoms.delete()
    causes.parent = make_page("Tremor", sections=0)
    causes.save()
    assert reader.get(symptoms_url).status_code == 404
    assert reader.get(causes_url).status_code == 404
    assert "Causes of dystonia" in html(reader.get("/conditions/tremor/causes/"))


def test_a_kept_page_is_never_what_a_reader_with_a_session_or_a_message_gets(client_for, commenter, condition):
    from django.test import Client

    shared = Client().get(condition.get_absolute_url()).content
    member = client_for(commenter).get(condition.get_absolute_url())
    assert member.content != shared
    assert commenter.username in html(member)
    assert member["Cache-Control"] == "private, no-store"
    stale_session = Client()
    stale_session.cookies["sessionid"] = "no-such-session"
    assert stale_session.get(condition.get_absolute_url())["Cache-Control"] == "private, no-store"
    rater = Client()
    rated = rater.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "2"}, follow=True)
    assert "You gave this page 2 stars." in html(rated)
    assert "You gave this page 2 stars." in html(rater.get(condition.get_absolute_url()))


def test_a_kept_page_is_not_served_for_another_query_a_post_or_a_host_not_allowed(
    reader, condition, django_assert_num_queries
):
    url = condition.get_absolute_url()
    reader.get(url)
    assert 'value="neck pain"' in html(reader.get(url + "?q=neck+pain"))
    with django_assert_num_queries(0):  # refused before anything is looked up
        assert reader.get(url, HTTP_HOST="evil.example").status_code == 400
    sent = reader.post(url)
    assert hasattr(sent.wsgi_request, "session")  # through the view
    assert "public" not in sent.get("Cache-Control", "")


def test_the_kept_addresses_are_forgotten_when_the_urls_change(reader, condition, settings):
    from conditions import page_cache

    reader.get(condition.get_absolute_url())
    assert condition.get_absolute_url() in page_cache._kept_addresses
    settings.ROOT_URLCONF = "dystonia_portal.urls"
    assert not page_cache._kept_addresses


def test_the_kept_addresses_are_emptied_when_full(reader, condition, make_page, monkeypatch):
    from conditions import page_cache

    monkeypatch.setattr(page_cache, "KEPT_ADDRESSES", 1)
    reader.get(condition.get_absolute_url())
    other = make_page("Tremor", sections=0)
    reader.get(other.get_absolute_url())
    assert list(page_cache._kept_addresses) == [other.get_absolute_url()]
    assert "Dystonia" in html(reader.get(condition.get_absolute_url()))
