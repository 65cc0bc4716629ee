import datetime

import pytest
from django.core import mail
from django.utils import timezone

from comments import services
from comments.models import Comment, CommentSettings, ModerationDecision, Report

from .factories import make_comment, report_by_sessions

pytestmark = pytest.mark.django_db


# Posting


def test_comment_post_publishes_at_once_by_default(condition, commenter):
    comment, created = services.comment_post(page=condition, author=commenter, text="Botox helped me.")
    assert created
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.text_hash == services.text_hash("Botox helped me.")


def test_comment_post_holds_comments_on_a_pre_moderated_guide(condition, commenter):
    CommentSettings.objects.create(page=condition, pre_moderate=True)
    comment, _ = services.comment_post(page=condition, author=commenter, text="Hello.")
    assert comment.status == Comment.Status.HELD


@pytest.mark.parametrize(
    "text",
    [
        "Email me at jo.bloggs@example.co.uk",
        "Ring me on 07700 900123",
        "Call 020 7946 0018 any time",
        "Phone +44 7700 900123",
        "My NHS number is 943 476 5919",
        "NHS number 9434765919",
        "I live near NR4 7UY",
        "I live in sw1a 1aa",
    ],
)
def test_comment_post_holds_text_that_looks_like_personal_details(condition, commenter, text):
    comment, _ = services.comment_post(page=condition, author=commenter, text=text)
    assert comment.status == Comment.Status.HELD


@pytest.mark.parametrize(
    "text",
    ["My father became ill in 1974 and passed away in 2001.", "I take 2 tablets of 10mg a day.", "Love you Dad xx"],
)
def test_comment_post_publishes_ordinary_text(condition, commenter, text):
    comment, _ = services.comment_post(page=condition, author=commenter, text=text)
    assert comment.status == Comment.Status.PUBLISHED


def test_comment_post_refuses_a_closed_guide(condition, commenter):
    CommentSettings.objects.create(page=condition, closed=True)
    with pytest.raises(services.CommentError, match="Comments are closed"):
        services.comment_post(page=condition, author=commenter, text="Hello.")
    assert not Comment.objects.exists()


def test_comment_post_refuses_a_sub_page(condition, commenter):
    with pytest.raises(services.CommentError):
        services.comment_post(page=condition.subpages.first(), author=commenter, text="Hello.")


def test_same_text_by_same_author_within_ten_minutes_is_accepted_once(condition, commenter):
    first, created_first = services.comment_post(page=condition, author=commenter, text="Same words.")
    second, created_second = services.comment_post(page=condition, author=commenter, text="Same words.")
    assert created_first and not created_second
    assert first == second
    assert Comment.objects.count() == 1


def test_same_text_after_ten_minutes_is_a_new_comment(condition, commenter):
    first, _ = services.comment_post(page=condition, author=commenter, text="Same words.")
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    _, created = services.comment_post(page=condition, author=commenter, text="Same words.")
    assert created
    assert Comment.objects.count() == 2


def test_same_text_by_another_author_is_a_new_comment(condition, commenter, other_commenter):
    services.comment_post(page=condition, author=commenter, text="Same words.")
    _, created = services.comment_post(page=condition, author=other_commenter, text="Same words.")
    assert created


# Author's delete


def test_author_deletes_own_comment_softly(condition, commenter):
    comment = make_comment(condition, commenter)
    services.comment_delete(comment=comment, user=commenter)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert comment.deleted_by_author_at is not None
    assert comment.text  # kept for moderators


def test_nobody_deletes_another_persons_comment(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter)
    with pytest.raises(services.CommentError):
        services.comment_delete(comment=comment, user=other_commenter)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


# Reports and the hide threshold


@pytest.mark.parametrize(("reports", "status"), [(2, "published"), (3, "hidden"), (4, "hidden")])
def test_comment_is_hidden_at_the_threshold(condition, commenter, reports, status):
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, reports)
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.reports.filter(status=Report.Status.OPEN).count() == reports


