import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from comments.models import Comment, ModerationDecision, Report

from .factories import make_comment, report_by_sessions

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


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
        # Issue 14: the risk phrase list, the urgent clock, earlier versions and clinicians' notes.
        ("comments", "view_riskphrase"),
        ("comments", "add_riskphrase"),
        ("comments", "change_riskphrase"),
        ("comments", "delete_riskphrase"),
        ("comments", "view_urgentitem"),
        ("comments", "view_commentedit"),
        ("comments", "view_clinicalnote"),
        # Not add_clinical_note: the Clinical reviewers group holds it.
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
    with django_assert_num_queries(7):
        # 1. the session with the moderator's user row
        # 2. the moderator's own permissions  3. their groups' permissions (both cached for the request)
        # 4. the condition pages for the "page" filter
        # 5. COUNT of the queue (no second COUNT of all comments: show_full_result_count is off)
        # 6. one page of 50 comments JOINed with author and page, with their open report counts
        # 7. the open reports of those 50 comments (the reasons column), prefetched in one query
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
        done = client.post(
            CHANGELIST,
            {**data, "confirm": "yes", "note": "Dangerous dose advice.", "author_reason": "medical"},
            follow=True,
        )
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
        {
            "action": "ban_selected_authors",
            ACTION_CHECKBOX_NAME: [reported.pk],
            "confirm": "yes",
            "note": "Abuse.",
            "author_reason": "offensive",
        },
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
    response = client.get(change_url(comment))
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
    assert response["Location"] == change_url(comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.decisions.get().note == "Checked: fine."
    history = client.get(change_url(comment)).content.decode()
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
    page = client_for(moderator).get(change_url(comment)).content.decode()
    assert "3 upheld, 0 dismissed on other comments: weight 2" in page
    assert "Anonymous: counts once per address, weight 1" in page


# Issue 14: the urgent queue, decisions that fit the state, clinicians' notes, the admin home


def test_urgent_items_come_first_in_the_queue_with_their_wait(client_for, moderator, condition, commenter):
    import datetime

    from django.utils import timezone

    from comments.models import UrgentItem

    busy = make_comment(condition, commenter, text="Reported by many.")
    report_by_sessions(busy, 2, reason=Report.Reason.SPAM)
    at_risk = make_comment(condition, commenter, text="Someone at risk.")
    report_by_sessions(at_risk, 1, reason=Report.Reason.AT_RISK)
    UrgentItem.objects.update(opened_at=timezone.now() - datetime.timedelta(minutes=12))
    response = client_for(moderator).get(CHANGELIST)
    assert [c.pk for c in response.context["cl"].result_list] == [at_risk.pk, busy.pk]
    html = response.content.decode()
    assert "Urgent, waiting 12 minutes" in html
    assert "<h1>Moderation queue</h1>" in html
    urgent_only = client_for(moderator).get(CHANGELIST + "?queue=urgent").context["cl"].result_list
    assert list(urgent_only) == [at_risk]


@pytest.mark.parametrize(
    ("status", "reported", "expected"),
    [
        (Comment.Status.HELD, False, ["Publish", "Do not publish", "Ban author"]),
        (Comment.Status.PUBLISHED, False, ["Remove", "Ban author"]),
        (Comment.Status.PUBLISHED, True, ["Keep and dismiss reports", "Remove", "Ban author"]),
        (Comment.Status.HIDDEN, True, ["Reinstate", "Remove", "Ban author"]),
        (Comment.Status.REMOVED, False, ["Reinstate", "Ban author"]),
    ],
)
def test_only_the_decisions_that_apply_are_shown_and_no_save_buttons(
    client_for, moderator, condition, commenter, status, reported, expected
):
    from comments.admin import decision_buttons

    comment = make_comment(condition, commenter, status=status)
    if reported:
        Report.objects.create(comment=comment, session_hash="s1", reason=Report.Reason.SPAM)
    response = client_for(moderator).get(change_url(comment))
    html = response.content.decode()
    assert [label for _, label in response.context["decision_buttons"]] == expected
    for decision, label in decision_buttons(
        Comment.objects.with_open_report_count().get(pk=comment.pk), can_decide=True, can_ban=True
    ):
        assert f'href="{decision_url(comment, decision)}">{label}</a>' in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html


def test_a_banned_authors_comment_offers_only_lifting_the_ban(client_for, moderator, condition, commenter):
    from comments import services

    comment = make_comment(condition, commenter)
    services.user_ban(user=commenter, moderator=moderator, comment=comment, author_reason="offensive")
    response = client_for(moderator).get(change_url(comment))
    assert [label for _, label in response.context["decision_buttons"]] == ["Lift the ban"]


def test_a_moderator_lifts_a_ban_and_it_is_recorded(client_for, moderator, condition, commenter):
    from comments import services

    comment = make_comment(condition, commenter)
    services.user_ban(user=commenter, moderator=moderator, comment=comment, author_reason="offensive")
    client = client_for(moderator)
    confirm = client.get(decision_url(comment, "unban")).content.decode()
    assert "Their removed comments stay removed" in confirm
    response = client.post(decision_url(comment, "unban"), {"confirm": "yes", "note": "Appeal accepted."}, follow=True)
    assert "The ban is lifted." in response.content.decode()
    commenter.refresh_from_db()
    assert commenter.is_active
    assert comment.decisions.filter(outcome="unban", note="Appeal accepted.", moderator=moderator).exists()


def test_the_ban_page_says_how_many_comments_it_will_remove(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter)
    make_comment(condition, commenter)
    make_comment(condition, commenter, status=Comment.Status.REMOVED)  # already gone: not counted
    html = client_for(moderator).get(decision_url(comment, "ban")).content.decode()
    assert "Banning commenter will remove 2 comments." in html
    assert 'name="author_reason"' in html


def test_a_removal_without_the_authors_reason_is_refused(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter)
    response = client_for(moderator).post(decision_url(comment, "remove"), {"confirm": "yes", "note": ""})
    assert "Choose the reason the author is given" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_the_decisions_list_shows_the_notes(client_for, moderator, condition, commenter):
    from comments import services

    comment = make_comment(condition, commenter)
    services.comment_remove(comment=comment, moderator=moderator, note="Dose advice was dangerous.")
    html = client_for(moderator).get(reverse("admin:comments_moderationdecision_changelist")).content.decode()
    assert "Dose advice was dangerous." in html


def test_report_pages_are_read_only_without_save_buttons(client_for, moderator, condition, commenter):
    comment = make_comment(condition, commenter)
    (report,) = report_by_sessions(comment, 1)
    html = client_for(moderator).get(reverse("admin:comments_report_change", args=[report.pk])).content.decode()
    assert 'name="_save"' not in html


def test_a_moderator_adds_changes_and_removes_a_clinical_note(client_for, clinician, condition, commenter):
    from comments.models import ClinicalNote

    comment = make_comment(condition, commenter, text="Double the dose.")
    client = client_for(clinician)
    note_url = reverse("admin:comments_comment_clinical_note", args=[comment.pk])
    assert note_url in client.get(change_url(comment)).content.decode()
    response = client.post(note_url, {"text": "Never change a dose without your doctor."})
    assert response["Location"] == change_url(comment)
    note = ClinicalNote.objects.get(comment=comment)
    assert (note.text, note.written_by) == ("Never change a dose without your doctor.", clinician)
    client.post(note_url, {"text": "Ask your doctor before changing a dose."})
    page = client.get(note_url).content.decode()
    assert "History of this note" in page
    assert "Never change a dose without your doctor." in page  # the earlier version, kept
    client.post(reverse("admin:comments_comment_clinical_note_remove", args=[comment.pk]))
    assert not ClinicalNote.objects.exists()
    assert ClinicalNote.history.filter(history_type="-", history_user=clinician).exists()


def test_without_the_clinical_note_permission_no_note_can_be_added(client_for, moderator, condition, commenter):
    from django.contrib.auth.models import Permission

    for group in Group.objects.all():
        group.permissions.remove(Permission.objects.get(codename="add_clinical_note"))
    comment = make_comment(condition, commenter)
    client = client_for(moderator)
    note_url = reverse("admin:comments_comment_clinical_note", args=[comment.pk])
    assert note_url not in client.get(change_url(comment)).content.decode()
    assert client.post(note_url, {"text": "A note."}).status_code == 403
    assert not comment.__class__.objects.filter(clinical_note__isnull=False).exists()


def test_the_clinical_reviewers_group_gets_the_permission_when_it_exists(db):
    """The data migration's rule: Clinical reviewers when the group exists, else Moderators; never both."""
    import importlib

    from django.apps import apps as global_apps
    from django.contrib.auth.models import Permission

    migration = importlib.import_module("comments.migrations.0006_community_safety_permissions")
    moderators = Group.objects.get(name="Moderators")
    moderators.permissions.add(Permission.objects.get(codename="add_clinical_note"))
    clinicians = Group.objects.get(name="Clinical reviewers")
    clinicians.permissions.clear()
    migration.grant_clinical_note_permission(global_apps)
    note = Permission.objects.get(codename="add_clinical_note")
    assert note in clinicians.permissions.all()
    assert note not in Group.objects.get(name="Moderators").permissions.all()


def test_the_admin_home_shows_what_is_waiting_and_how_fast_decisions_come(client_for, moderator, condition, commenter):
    import datetime

    from django.utils import timezone

    from comments import services

    for minutes in (10, 20, 90):
        comment = make_comment(condition, commenter)
        report_by_sessions(comment, 1)
        Report.objects.filter(comment=comment).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))
        services.comment_reinstate(comment=comment, moderator=moderator)
    urgent = make_comment(condition, commenter)
    report_by_sessions(urgent, 2, reason=Report.Reason.AT_RISK)
    make_comment(condition, commenter, status=Comment.Status.HELD)
    html = client_for(moderator).get(reverse("admin:index")).content.decode()
    assert f'href="{CHANGELIST}?queue=urgent"><span class="portal-moderation__count">1</span> Urgent' in html
    assert f'href="{CHANGELIST}?queue=reported"><span class="portal-moderation__count">2</span> Open reports' in html
    assert f'href="{CHANGELIST}?queue=held"><span class="portal-moderation__count">1</span> Held for review' in html
    decisions = reverse("admin:comments_moderationdecision_changelist")
    for days in (7, 30):
        link = f'<a href="{decisions}?within={days}">Median time to decision, last {days} days</a>'
        assert f"{link}</th><td>20 minutes</td>" in html


