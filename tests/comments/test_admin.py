import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from comments.models import Comment, ModerationDecision, Report

from .factories import make_comment, report_by_sessions

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def decision_url(comment, decision):
    return reverse("admin:comments_comment_decision", args=[comment.pk, decision])


def test_moderators_group_has_exactly_the_moderation_permissions():
    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list("content_type__app_label", "codename")
    )
    assert codenames == {
        # Erasing a person's data on their request (accounts/admin.py), which records who did it.
        ("accounts", "view_profile"),
        ("accounts", "erase_personal_data"),
        ("accounts", "view_erasurerecord"),
        ("comments", "view_comment"),
        ("comments", "change_comment"),
        ("comments", "ban_commenter"),
        ("comments", "view_report"),
        ("comments", "change_report"),
        ("comments", "view_moderationdecision"),
        ("comments", "add_moderationdecision"),
        ("comments", "view_commentsettings"),
        ("comments", "add_commentsettings"),
        ("comments", "change_commentsettings"),
    }


def test_queue_shows_reported_and_held_comments_most_reported_first(client_for, moderator, condition, commenter):
    quiet = make_comment(condition, commenter, text="Nobody minds this one.")
    once = make_comment(condition, commenter, text="Reported once.")
    twice = make_comment(condition, commenter, text="Reported twice.")
    held = make_comment(condition, commenter, text="Held for a look.", status=Comment.Status.HELD)
    report_by_sessions(once, 1, reason=Report.Reason.SPAM)
    report_by_sessions(twice, 1, reason=Report.Reason.OFFENSIVE)
    report_by_sessions(twice, 1, reason=Report.Reason.MEDICAL)

    response = client_for(moderator).get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert quiet.text not in html
    assert html.index("Reported twice.") < html.index("Reported once.") < html.index("Held for a look.")
    assert "Offensive or abusive, Unsafe or misleading medical advice" in html
    assert "Spam or advertising" in html
    assert "Needs review" in html
    assert [c.pk for c in response.context["cl"].result_list] == [twice.pk, once.pk, held.pk]

    everything = client_for(moderator).get(CHANGELIST + "?queue=all")
    assert quiet.text in everything.content.decode()


def test_queue_filters_by_status_and_reason(client_for, moderator, condition, commenter):
    spam = make_comment(condition, commenter, text="Spam comment.")
    rude = make_comment(condition, commenter, text="Rude comment.")
    report_by_sessions(spam, 1, reason=Report.Reason.SPAM)
    report_by_sessions(rude, 3, reason=Report.Reason.OFFENSIVE)
    client = client_for(moderator)
    by_reason = client.get(CHANGELIST + "?reason=spam").context["cl"].result_list
    assert list(by_reason) == [spam]
    by_status = client.get(CHANGELIST + "?status__exact=hidden").context["cl"].result_list
    assert list(by_status) == [rude]


def test_queue_with_50_reported_comments_takes_a_fixed_number_of_queries(
    client_for, moderator, condition, commenter, other_commenter, django_assert_num_queries
):
    for n in range(50):
        comment = make_comment(condition, commenter if n % 2 else other_commenter)
        Report.objects.create(comment=comment, session_hash=f"a{n}", reason=Report.Reason.SPAM)
        Report.objects.create(comment=comment, session_hash=f"b{n}", reason=Report.Reason.OTHER)
    client = client_for(moderator)
    with django_assert_num_queries(8):
        # 1. the session  2. the moderator's user row
        # 3. the moderator's own permissions  4. their groups' permissions (both cached for the request)
        # 5. the condition pages for the "page" filter
        # 6. COUNT of the queue (no second COUNT of all comments: show_full_result_count is off)
        # 7. one page of 50 comments JOINed with author and page, with their open report counts
        # 8. the open reports of those 50 comments (the reasons column), prefetched in one query
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 50
    assert response.content.decode().count("Something else, Spam or advertising") == 50


# Decisions


def test_remove_action_asks_for_a_note_then_removes_and_the_page_changes(
    client_for, moderator, condition, commenter, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter, text="Unsafe advice here.")
    report_by_sessions(comment, 1, reason=Report.Reason.MEDICAL)
    client = client_for(moderator)
    assert "Unsafe advice here." in client.get(condition.get_absolute_url()).content.decode()

    data = {"action": "remove_selected", ACTION_CHECKBOX_NAME: [comment.pk]}
    confirm = client.post(CHANGELIST, {**data, "index": "0"})
    assert confirm.status_code == 200
    assert "Remove comments" in confirm.content.decode()
    assert 'name="note"' in confirm.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # nothing happens before confirming

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(CHANGELIST, {**data, "confirm": "yes", "note": "Dangerous dose advice."}, follow=True)
    assert "Removed 1 comment." in done.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    decision = comment.decisions.get()
    assert (decision.outcome, decision.moderator, decision.note) == ("remove", moderator, "Dangerous dose advice.")
    assert comment.reports.get().status == Report.Status.UPHELD
    assert [message.to for message in mail.outbox] == [["commenter@example.org"]]
    assert "Unsafe advice here." not in client.get(condition.get_absolute_url()).content.decode()