@pytest.mark.parametrize(
    ("threshold", "still_published_after"),
    [(5, 4), (1, 1)],
    ids=["threshold_comes_from_settings", "one_report_never_hides_even_at_a_threshold_of_one"],
)
def test_reports_hide_at_the_threshold_in_settings(condition, commenter, settings, threshold, still_published_after):
    settings.REPORTS_TO_HIDE = threshold
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, still_published_after)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    report_by_sessions(comment, 1)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_a_reader_reports_a_comment_only_once(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter)
    services.comment_report(comment=comment, reason=Report.Reason.SPAM, reporter=other_commenter)
    with pytest.raises(services.CommentError, match="You have already reported this comment"):
        services.comment_report(comment=comment, reason=Report.Reason.OTHER, reporter=other_commenter)
    assert comment.reports.count() == 1


def test_an_author_cannot_report_their_own_comment(condition, commenter):
    comment = make_comment(condition, commenter)
    with pytest.raises(services.CommentError, match="You cannot report your own comment"):
        services.comment_report(comment=comment, reason=Report.Reason.AT_RISK, reporter=commenter)
    assert not Report.objects.exists()
    assert len(mail.outbox) == 0  # no urgent item, no email to the moderators


def test_a_held_comment_stays_held_when_reported(condition, commenter):
    comment = make_comment(condition, commenter, status=Comment.Status.HELD)
    report_by_sessions(comment, 3)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_a_removed_comment_cannot_be_reported(condition, commenter):
    comment = make_comment(condition, commenter, status=Comment.Status.REMOVED)
    with pytest.raises(services.CommentError):
        services.comment_report(comment=comment, reason=Report.Reason.SPAM, session_hash="abc")
    assert not Report.objects.exists()


