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


# Ratings and comments on a cached page: fresh after every change, and nobody's own parts shared.


def test_a_new_rating_shows_at_once_on_a_cached_page(reader, condition):
    from ratings.services import rating_submit

    rating_submit(page=condition, session_hash="a" * 40, score=5)
    assert "Based on 1 rating" in html(reader.get(condition.get_absolute_url()))
    rating_submit(page=condition, session_hash="b" * 40, score=3)
    assert "Based on 2 ratings" in html(reader.get(condition.get_absolute_url()))


def test_each_reader_gets_their_own_csrf_token_and_only_their_own_score(condition):
    from django.test import Client

    first, second = Client(), Client()
    first.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "2"})
    rated = html(first.get(condition.get_absolute_url()))
    assert "You gave this page 2 stars." in rated
    unrated_one = second.get(condition.get_absolute_url())
    unrated_two = Client().get(condition.get_absolute_url())
    assert "You gave this page" not in html(unrated_one)
    token_one = unrated_one.cookies["csrftoken"].value
    token_two = unrated_two.cookies["csrftoken"].value
    assert token_one != token_two
    # A form token is the reader's own cookie secret, masked: it checks against that cookie only.
    from django.middleware.csrf import _unmask_cipher_token

    def form_token(response):
        page = html(response)
        start = page.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
        return page[start : page.index('"', start)]

    assert _unmask_cipher_token(form_token(unrated_one)) == token_one
    assert _unmask_cipher_token(form_token(unrated_two)) == token_two


def test_a_rating_sent_from_a_cached_page_is_accepted(condition):
    from django.test import Client

    from ratings.models import Rating

    client = Client(enforce_csrf_checks=True)
    client.get(condition.get_absolute_url())  # fills the cache
    response = client.get(condition.get_absolute_url())  # served from it
    page = html(response)
    start = page.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
    token = page[start : page.index('"', start)]
    posted = client.post(f"/ratings/pages/{condition.pk}/rate/", {"score": "4", "csrfmiddlewaretoken": token})
    assert posted.status_code == 302
    assert Rating.objects.get(page=condition).score == 4


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


def test_a_cached_page_sets_the_readers_csrf_cookie(condition):
    from django.test import Client

    Client().get(condition.get_absolute_url())
    response = Client().get(condition.get_absolute_url())
    assert response.cookies["csrftoken"].value
    assert "csrf-token-slot" not in html(response)


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