def test_reinstate_action_brings_a_hidden_comment_back_on_the_page(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter, text="Fair comment.")
    report_by_sessions(comment, 3)
    client = client_for(moderator)
    assert "Fair comment." not in client.get(condition.get_absolute_url()).content.decode()
    client.post(
        CHANGELIST, {"action": "reinstate_selected", ACTION_CHECKBOX_NAME: [comment.pk], "confirm": "yes", "note": ""}
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert set(comment.reports.values_list("status", flat=True)) == {"dismissed"}
    assert "Fair comment." in client.get(condition.get_absolute_url()).content.decode()


def test_ban_action_deactivates_the_author_and_removes_all_their_comments(
    client_for, moderator, condition, commenter, other_commenter
):
    reported = make_comment(condition, commenter, text="Abuse one.")
    other = make_comment(condition, commenter, text="Abuse two.")
    bystander = make_comment(condition, other_commenter, text="Kind words.")
    report_by_sessions(reported, 1)
    client = client_for(moderator)
    client.post(
        CHANGELIST,
        {"action": "ban_selected_authors", ACTION_CHECKBOX_NAME: [reported.pk], "confirm": "yes", "note": "Abuse."},
    )
    commenter.refresh_from_db()
    assert not commenter.is_active
    assert set(Comment.objects.filter(pk__in=[reported.pk, other.pk]).values_list("status", flat=True)) == {"removed"}
    bystander.refresh_from_db()
    assert bystander.status == Comment.Status.PUBLISHED
    html = client.get(condition.get_absolute_url()).content.decode()
    assert "Abuse one." not in html and "Abuse two." not in html and "Kind words." in html


def test_change_page_shows_history_and_decision_buttons(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter, text="Look at me.")
    report_by_sessions(comment, 1, reason=Report.Reason.SPAM)
    client = client_for(moderator)
    response = client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    html = response.content.decode()
    assert "Look at me." in html
    assert "Reports (history)" in html and "Spam or advertising" in html and "Anonymous reader" in html
    assert "Moderation decisions (history)" in html
    assert decision_url(comment, "remove") in html
    assert decision_url(comment, "ban") in html
    assert 'name="text"' not in html  # moderators never edit what people wrote


def test_decision_from_the_change_page_with_a_note(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter, status=Comment.Status.HELD)
    client = client_for(moderator)
    confirm = client.get(decision_url(comment, "reinstate"))
    assert "Reinstate comments" in confirm.content.decode()
    response = client.post(decision_url(comment, "reinstate"), {"confirm": "yes", "note": "Checked: fine."})
    assert response["Location"] == reverse("admin:comments_comment_change", args=[comment.pk])
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.decisions.get().note == "Checked: fine."
    history = client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "Checked: fine." in history


def test_a_refused_decision_is_explained(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter)
    comment.status = Comment.Status.REMOVED
    comment.deleted_by_author_at = comment.created_at
    comment.save()
    response = client_for(moderator).post(decision_url(comment, "reinstate"), {"confirm": "yes"}, follow=True)
    assert "Its author deleted this comment" in response.content.decode()
    assert not ModerationDecision.objects.exists()


def test_anonymous_reader_opening_the_admin_is_sent_to_the_admin_login(reader, condition, commenter):
    comment = make_comment(condition, commenter)
    for url in [CHANGELIST, decision_url(comment, "remove")]:
        response = reader.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_commenter_trying_a_moderator_action_by_url_changes_nothing(client_for, condition, commenter):
    comment = make_comment(condition, commenter)
    client = client_for(commenter)
    response = client.post(decision_url(comment, "remove"), {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(
        CHANGELIST, {"action": "remove_selected", ACTION_CHECKBOX_NAME: [comment.pk], "confirm": "yes"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert not ModerationDecision.objects.exists()


def test_editor_cannot_see_or_decide_on_comments(client_for, editor, condition, commenter):
    comment = make_comment(condition, commenter)
    client = client_for(editor)
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(decision_url(comment, "remove"), {"confirm": "yes"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_moderator_cannot_edit_condition_pages_or_users(client_for, moderator, condition):
    client = client_for(moderator)
    assert client.get(reverse("admin:conditions_page_change", args=[condition.pk])).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_moderator_without_the_ban_permission_cannot_ban(client_for, moderator, condition, commenter):
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name="Moderators")
    group.permissions.remove(Permission.objects.get(codename="ban_commenter"))
    comment = make_comment(condition, commenter)
    client = client_for(moderator)
    assert client.post(decision_url(comment, "ban"), {"confirm": "yes"}).status_code == 403
    actions = client.get(CHANGELIST + "?queue=all").context["action_form"].fields["action"].choices
    assert "ban_selected_authors" not in [name for name, _ in actions]
    commenter.refresh_from_db()
    assert commenter.is_active


def test_unknown_decision_is_refused(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter)
    assert client_for(moderator).post(decision_url(comment, "delete"), {"confirm": "yes"}).status_code == 403


def test_moderator_sets_a_guide_to_pre_moderate(client_for, moderator, condition, commenter):
    client = client_for(moderator)
    response = client.post(
        reverse("admin:comments_commentsettings_add"), {"page": condition.pk, "pre_moderate": "on"}, follow=True
    )
    assert response.status_code == 200
    from comments.services import comment_post

    comment, _ = comment_post(page=condition, author=commenter, text="Hello.")
    assert comment.status == Comment.Status.HELD


def test_each_reports_page_shows_the_reporters_record(client_for, moderator, condition, commenter, make_user):
    from comments import services

    trusted = make_user("trusted")
    for number in range(3):
        earlier = make_comment(condition, commenter, text=f"Earlier {number}.")
        services.comment_report(comment=earlier, reason=Report.Reason.SPAM, reporter=trusted)
        services.comment_remove(comment=earlier, moderator=moderator)
    comment = make_comment(condition, commenter, text="Reported now.")
    services.comment_report(comment=comment, reason=Report.Reason.SPAM, reporter=trusted)
    report_by_sessions(comment, 1)
    page = client_for(moderator).get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "3 upheld, 0 dismissed on other comments: weight 2" in page
    assert "Anonymous: counts once per address, weight 1" in page