def test_at_risk_report_emails_the_moderators_at_once(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter, text="I cannot go on.")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_report(
            comment=comment, reason=Report.Reason.AT_RISK, details="Please help them.", session_hash="abc"
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["moderators@example.org"]
    assert "at risk of harm" in mail.outbox[0].subject
    assert "I cannot go on." in mail.outbox[0].body
    assert "Please help them." in mail.outbox[0].body
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # one report does not hide it


def test_other_reasons_send_no_email(condition, commenter, django_capture_on_commit_callbacks):
    comment = make_comment(condition, commenter)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_report(comment=comment, reason=Report.Reason.SPAM, session_hash="abc")
    assert mail.outbox == []


# Moderators' decisions


def test_remove_upholds_open_reports_records_the_decision_and_emails_the_author(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter, text="Buy cheap pills.")
    report_by_sessions(comment, 3, reason=Report.Reason.SPAM)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.comment_remove(comment=comment, moderator=moderator, note="Advertising.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert set(comment.reports.values_list("status", flat=True)) == {Report.Status.UPHELD}
    assert decision.outcome == ModerationDecision.Outcome.REMOVE
    assert decision.moderator == moderator
    assert decision.note == "Advertising."
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["commenter@example.org"]
    assert "removed" in mail.outbox[0].subject
    assert "Advertising." not in mail.outbox[0].body  # the note is for moderators only


def test_reinstate_dismisses_open_reports_and_publishes(condition, commenter, moderator):
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 3)
    services.comment_reinstate(comment=comment, moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.reinstated_at is not None
    assert set(comment.reports.values_list("status", flat=True)) == {Report.Status.DISMISSED}
    assert comment.decisions.get().outcome == ModerationDecision.Outcome.REINSTATE


def test_reinstated_comment_needs_the_full_threshold_of_new_reports(condition, commenter, moderator):
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 3)
    services.comment_reinstate(comment=comment, moderator=moderator)

    report_by_sessions(comment, 2)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # the 3 earlier reports no longer count

    report_by_sessions(comment, 1)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_reports_from_before_a_reinstatement_do_not_count_even_if_still_open(condition, commenter, moderator):
    comment = make_comment(condition, commenter)
    early = report_by_sessions(comment, 2)
    services.comment_reinstate(comment=comment, moderator=moderator)
    # A report filed in a race just before the reinstatement is still open: it must not count.
    Report.objects.filter(pk=early[0].pk).update(status=Report.Status.OPEN, resolved_at=None)
    report_by_sessions(comment, 2)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_removed_comment_can_be_reinstated(condition, commenter, moderator):
    comment = make_comment(condition, commenter)
    services.comment_remove(comment=comment, moderator=moderator)
    services.comment_reinstate(comment=comment, moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert list(comment.decisions.values_list("outcome", flat=True)) == ["reinstate", "remove"]


def test_a_comment_its_author_deleted_cannot_be_reinstated(condition, commenter, moderator):
    comment = make_comment(condition, commenter)
    services.comment_delete(comment=comment, user=commenter)
    with pytest.raises(services.CommentError):
        services.comment_reinstate(comment=comment, moderator=moderator)


def test_ban_deactivates_the_author_and_removes_their_comments(
    condition, commenter, other_commenter, moderator, django_capture_on_commit_callbacks
):
    first = make_comment(condition, commenter)
    second = make_comment(condition, commenter)
    report_by_sessions(first, 1)
    bystander = make_comment(condition, other_commenter)
    with django_capture_on_commit_callbacks(execute=True):
        decisions = services.user_ban(user=commenter, moderator=moderator, note="Repeated abuse.", comment=first)
    commenter.refresh_from_db()
    assert not commenter.is_active
    assert set(Comment.objects.filter(author=commenter).values_list("status", flat=True)) == {"removed"}
    assert {d.comment for d in decisions} == {first, second}
    assert all(d.outcome == ModerationDecision.Outcome.BAN for d in decisions)
    assert first.reports.get().status == Report.Status.UPHELD
    bystander.refresh_from_db()
    assert bystander.status == Comment.Status.PUBLISHED
    assert [message.to for message in mail.outbox] == [["commenter@example.org"]]


def test_staff_cannot_be_banned(moderator, editor):
    with pytest.raises(services.CommentError):
        services.user_ban(user=editor, moderator=moderator)
    editor.refresh_from_db()
    assert editor.is_active


# Reports hide a comment only when they come from distinct people (issue 10, finding 2).


def report_as(comment, user, *, address="address-shared"):
    return services.comment_report(
        comment=comment, reason=Report.Reason.OFFENSIVE, reporter=user, address_hash=address
    )


def give_record(page, author, reporter, moderator, *, upheld=0, dismissed=0):
    """`reporter` reports other comments; moderators uphold `upheld` and dismiss `dismissed` of them."""
    for number in range(upheld + dismissed):
        earlier = make_comment(page, author, text=f"Earlier comment {number}.")
        report_as(earlier, reporter, address=f"record-{number}")
        decide = services.comment_remove if number < upheld else services.comment_reinstate
        decide(comment=earlier, moderator=moderator)


def test_three_sessions_from_one_address_count_once_and_hide_nothing(condition, commenter):
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 3, address_hash="one-address")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    # Every report is still stored for the moderators.
    assert comment.reports.filter(status=Report.Status.OPEN).count() == 3


def test_anonymous_readers_on_three_addresses_hide_the_comment(condition, commenter):
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 2, address_hash="one-address")
    report_by_sessions(comment, 1, address_hash="another-address")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED  # two addresses weigh 2, under the threshold of 3
    report_by_sessions(comment, 1, address_hash="a-third-address")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_one_account_and_anonymous_reports_from_its_address_do_not_hide(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter)
    report_as(comment, other_commenter, address="one-address")
    report_by_sessions(comment, 5, address_hash="one-address")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_three_accounts_behind_one_address_hide_the_comment(condition, commenter, make_user):
    comment = make_comment(condition, commenter)
    for name in ("nurse", "carer", "patient"):
        report_as(comment, make_user(name), address="one-office")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_reports_from_an_account_with_an_upheld_record_weigh_more(condition, commenter, make_user, moderator):
    trusted, second = make_user("trusted"), make_user("second")
    give_record(condition, commenter, trusted, moderator, upheld=4)
    comment = make_comment(condition, commenter, text="Reported by two.")
    report_as(comment, trusted)
    report_as(comment, second)
    comment.refresh_from_db()
    # 2.0 for four upheld out of four, 1.0 for no record: 3, the threshold.
    assert comment.status == Comment.Status.HIDDEN


def test_reports_from_an_account_with_a_dismissed_record_weigh_less(condition, commenter, make_user, moderator):
    doubtful, second, third = make_user("doubtful"), make_user("second"), make_user("third")
    give_record(condition, commenter, doubtful, moderator, dismissed=4)
    comment = make_comment(condition, commenter, text="Reported by three.")
    for user in (doubtful, second, third):
        report_as(comment, user)
    comment.refresh_from_db()
    # 0.25 for nothing upheld out of four, then 1.0 and 1.0: 2.25, under the threshold.
    assert comment.status == Comment.Status.PUBLISHED


