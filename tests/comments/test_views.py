import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments.forms import form_started_token
from comments.models import Comment, CommentSettings, Report
from conditions.models import Page
from tests.conftest import app_section, confirmation_opening

from .factories import make_comment

pytestmark = pytest.mark.django_db


def post_url(page):
    return reverse("comments:post", args=[page.slug])


def comment_data(text, **extra):
    return {"text": text, "website": "", "started": form_started_token(), **extra}


# Posting


def test_commenter_posts_a_comment_and_sees_it_on_the_page(client_for, commenter, condition):
    client = client_for(commenter)
    response = client.post(post_url(condition), comment_data("Botox every 12 weeks helps me."), follow=True)
    comment = Comment.objects.get()
    assert response.redirect_chain[0][0] == "/conditions/dystonia/#comments-confirmation"
    html = response.content.decode()
    assert "Your comment has been posted." in html
    assert "Botox every 12 weeks helps me." in html
    assert "commenter said on" in html
    assert comment.author == commenter
    assert comment.page == condition
    assert comment.status == Comment.Status.PUBLISHED


def test_anonymous_reader_is_sent_to_sign_in_and_nothing_is_posted(reader, condition):
    response = reader.post(post_url(condition), comment_data("Hello."))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signin") + "?next=")
    assert not Comment.objects.exists()


def test_the_comment_form_page_shows_the_form(client_for, commenter, condition):
    response = client_for(commenter).get(post_url(condition))
    assert response.status_code == 200
    assert "Add a comment on Dystonia" in response.content.decode()
    assert 'name="started"' in response.content.decode()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Enter your comment"),
        ("   \n  ", "Enter your comment"),
        ("a" * 2001, "Your comment must be 2000 characters or fewer (it has 2001)"),
        ("Hello\x00there", "hidden control characters"),
        ("Hello\x1bthere", "hidden control characters"),
    ],
)
def test_bad_text_is_refused_with_an_error_summary_and_the_text_kept(client_for, commenter, condition, text, error):
    response = client_for(commenter).post(post_url(condition), comment_data(text))
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert error in html
    if text.strip() and "\x00" not in text:
        assert text.replace("\x1b", "") in html.replace("\x1b", "")
    assert not Comment.objects.exists()