def test_editors_see_no_moderation_summary_but_keep_the_phrase_list(client_for, editor):
    client = client_for(editor)
    assert "Median time to decision" not in client.get(reverse("admin:index")).content.decode()
    response = client.post(reverse("admin:comments_riskphrase_add"), {"phrase": "end it all"})
    assert response.status_code == 302
    from comments.models import RiskPhrase

    assert RiskPhrase.objects.filter(phrase="end it all").exists()


@pytest.fixture
def four_urgent_items_decided_with_notes(moderator, clinician, condition, commenter):
    from comments import services

    for number in range(4):
        comment = make_comment(condition, commenter)
        report_by_sessions(comment, 1, reason=Report.Reason.AT_RISK)
        services.comment_reinstate(comment=comment, moderator=moderator, note=f"Decision note {number}.")
        services.clinical_note_save(comment=comment, user=clinician, text=f"Note {number}.")


def test_the_admin_home_summary_takes_a_fixed_number_of_queries(
    client_for, moderator, four_urgent_items_decided_with_notes, django_assert_num_queries
):
    client = client_for(moderator)
    with django_assert_num_queries(9):
        # 1. the session with the moderator  2.-3. their own and their groups' permissions
        # 4. open urgent items  5. open reports  6. held comments (no count of comments reported as
        # unsafe advice: that is for holders of add_clinical_note, the Clinical reviewers group)
        # 7. decisions of the last 30 days (both medians)  8. urgent items acted on in 30 days (both medians)
        # 9. the admin's recent actions box
        html = client.get(reverse("admin:index")).content.decode()
    assert "Median time to first action on urgent items, last 7 days" in html