@pytest.mark.parametrize(
    ("upheld", "dismissed", "weight"),
    [(0, 0, 1.0), (2, 0, 1.0), (0, 2, 1.0), (3, 0, 2.0), (7, 3, 1.0), (0, 4, 0.25), (17, 3, 1.5), (7, 7, 0.79)],
)
def test_report_weight_follows_the_reporters_record(upheld, dismissed, weight):
    from comments.models import report_weight

    assert report_weight(upheld=upheld, dismissed=dismissed) == weight


def test_a_record_counts_only_decided_reports_on_other_comments(condition, commenter, other_commenter, moderator):
    give_record(condition, commenter, other_commenter, moderator, upheld=2, dismissed=1)
    open_one = make_comment(condition, commenter, text="Still open.")
    report_as(open_one, other_commenter)
    report = Report.objects.with_reporter_record().get(comment=open_one)
    assert (report.reporter_upheld, report.reporter_dismissed) == (2, 1)


# Issue 14: risk signposting, the urgent clock, authors kept informed, edits, clinicians' notes


@pytest.fixture
def risk_phrases(db):
    from comments.models import RiskPhrase

    for phrase in ["end my life", "suicide"]:
        RiskPhrase.objects.create(phrase=phrase)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Some days I want to END MY LIFE.", ["end my life"]),
        ("I want to end  my\nlife", ["end my life"]),
        ("Suicide crossed my mind.", ["suicide"]),
        ("The suicidetrack band is good.", []),  # whole words only
        ("Botox every 12 weeks helps me.", []),
    ],
)
def test_risk_phrases_match_whole_words_ignoring_capitals(risk_phrases, text, found):
    assert services.risk_phrases_in(text) == found


def test_a_comment_matching_a_risk_phrase_is_held_and_opens_an_urgent_item(
    risk_phrases, condition, commenter, django_capture_on_commit_callbacks
):
    from comments.models import UrgentItem

    with django_capture_on_commit_callbacks(execute=True):
        comment, _ = services.comment_post(page=condition, author=commenter, text="I want to end my life.")
    assert comment.status == Comment.Status.HELD
    assert comment.at_risk
    item = UrgentItem.objects.get(comment=comment)
    assert (item.kind, item.first_action_at) == ("held", None)
    assert [message.to for message in mail.outbox] == [["moderators@example.org"]]
    assert mail.outbox[0].subject == "Urgent: a comment may mean someone is at risk of harm"
    assert f"/admin/comments/comment/{comment.pk}/change/" in mail.outbox[0].body


def test_a_comment_with_no_risk_phrase_is_published_and_opens_nothing(
    risk_phrases, condition, commenter, django_capture_on_commit_callbacks
):
    from comments.models import UrgentItem

    with django_capture_on_commit_callbacks(execute=True):
        comment, _ = services.comment_post(page=condition, author=commenter, text="Endless neck pain today.")
    assert comment.status == Comment.Status.PUBLISHED
    assert not comment.at_risk
    assert not UrgentItem.objects.exists()
    assert mail.outbox == []


def test_at_risk_reports_share_one_running_clock_per_comment(condition, commenter):
    from comments.models import UrgentItem

    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 2, reason=Report.Reason.AT_RISK)
    item = UrgentItem.objects.get(comment=comment)
    assert item.kind == "report"
    assert item.first_action_at is None


def test_the_first_decision_stops_the_clock_and_records_time_to_first_action(condition, commenter, moderator):
    from comments.models import UrgentItem

    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 1, reason=Report.Reason.AT_RISK)
    UrgentItem.objects.update(opened_at=timezone.now() - datetime.timedelta(minutes=12))
    services.comment_reinstate(comment=comment, moderator=moderator)
    item = UrgentItem.objects.get()
    assert item.first_action_by == moderator
    assert datetime.timedelta(minutes=12) <= item.time_to_first_action < datetime.timedelta(minutes=13)
    # A later decision does not move it.
    first = item.first_action_at
    services.comment_remove(comment=comment, moderator=moderator)
    item.refresh_from_db()
    assert item.first_action_at == first