def test_an_empty_comment_sent_quickly_shows_one_error_on_the_condition_page(
    client_for, commenter, condition, settings
):
    settings.COMMENT_MIN_SECONDS = 3
    response = client_for(commenter).post(post_url(condition), comment_data(""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Dystonia" in html
    assert "Part 1" in html  # the condition page itself, with its content
    assert html.count("Enter your comment") == 2  # in the error summary and above the box
    assert "That was very quick" not in html
    assert html.count('class="nhsuk-error-summary"') == 1
    assert '<a href="#id_text">Enter your comment</a>' in html
    # The summary is beside the form, under the comments, where the reader is looking.
    assert html.index("nhsuk-error-summary") > html.index('id="comments"')
    assert html.index("nhsuk-error-summary") < html.index('id="add-comment"')
    assert not Comment.objects.exists()


def test_a_refused_comment_on_the_condition_page_keeps_the_words_as_typed(client_for, commenter, condition):
    response = client_for(commenter).post(post_url(condition), comment_data("a" * 1990 + " <b>sixteen</b>"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your comment must be 2000 characters or fewer (it has 2005)" in html
    assert "a" * 1990 + " &lt;b&gt;sixteen&lt;/b&gt;</textarea>" in html
    assert 'id="add-comment"' in html


def test_a_refused_comment_page_is_never_cached_for_anyone(client_for, commenter, condition, client):
    from django.test import Client

    client_for(commenter).post(post_url(condition), comment_data("Kept words", website="spam"))
    html = Client().get(condition.get_absolute_url()).content.decode()
    assert "Kept words" not in html
    assert "There is a problem" not in html


def test_a_refused_comment_from_the_form_page_is_shown_on_the_form_page(client_for, commenter, condition):
    response = client_for(commenter).post(post_url(condition), comment_data("", form_page="yes"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Add a comment on Dystonia" in html
    assert html.count("Enter your comment") == 2


def test_a_refused_comment_from_the_care_card_page_is_shown_there(client_for, commenter, condition, risk_phrases):
    response = client_for(commenter).post(post_url(condition), comment_data("", seen_help="yes"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Before you post your comment" in html
    assert "Get help now" in html
    assert html.count("Enter your comment") == 2
    assert 'name="seen_help" value="yes"' in html
    assert not Comment.objects.exists()


def test_a_refused_edit_from_the_care_card_page_is_shown_there(client_for, commenter, condition):
    comment = make_comment(condition, commenter, text="First words.")
    response = client_for(commenter).post(comment.get_edit_url(), comment_data("", seen_help="yes"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Before you save your changes" in html
    assert "Get help now" in html
    assert html.count("Enter your comment") == 2
    comment.refresh_from_db()
    assert comment.text == "First words."


def test_an_empty_edit_sent_quickly_shows_one_error_with_the_summary(client_for, commenter, condition, settings):
    comment = make_comment(condition, commenter, text="First words.")
    settings.COMMENT_MIN_SECONDS = 3
    response = client_for(commenter).post(comment.get_edit_url(), comment_data(""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Change your comment" in html
    assert "There is a problem" in html
    assert html.count("Enter your comment") == 2
    assert "That was very quick" not in html
    comment.refresh_from_db()
    assert comment.text == "First words."


def test_honeypot_filled_is_refused_and_the_text_kept(client_for, commenter, condition):
    response = client_for(commenter).post(post_url(condition), comment_data("Kept words", website="spam"))
    assert response.status_code == 400
    assert "Your comment could not be posted" in response.content.decode()
    assert "Kept words" in response.content.decode()
    assert not Comment.objects.exists()


def test_too_quick_a_post_is_refused_and_the_text_kept(client_for, commenter, condition, settings):
    settings.COMMENT_MIN_SECONDS = 3
    response = client_for(commenter).post(post_url(condition), comment_data("Typed fast"))
    assert response.status_code == 400
    assert "That was very quick" in response.content.decode()
    assert "Typed fast" in response.content.decode()
    assert not Comment.objects.exists()


def test_html_is_stored_as_typed_and_shown_as_text(client_for, commenter, condition):
    text = '<script>alert("x")</script> <b>bold</b> see https://example.org'
    client = client_for(commenter)
    client.post(post_url(condition), comment_data(text))
    assert Comment.objects.get().text == text
    html = client.get(condition.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert" not in html
    assert 'href="https://example.org"' not in html  # links are not made clickable


def test_line_breaks_are_kept_on_the_page(client_for, commenter, condition):
    client = client_for(commenter)
    client.post(post_url(condition), comment_data("First line\r\nSecond line"))
    assert "First line<br>Second line" in client.get(condition.get_absolute_url()).content.decode()


def test_personal_details_hold_the_comment_and_say_why(client_for, commenter, condition):
    client = client_for(commenter)
    response = client.post(post_url(condition), comment_data("Email me: jo@example.org"), follow=True)
    html = response.content.decode()
    assert "will appear once a moderator has checked it" in html
    assert "personal details" in html
    assert Comment.objects.get().status == Comment.Status.HELD
    # The author sees it, marked as waiting; nobody else does.
    assert "Waiting for a moderator" in html
    assert "Email me: jo@example.org" not in Client().get(condition.get_absolute_url()).content.decode()


def test_pre_moderated_guide_holds_the_comment(client_for, commenter, condition):
    CommentSettings.objects.create(page=condition, pre_moderate=True)
    response = client_for(commenter).post(post_url(condition), comment_data("Hello all."), follow=True)
    assert "will appear once a moderator has checked it." in response.content.decode()
    assert Comment.objects.get().status == Comment.Status.HELD


def test_closed_guide_says_comments_are_closed_and_keeps_the_text(client_for, commenter, condition):
    CommentSettings.objects.create(page=condition, closed=True)
    client = client_for(commenter)
    assert "Comments are closed." in client.get(condition.get_absolute_url()).content.decode()
    response = client.post(post_url(condition), comment_data("Too late?"))
    assert response.status_code == 400
    assert "Comments are closed" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_same_text_twice_is_posted_once(client_for, commenter, condition):
    client = client_for(commenter)
    client.post(post_url(condition), comment_data("Double click."))
    response = client.post(post_url(condition), comment_data("Double click."), follow=True)
    assert "You have already posted this comment." in response.content.decode()
    assert Comment.objects.count() == 1


def test_posting_is_rate_limited_per_user(client_for, commenter, condition, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (2, 600)}
    client = client_for(commenter)
    for number in range(2):
        client.post(post_url(condition), comment_data(f"Comment {number}"))
    response = client.post(post_url(condition), comment_data("One too many"))
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("status", [Page.Status.DRAFT])
def test_posting_on_a_draft_or_unknown_guide_is_not_found(client_for, commenter, make_page, status):
    draft = make_page("Draft condition", status=status)
    client = client_for(commenter)
    assert client.post(post_url(draft), comment_data("Hello")).status_code == 404
    assert client.post("/comments/no-such-guide/add/", comment_data("Hello")).status_code == 404
    assert not Comment.objects.exists()


def test_posting_without_a_csrf_token_is_refused(commenter, condition):
    client = Client(enforce_csrf_checks=True)
    client.force_login(commenter)
    response = client.post(post_url(condition), comment_data("Hello"))
    assert response.status_code == 403
    assert not Comment.objects.exists()


# Deleting one's own comment


def test_author_deletes_their_comment_after_confirming(client_for, commenter, condition):
    comment = make_comment(condition, commenter, text="Changed my mind.")
    client = client_for(commenter)
    confirm = client.get(reverse("comments:delete", args=[comment.pk]))
    assert "Delete your comment" in confirm.content.decode()
    assert "Changed my mind." in confirm.content.decode()
    response = client.post(reverse("comments:delete", args=[comment.pk]), follow=True)
    assert "Your comment has been deleted." in response.content.decode()
    assert "Changed my mind." not in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED


def test_another_user_cannot_delete_a_comment(client_for, commenter, other_commenter, condition):
    comment = make_comment(condition, commenter)
    response = client_for(other_commenter).post(reverse("comments:delete", args=[comment.pk]))
    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_anonymous_reader_cannot_delete_a_comment(reader, commenter, condition):
    comment = make_comment(condition, commenter)
    response = reader.post(reverse("comments:delete", args=[comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


# Reporting


def report_url(comment):
    return reverse("comments:report", args=[comment.pk])


def test_anonymous_reader_reports_a_comment(reader, commenter, condition):
    comment = make_comment(condition, commenter, text="Rude words.")
    form = reader.get(report_url(comment))
    html = form.content.decode()
    assert "Report a comment" in html
    assert "Rude words." in html
    assert "Someone may be at risk of harm" in html
    response = reader.post(report_url(comment), {"reason": "offensive", "details": "Very rude."}, follow=True)
    html = response.content.decode()
    assert "Thank you for your report" in html
    assert "What happens next" in html
    report = Report.objects.get()
    assert report.reporter is None
    assert len(report.session_hash) == 40
    assert (report.reason, report.details, report.status) == ("offensive", "Very rude.", "open")


def test_signed_in_reader_reports_a_comment(client_for, commenter, other_commenter, condition):
    comment = make_comment(condition, commenter)
    client_for(other_commenter).post(report_url(comment), {"reason": "spam", "details": ""})
    report = Report.objects.get()
    assert report.reporter == other_commenter
    assert report.session_hash == ""


def test_reporting_again_says_already_reported(reader, commenter, condition):
    comment = make_comment(condition, commenter)
    reader.post(report_url(comment), {"reason": "spam", "details": ""})
    again = reader.get(report_url(comment))
    assert "You have already reported this comment" in again.content.decode()
    response = reader.post(report_url(comment), {"reason": "other", "details": ""})
    assert "You have already reported this comment" in response.content.decode()
    assert Report.objects.count() == 1


def test_three_readers_reporting_hide_the_comment_from_the_page(commenter, condition):
    comment = make_comment(condition, commenter, text="Contested words.")
    for number in range(3):
        Client(REMOTE_ADDR=f"203.0.113.{number + 1}").post(report_url(comment), {"reason": "offensive", "details": ""})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert "Contested words." not in Client().get(condition.get_absolute_url()).content.decode()


def test_at_risk_report_emails_moderators(reader, commenter, condition, django_capture_on_commit_callbacks):
    comment = make_comment(condition, commenter)
    with django_capture_on_commit_callbacks(execute=True):
        reader.post(report_url(comment), {"reason": "at_risk", "details": ""})
    assert [message.to for message in mail.outbox] == [["moderators@example.org"]]


def test_invalid_reason_is_refused_and_details_kept(reader, commenter, condition):
    comment = make_comment(condition, commenter)
    response = reader.post(report_url(comment), {"reason": "boring", "details": "My details"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Select one of the reasons listed" in html
    assert "My details" in html
    assert not Report.objects.exists()


def test_the_999_sentence_is_with_the_at_risk_option_before_the_send_button(reader, commenter, condition):
    comment = make_comment(condition, commenter)
    html = reader.get(report_url(comment)).content.decode()
    assert html.count("If someone is in immediate danger, call 999.") == 1
    option = html.index("Someone may be at risk of harm")
    sentence = html.index("If someone is in immediate danger, call 999.")
    assert option < sentence < html.index("Something else") < html.index("Send report")
    assert 'aria-describedby="id_reason_4-hint"' in html
    assert '<div class="nhsuk-hint nhsuk-radios__hint" id="id_reason_4-hint">' in html


def test_a_refused_report_shows_one_error_with_the_summary_and_keeps_the_details(reader, commenter, condition):
    comment = make_comment(condition, commenter)
    response = reader.post(report_url(comment), {"details": "Kept details."})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Report a comment" in html
    assert html.count("Select why you are reporting this comment") == 2
    assert '<a href="#id_reason_0">Select why you are reporting this comment</a>' in html
    assert "Kept details." in html


def test_an_author_can_delete_their_held_comment_from_the_page(client_for, commenter, condition, client):
    from django.test import Client

    held = make_comment(condition, commenter, text="Ring me on 07700 900123.", status="held")
    author = client_for(commenter)
    assert "Waiting for a moderator" in author.get(condition.get_absolute_url()).content.decode()
    confirm = author.get(held.get_delete_url()).content.decode()
    assert "Ring me on 07700 900123." in confirm
    assert "It is waiting for a moderator and only you can see it." in confirm
    author.post(held.get_delete_url())
    held.refresh_from_db()
    assert held.status == Comment.Status.REMOVED
    assert held.deleted_by_author_at is not None
    assert "Ring me on 07700 900123." not in author.get(condition.get_absolute_url()).content.decode()
    assert "Ring me on 07700 900123." not in Client().get(condition.get_absolute_url()).content.decode()


def test_missing_reason_is_refused(reader, commenter, condition):
    comment = make_comment(condition, commenter)
    response = reader.post(report_url(comment), {"details": ""})
    assert response.status_code == 400
    assert "Select why you are reporting this comment" in response.content.decode()


def test_reporting_an_unknown_comment_is_not_found(reader):
    response = reader.get(reverse("comments:report", args=[999]))
    assert response.status_code == 404


def test_reporting_a_removed_comment_is_not_found(reader, commenter, condition):
    comment = make_comment(condition, commenter, status=Comment.Status.REMOVED)
    assert reader.post(report_url(comment), {"reason": "spam", "details": ""}).status_code == 404
    assert not Report.objects.exists()


def test_reporting_a_comment_on_a_draft_page_is_not_found(reader, commenter, make_page):
    draft = make_page("Draft condition", status=Page.Status.DRAFT)
    comment = make_comment(draft, commenter)
    assert reader.get(report_url(comment)).status_code == 404


def test_anonymous_reports_are_rate_limited(reader, commenter, condition, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": (2, 600)}
    comments = [make_comment(condition, commenter) for _ in range(3)]
    for comment in comments[:2]:
        reader.post(report_url(comment), {"reason": "spam", "details": ""})
    response = reader.post(report_url(comments[2]), {"reason": "spam", "details": ""})
    assert response.status_code == 429
    assert Report.objects.count() == 2


def test_a_report_sent_from_another_website_is_refused(commenter, condition):
    comment = make_comment(condition, commenter)
    response = Client(enforce_csrf_checks=True).post(
        report_url(comment), {"reason": "spam", "details": ""}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "The form was sent from another website." in response.content.decode()
    assert not Report.objects.exists()


def test_thanks_page_for_a_comment_on_a_draft_page_is_not_found(reader, commenter, make_page):
    draft = make_page("Draft condition", status=Page.Status.DRAFT)
    comment = make_comment(draft, commenter)
    assert reader.get(reverse("comments:report_thanks", args=[comment.pk])).status_code == 404


def test_three_fresh_cookie_jars_from_one_address_cannot_hide_a_comment(commenter, condition):
    """The attack: one client, three new sessions, each a GET then a report."""
    comment = make_comment(condition, commenter, text="Words someone dislikes.")
    for _ in range(3):
        jar = Client(REMOTE_ADDR="198.51.100.7")
        jar.get(report_url(comment))
        jar.post(report_url(comment), {"reason": "offensive", "details": ""})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert Report.objects.filter(comment=comment).count() == 3
    assert len(set(Report.objects.values_list("address_hash", flat=True))) == 1
    assert "Words someone dislikes." in Client().get(condition.get_absolute_url()).content.decode()


def test_a_report_stores_a_keyed_hash_of_the_address_never_the_address(reader, commenter, condition):
    comment = make_comment(condition, commenter)
    Client(REMOTE_ADDR="198.51.100.7").post(report_url(comment), {"reason": "spam", "details": ""})
    report = Report.objects.get()
    assert len(report.address_hash) == 40
    assert "198.51.100.7" not in str(Report.objects.values().get())


# Issue 14: the care card before anything is sent, edits, clinicians' notes, the rules


@pytest.fixture
def risk_phrases(db):
    from comments.models import RiskPhrase

    RiskPhrase.objects.create(phrase="end my life")


AT_RISK_TEXT = "Some days I want to end my life."


def test_a_phrase_match_shows_the_care_card_and_sends_nothing(client_for, commenter, condition, risk_phrases):
    response = client_for(commenter).post(post_url(condition), comment_data(AT_RISK_TEXT))
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-card--care--urgent" in html
    assert "Urgent advice: </span>Get help now" in html
    assert 'href="tel:999"' in html and "NHS 111" in html and "116 123" in html
    assert "Nothing has been sent yet." in html
    assert AT_RISK_TEXT in html  # their words are kept, to change or post
    assert 'name="seen_help" value="yes"' in html
    assert not Comment.objects.exists()
    assert mail.outbox == []


def test_posting_after_the_care_card_holds_the_comment_for_urgent_review(
    client_for, commenter, condition, risk_phrases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(commenter).post(
            post_url(condition), comment_data(AT_RISK_TEXT, seen_help="yes"), follow=True
        )
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert comment.urgent_items.open().count() == 1
    html = response.content.decode()
    assert "A moderator will read your comment soon" in html
    # Not on the page until a moderator publishes it: only its author sees it, waiting.
    assert "Waiting for a moderator" in html
    assert AT_RISK_TEXT not in Client().get(condition.get_absolute_url()).content.decode()
    assert [m.to for m in mail.outbox] == [["moderators@example.org"]]


def test_a_comment_without_a_phrase_match_skips_the_care_card(client_for, commenter, condition, risk_phrases):
    response = client_for(commenter).post(post_url(condition), comment_data("I want to end my day early."))
    assert response.status_code == 302
    assert "nhsuk-card--care" not in client_for(commenter).get(response["Location"]).content.decode()
    assert Comment.objects.get().status == Comment.Status.PUBLISHED


def test_the_comment_form_links_to_the_comment_rules(client_for, commenter, condition):
    html = client_for(commenter).get(post_url(condition)).content.decode()
    assert 'href="/comments/rules/">comment rules</a>' in html
    thread = client_for(commenter).get(condition.get_absolute_url()).content.decode()
    assert 'href="/comments/rules/">comment rules</a>' in thread


def test_the_comment_rules_page_says_the_rules_in_plain_words(reader):
    html = reader.get(reverse("comments:rules")).content.decode()
    assert "<h1>Comment rules</h1>" in html
    assert "Keep personal details private" in html
    assert "Samaritans free on 116 123" in html


def test_report_pages_link_to_the_comment_rules(reader, condition, commenter):
    comment = make_comment(condition, commenter)
    form = reader.get(report_url(comment)).content.decode()
    assert 'href="/comments/rules/">comment rules</a>' in form
    reader.post(report_url(comment), {"reason": "spam", "details": ""})
    thanks = reader.get(reverse("comments:report_thanks", args=[comment.pk])).content.decode()
    assert 'href="/comments/rules/">comment rules</a>' in thanks
    already = reader.get(report_url(comment)).content.decode()
    assert "You have already reported this comment" in already
    assert 'href="/comments/rules/">comment rules</a>' in already


# Edits


def edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


def test_the_author_edits_their_comment_and_readers_see_the_new_text_at_once(client_for, commenter, condition, client):
    comment = make_comment(condition, commenter, text="Botox every 12 weeks.")
    anonymous = Client()
    assert "Botox every 12 weeks." in anonymous.get(condition.get_absolute_url()).content.decode()  # now cached
    own = client_for(commenter)
    assert f'href="{edit_url(comment)}">Change' in own.get(condition.get_absolute_url()).content.decode()
    response = own.post(edit_url(comment), comment_data("Botox every 10 weeks."), follow=True)
    assert "Your comment has been changed." in response.content.decode()
    comment.refresh_from_db()
    assert comment.text == "Botox every 10 weeks."
    assert comment.edits.get().previous_text == "Botox every 12 weeks."
    html = anonymous.get(condition.get_absolute_url()).content.decode()
    assert "Botox every 10 weeks." in html
    assert "Botox every 12 weeks." not in html


def test_an_edit_after_15_minutes_is_refused_with_a_sentence(client_for, commenter, condition):
    import datetime

    from django.utils import timezone

    comment = make_comment(
        condition, commenter, text="Old words.", created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    client = client_for(commenter)
    page = client.get(edit_url(comment)).content.decode()
    assert "You can only change a comment in the 15 minutes after you post it." in page
    assert 'name="text"' not in page
    assert f'href="{edit_url(comment)}"' not in client.get(condition.get_absolute_url()).content.decode()
    response = client.post(edit_url(comment), comment_data("New words."))
    assert response.status_code == 400
    assert "You can only change a comment in the 15 minutes after you post it." in response.content.decode()
    comment.refresh_from_db()
    assert comment.text == "Old words."


def test_an_edit_is_screened_again_care_card_first(client_for, commenter, condition, risk_phrases):
    comment = make_comment(condition, commenter, text="A hard week.")
    client = client_for(commenter)
    first = client.post(edit_url(comment), comment_data(AT_RISK_TEXT))
    assert "nhsuk-card--care--urgent" in first.content.decode()
    comment.refresh_from_db()
    assert comment.text == "A hard week."  # nothing changed before they choose to save
    client.post(edit_url(comment), comment_data(AT_RISK_TEXT, seen_help="yes"))
    comment.refresh_from_db()
    assert (comment.text, comment.status, comment.at_risk) == (AT_RISK_TEXT, Comment.Status.HELD, True)
    assert AT_RISK_TEXT not in Client().get(condition.get_absolute_url()).content.decode()


def test_an_edit_with_personal_details_is_held(client_for, commenter, condition):
    comment = make_comment(condition, commenter, text="Hello.")
    response = client_for(commenter).post(edit_url(comment), comment_data("Email me: jo@example.org"), follow=True)
    assert "personal details" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_an_empty_edit_is_refused(client_for, commenter, condition):
    comment = make_comment(condition, commenter, text="Hello.")
    response = client_for(commenter).post(edit_url(comment), comment_data(""))
    assert response.status_code == 400
    assert "Enter your comment" in response.content.decode()


# Clinicians' notes as readers see them


def test_a_clinical_note_appears_for_readers_and_its_removal_disappears_at_once(condition, commenter, clinician):
    from comments import services

    comment = make_comment(condition, commenter, text="I stopped my tablets overnight.")
    make_comment(condition, commenter)
    make_comment(condition, commenter)
    anonymous = Client()
    assert "A note from our clinical team" not in anonymous.get(condition.get_absolute_url()).content.decode()

    services.clinical_note_save(comment=comment, user=clinician, text="Do not stop suddenly: ask your doctor.")
    html = anonymous.get(condition.get_absolute_url()).content.decode()
    assert "A note from our clinical team: Do not stop suddenly: ask your doctor." in html
    assert html.count("A note from our clinical team") == 1
    assert '<div class="nhsuk-inset-text app-comment__clinical-note">' in html

    services.clinical_note_save(comment=comment, user=clinician, text="Ask your doctor before stopping.")
    html = anonymous.get(condition.get_absolute_url()).content.decode()
    assert "A note from our clinical team: Ask your doctor before stopping." in html

    services.clinical_note_remove(comment=comment, user=clinician)
    html = anonymous.get(condition.get_absolute_url()).content.decode()
    assert "A note from our clinical team" not in html
    assert "I stopped my tablets overnight." in html


def test_a_thread_with_notes_takes_no_extra_queries(
    client_for, commenter, clinician, condition, django_assert_num_queries
):
    from comments import services

    for number in range(3):
        comment = make_comment(condition, commenter)
        services.clinical_note_save(comment=comment, user=clinician, text=f"Note {number}.")
    client = client_for(commenter)
    client.get(condition.get_absolute_url())  # the guide's own fragments are cached
    make_comment(condition, commenter, text="One more.")  # a new thread version: its page of comments is read again
    with django_assert_num_queries(8) as captured:
        # 1. the session with the commenter and their own version  2. the page's versions
        # 3. the page with its counter rows (kept under those versions after); their own
        # version moved too (their new comment), so their own parts are read again: 4. their
        # rating  5. which comments here they reported  6. their own comments here waiting for
        # a moderator (not staff: no permission queries)  7. those they can still change;
        # 8. one page of comments with their authors and clinicians' notes (one JOIN)
        html = client.get(condition.get_absolute_url()).content.decode()
    assert "comments_clinicalnote" in captured.captured_queries[7]["sql"]
    for number in range(3):
        assert f"A note from our clinical team: Note {number}." in html
    with django_assert_num_queries(2):  # the same page again: 1 and 2, the rest kept under the versions
        html = client.get(condition.get_absolute_url()).content.decode()
    for number in range(3):
        assert f"A note from our clinical team: Note {number}." in html


# Confirmations beside the comments (dystonia_portal.confirmations), not in the top banner


def comments_section(html):
    return app_section(html, "comments")


COMMENTS_CONFIRMATION = confirmation_opening("comments")


def assert_confirmed_beside_the_comments(response, text):
    assert response.redirect_chain[-1][0] == "/conditions/dystonia/#comments-confirmation"
    html = response.content.decode()
    section = comments_section(html)
    assert COMMENTS_CONFIRMATION in section
    assert text in section
    assert html.count(text) == 1
    assert "nhsuk-notification-banner" not in html
    # Above the comments, so the reader sees it and then what changed.
    assert section.index("comments-confirmation") < section.index("Add your comment")


def test_posted_comment_is_confirmed_beside_the_comments(client_for, commenter, condition):
    response = client_for(commenter).post(post_url(condition), comment_data("Botox helps me."), follow=True)
    assert_confirmed_beside_the_comments(response, "Your comment has been posted.")
    section = comments_section(response.content.decode())
    assert section.index("Your comment has been posted.") < section.index("Botox helps me.")


def test_held_comment_is_confirmed_beside_the_comments(client_for, commenter, condition):
    response = client_for(commenter).post(post_url(condition), comment_data("Email me: jo@example.org"), follow=True)
    assert Comment.objects.get().status == Comment.Status.HELD
    assert_confirmed_beside_the_comments(response, "Your comment will appear once a moderator has checked it")


def test_deleted_comment_is_confirmed_beside_the_comments(client_for, commenter, condition):
    comment = make_comment(condition, commenter, text="Changed my mind.")
    response = client_for(commenter).post(reverse("comments:delete", args=[comment.pk]), follow=True)
    assert_confirmed_beside_the_comments(response, "Your comment has been deleted.")


def test_changed_comment_is_confirmed_beside_the_comments(client_for, commenter, condition):
    comment = make_comment(condition, commenter, text="Botox every 12 weeks.")
    response = client_for(commenter).post(edit_url(comment), comment_data("Botox every 10 weeks."), follow=True)
    assert_confirmed_beside_the_comments(response, "Your comment has been changed.")


def test_a_comment_confirmation_is_shown_once_and_never_to_another_reader(client_for, commenter, condition):
    client = client_for(commenter)
    client.post(post_url(condition), comment_data("Botox helps me."))
    assert "Your comment has been posted." in client.get(condition.get_absolute_url()).content.decode()

    for reader in (client, Client()):
        html = reader.get(condition.get_absolute_url()).content.decode()
        assert "Your comment has been posted." not in html
        assert "autofocus" not in comments_section(html)


def test_an_author_cannot_report_their_own_comment_by_typing_its_url(client_for, commenter, condition):
    """The page offers its author Change and Delete, never Report; the URL says why and writes nothing."""
    comment = make_comment(condition, commenter, "My own words.")
    client = client_for(commenter)

    for response in (client.get(report_url(comment)), client.post(report_url(comment), {"reason": "at_risk"})):
        assert response.status_code == 403
        html = response.content.decode()
        assert "You cannot report your own comment" in html
        assert f'href="{comment.get_absolute_url()}"' in html
    assert not Report.objects.exists()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