def test_the_urgent_items_list_takes_a_fixed_number_of_queries(
    client_for, moderator, four_urgent_items_decided_with_notes, django_assert_num_queries
):
    client = client_for(moderator)
    with django_assert_num_queries(6):
        # 1. the session with the moderator  2.-3. permissions  4. COUNT filtered  5. COUNT of all
        # 6. one page of items JOINed with their comment and first actor
        html = client.get(reverse("admin:comments_urgentitem_changelist")).content.decode()
    assert html.count("moderator</td>") == 4


def test_the_decisions_list_takes_a_fixed_number_of_queries(
    client_for, moderator, four_urgent_items_decided_with_notes, django_assert_num_queries
):
    client = client_for(moderator)
    with django_assert_num_queries(6):
        # 1. the session with the moderator  2.-3. permissions  4. COUNT filtered  5. COUNT of all
        # 6. one page of decisions JOINed with moderator and comment
        html = client.get(reverse("admin:comments_moderationdecision_changelist")).content.decode()
    for number in range(4):
        assert f"Decision note {number}." in html


def test_an_urgent_comment_its_author_deleted_stays_in_the_queue_until_marked_seen(
    client_for, moderator, condition, commenter
):
    from comments import services

    comment = make_comment(condition, commenter, text="I am not safe tonight.")
    report_by_sessions(comment, 1, reason=Report.Reason.AT_RISK)
    services.comment_delete(comment=comment, user=commenter)
    client = client_for(moderator)
    assert list(client.get(CHANGELIST).context["cl"].result_list) == [comment]  # still in "Needs review"
    response = client.get(change_url(comment))
    # Nothing else applies to a comment its author deleted; the clock can still be stopped.
    assert [label for _, label in response.context["decision_buttons"]] == ["Ban author", "Mark urgent item as seen"]
    done = client.post(
        decision_url(comment, "seen"), {"confirm": "yes", "note": "Rang the number they gave."}, follow=True
    )
    assert "The urgent item is closed." in done.content.decode()
    item = comment.urgent_items.get()
    assert item.first_action_by == moderator
    assert comment.decisions.get().outcome == "seen"
    assert list(client.get(CHANGELIST).context["cl"].result_list) == []
    refused = client.post(decision_url(comment, "seen"), {"confirm": "yes", "note": ""}, follow=True)
    assert "This comment has no urgent item waiting." in refused.content.decode()