def test_the_realert_fires_once_and_only_once(
    condition, commenter, moderator, settings, django_capture_on_commit_callbacks
):
    from comments.models import UrgentItem

    settings.URGENT_REALERT_MINUTES = 30
    waiting = make_comment(condition, commenter, text="Waiting too long.")
    fresh = make_comment(condition, commenter, text="Just reported.")
    acted = make_comment(condition, commenter, text="Already seen.")
    for comment in (waiting, fresh, acted):
        report_by_sessions(comment, 1, reason=Report.Reason.AT_RISK)
    long_ago = timezone.now() - datetime.timedelta(minutes=31)
    UrgentItem.objects.filter(comment__in=[waiting, acted]).update(opened_at=long_ago)
    services.comment_reinstate(comment=acted, moderator=moderator)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.urgent_items_realert() == 1
    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert alert.to == ["moderators@example.org"]
    assert alert.subject == "Still waiting: someone may be at risk of harm"
    assert "waiting 31 minutes" in alert.body
    assert f"/comments/comment/{waiting.pk}/change/" in alert.body
    assert f"/comments/comment/{fresh.pk}/" not in alert.body

    # Run again every minute: nothing more about the same item.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.urgent_items_realert() == 0
        assert services.urgent_items_realert(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1
    # The fresh one's turn comes once it has waited long enough, once.
    later = timezone.now() + datetime.timedelta(minutes=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.urgent_items_realert(now=later) == 1
        assert services.urgent_items_realert(now=later) == 0
    assert len(mail.outbox) == 2


def test_the_realert_command_is_safe_to_run_every_minute(condition, commenter, settings):
    import io

    from django.core.management import call_command

    from comments.models import UrgentItem

    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 1, reason=Report.Reason.AT_RISK)
    UrgentItem.objects.update(opened_at=timezone.now() - datetime.timedelta(minutes=45))
    outputs = []
    for _ in range(3):
        out = io.StringIO()
        call_command("alert_urgent_comments", stdout=out)
        outputs.append(out.getvalue().strip())
    assert outputs == [
        "Urgent items alerted again: 1",
        "Urgent items alerted again: 0",
        "Urgent items alerted again: 0",
    ]
    assert UrgentItem.objects.get().realerted_at is not None


# Authors kept informed: each email once, with the right text and the rules


def sent(callbacks_fixture, action):
    with callbacks_fixture(execute=True):
        action()
    return list(mail.outbox)


def test_a_held_comment_published_emails_its_author_once(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter, text="Held one.", status=Comment.Status.HELD)
    outbox = sent(
        django_capture_on_commit_callbacks, lambda: services.comment_reinstate(comment=comment, moderator=moderator)
    )
    assert [(m.to, m.subject) for m in outbox] == [(["commenter@example.org"], "Your comment has been published")]
    assert "checked your comment on the Dystonia page and published it" in outbox[0].body
    assert "Held one." in outbox[0].body
    assert "The comment rules: http://localhost:8000/comments/rules/" in outbox[0].body


def test_a_held_comment_declined_emails_the_moderators_reason(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter, text="Buy my cure.", status=Comment.Status.HELD)
    outbox = sent(
        django_capture_on_commit_callbacks,
        lambda: services.comment_remove(comment=comment, moderator=moderator, author_reason="spam", note="Spam."),
    )
    assert [(m.to, m.subject) for m in outbox] == [(["commenter@example.org"], "Your comment has not been published")]
    assert "has not published it, because it is spam or advertising." in outbox[0].body
    assert "Spam." not in outbox[0].body.replace("Spam or", "")  # the moderators' own note stays theirs
    assert "/comments/rules/" in outbox[0].body


def test_a_published_comment_removed_emails_the_reason(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter, text="Rude words.")
    outbox = sent(
        django_capture_on_commit_callbacks,
        lambda: services.comment_remove(comment=comment, moderator=moderator, author_reason="offensive"),
    )
    assert [m.subject for m in outbox] == ["Your comment has been removed"]
    assert "because it is offensive or abusive." in outbox[0].body


def test_a_comment_hidden_by_reports_emails_its_author_once(condition, commenter, django_capture_on_commit_callbacks):
    comment = make_comment(condition, commenter, text="Contested view.")
    outbox = sent(django_capture_on_commit_callbacks, lambda: report_by_sessions(comment, 5))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    # Hidden at the third report; the fourth and fifth send nothing more.
    assert [(m.to, m.subject) for m in outbox] == [
        (["commenter@example.org"], "Your comment has been hidden while we check it")
    ]
    assert "Contested view." in outbox[0].body
    assert "/comments/rules/" in outbox[0].body


def test_a_hidden_comment_reinstated_emails_its_author_once(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter, text="Fair point.")
    report_by_sessions(comment, 3)
    outbox = sent(
        django_capture_on_commit_callbacks, lambda: services.comment_reinstate(comment=comment, moderator=moderator)
    )
    assert [m.subject for m in outbox] == ["Your comment is back on the page"]
    assert f"http://localhost:8000/conditions/dystonia/#comment-{comment.pk}" in outbox[0].body


def test_keeping_a_reported_published_comment_sends_its_author_nothing(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 1)
    outbox = sent(
        django_capture_on_commit_callbacks, lambda: services.comment_reinstate(comment=comment, moderator=moderator)
    )
    assert outbox == []


def test_removing_a_removed_comment_again_is_refused_and_sends_nothing(condition, commenter, moderator):
    comment = make_comment(condition, commenter, status=Comment.Status.REMOVED)
    with pytest.raises(services.CommentError, match="already been removed"):
        services.comment_remove(comment=comment, moderator=moderator)


def test_a_medical_advice_report_goes_to_the_clinical_note_people_once(
    condition, commenter, moderator, clinician, make_user, django_capture_on_commit_callbacks
):
    make_user("plain_staff", is_staff=True)  # no permission: no email
    comment = make_comment(condition, commenter, text="Double your dose.")
    outbox = sent(
        django_capture_on_commit_callbacks,
        lambda: report_by_sessions(comment, 2, reason=Report.Reason.MEDICAL),
    )
    # The clinician holds add_clinical_note (through Clinical reviewers); the plain moderator does not.
    assert [(m.to, m.subject) for m in outbox] == [
        (["clinician@example.org"], "A comment may give unsafe medical advice")
    ]
    assert "Double your dose." in outbox[0].body


def test_the_medical_report_goes_to_clinical_reviewers_when_that_group_holds_the_permission(
    condition, commenter, moderator, make_user, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group, Permission

    note = Permission.objects.get(codename="add_clinical_note")
    Group.objects.get(name="Moderators").permissions.remove(note)
    clinicians = Group.objects.get(name="Clinical reviewers")
    clinicians.permissions.add(note)
    make_user("nurse", groups=["Clinical reviewers"], is_staff=True)
    comment = make_comment(condition, commenter)
    outbox = sent(django_capture_on_commit_callbacks, lambda: report_by_sessions(comment, 1, reason="medical"))
    assert [m.to for m in outbox] == [["nurse@example.org"]]


def test_lifting_a_ban_reactivates_the_account_and_is_recorded(
    condition, commenter, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(condition, commenter)
    services.user_ban(user=commenter, moderator=moderator, comment=comment, author_reason="offensive")
    outbox = sent(
        django_capture_on_commit_callbacks,
        lambda: services.user_unban(user=commenter, moderator=moderator, comment=comment, note="Appeal upheld."),
    )
    commenter.refresh_from_db()
    assert commenter.is_active
    decision = comment.decisions.first()
    assert (decision.outcome, decision.moderator, decision.note) == ("unban", moderator, "Appeal upheld.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED  # comments come back one by one, by decision
    assert [m.subject for m in outbox] == ["Your account has been reopened"]
    with pytest.raises(services.CommentError, match="not banned"):
        services.user_unban(user=commenter, moderator=moderator, comment=comment)


def test_a_decision_records_how_long_the_comment_waited(condition, commenter, moderator):
    comment = make_comment(condition, commenter)
    report_by_sessions(comment, 1)
    Report.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    decision = services.comment_remove(comment=comment, moderator=moderator)
    assert decision.created_at - decision.waiting_since >= datetime.timedelta(hours=2)


# Edits


def test_an_edit_within_15_minutes_changes_the_text_and_keeps_the_old_one(condition, commenter):
    comment = make_comment(condition, commenter, text="First go.")
    edited = services.comment_edit(comment=comment, user=commenter, text="Second go.")
    assert edited.text == "Second go."
    assert edited.text_hash == services.text_hash("Second go.")
    assert edited.status == Comment.Status.PUBLISHED
    assert list(comment.edits.values_list("previous_text", flat=True)) == ["First go."]


def test_an_edit_after_15_minutes_is_refused_with_a_sentence(condition, commenter):
    comment = make_comment(
        condition, commenter, text="Old words.", created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    with pytest.raises(services.CommentError) as refused:
        services.comment_edit(comment=comment, user=commenter, text="New words.")
    assert str(refused.value) == (
        "You can only change a comment in the 15 minutes after you post it. "
        "You can delete it and post a new one instead."
    )
    comment.refresh_from_db()
    assert comment.text == "Old words."


def test_an_edit_adding_personal_details_is_held_again(condition, commenter):
    comment = make_comment(condition, commenter, text="Hello all.")
    edited = services.comment_edit(comment=comment, user=commenter, text="Ring me on 07700 900123.")
    assert edited.status == Comment.Status.HELD


def test_an_edit_matching_a_risk_phrase_is_held_for_urgent_review(
    risk_phrases, condition, commenter, django_capture_on_commit_callbacks
):
    from comments.models import UrgentItem

    comment = make_comment(condition, commenter, text="A hard week.")
    with django_capture_on_commit_callbacks(execute=True):
        edited = services.comment_edit(comment=comment, user=commenter, text="A hard week. I think about suicide.")
    assert edited.status == Comment.Status.HELD
    assert edited.at_risk
    assert UrgentItem.objects.open().filter(comment=comment).count() == 1
    assert [m.subject for m in mail.outbox] == ["Urgent: a comment may mean someone is at risk of harm"]


def test_someone_else_cannot_edit_a_comment(condition, commenter, other_commenter):
    comment = make_comment(condition, commenter, text="Mine.")
    with pytest.raises(services.CommentError, match="your own"):
        services.comment_edit(comment=comment, user=other_commenter, text="Yours now.")


# Clinicians' notes


def test_a_clinical_note_is_saved_with_who_and_when_and_its_history(condition, commenter, clinician):
    comment = make_comment(condition, commenter, text="Stop your tablets.")
    note = services.clinical_note_save(comment=comment, user=clinician, text="Talk to your doctor first.")
    services.clinical_note_save(comment=comment, user=clinician, text="Never stop suddenly: ask your doctor.")
    services.clinical_note_remove(comment=comment, user=clinician)
    from comments.models import ClinicalNote

    assert not ClinicalNote.objects.exists()
    history = list(ClinicalNote.history.filter(id=note.pk).order_by("history_date"))
    assert [(h.history_type, h.text, h.history_user) for h in history] == [
        ("+", "Talk to your doctor first.", clinician),
        ("~", "Never stop suddenly: ask your doctor.", clinician),
        ("-", "Never stop suddenly: ask your doctor.", clinician),
    ]


def test_only_people_with_the_permission_can_add_a_clinical_note(condition, commenter, editor):
    comment = make_comment(condition, commenter)
    with pytest.raises(services.CommentError, match="clinical team"):
        services.clinical_note_save(comment=comment, user=editor, text="A note.")


def test_a_clinical_note_needs_a_published_comment(condition, commenter, clinician):
    comment = make_comment(condition, commenter, status=Comment.Status.HELD)
    with pytest.raises(services.CommentError, match="published comment"):
        services.clinical_note_save(comment=comment, user=clinician, text="A note.")


# One way to do each thing (issue 17): a decision is recorded in one helper, and a ban removes
# each comment through comment_remove.


def test_a_moderation_decision_is_written_in_one_place_only():
    import inspect

    assert inspect.getsource(services).count("ModerationDecision.objects.create") == 1


def test_a_ban_removes_each_comment_through_comment_remove(condition, commenter, moderator, monkeypatch):
    first, second = make_comment(condition, commenter), make_comment(condition, commenter)
    removed = []
    remove = services.comment_remove

    def recording_remove(**kwargs):
        removed.append((kwargs["comment"].pk, kwargs["outcome"]))
        return remove(**kwargs)

    monkeypatch.setattr(services, "comment_remove", recording_remove)
    services.user_ban(user=commenter, moderator=moderator, author_reason="offensive")
    assert sorted(removed) == sorted([(first.pk, "ban"), (second.pk, "ban")])
    assert set(ModerationDecision.objects.values_list("outcome", "author_reason")) == {("ban", "offensive")}