# Moderators' decisions reach signed-out readers at once, even from a warm cache.


def signed_out_html(page):
    from django.test import Client

    return Client().get(page.get_absolute_url()).content.decode()


def test_swapping_published_comments_with_admin_actions_reaches_signed_out_readers(
    client_for, moderator, condition, commenter
):
    comments = [make_comment(condition, commenter, text=f"Comment {n} of five.") for n in range(1, 6)]
    Comment.objects.filter(pk__in=[comments[1].pk, comments[2].pk]).update(status=Comment.Status.HELD)
    before = signed_out_html(condition)
    assert all(f"Comment {n} of five." in before for n in (1, 4, 5))
    client = client_for(moderator)
    # Published ids {1, 4, 5} become {2, 3, 5}: the same count, highest id and sum of ids.
    for action, chosen in (("remove_selected", (0, 3)), ("reinstate_selected", (1, 2))):
        client.post(
            CHANGELIST + "?queue=all",
            {
                "action": action,
                ACTION_CHECKBOX_NAME: [comments[i].pk for i in chosen],
                "confirm": "yes",
                "note": "",
                "author_reason": "offensive",
            },
        )
    after = signed_out_html(condition)
    assert "Comment 1 of five." not in after and "Comment 4 of five." not in after
    assert all(f"Comment {n} of five." in after for n in (2, 3, 5))


def test_closing_comments_in_the_admin_reaches_signed_out_readers(client_for, superuser, condition):
    assert "Comments are closed." not in signed_out_html(condition)
    response = client_for(superuser).post(
        reverse("admin:comments_commentsettings_add"), {"page": condition.pk, "closed": "on"}
    )
    assert response.status_code == 302
    assert "Comments are closed." in signed_out_html(condition)


def test_renaming_a_user_in_the_admin_never_shows_the_username_to_readers(client_for, superuser, condition, commenter):
    """Readers see the display name (issue 16), so a new username reaches no page; a display-name
    change moves the thread's version (tests/conditions/test_version_triggers.py)."""
    make_comment(condition, commenter, text="My view")
    assert "commenter said on" in signed_out_html(condition)
    client = client_for(superuser)
    url = reverse("admin:auth_user_change", args=[commenter.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, [])}
    data.update({"username": "renamed-in-admin", "date_joined_0": "01/01/2026", "date_joined_1": "10:00:00"})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = signed_out_html(condition)
    assert "commenter said on" in page and "renamed-in-admin" not in page
