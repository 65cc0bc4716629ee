"""Clinical review: each step of a guide change, who may take it, and what readers see."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from conditions import services
from conditions.models import ClinicalReview, GuideRevision, Page, RelatedLink, ReviewReminder, RevisionEvent, Section

pytestmark = pytest.mark.django_db

APPROVAL = {"role": "Consultant neurologist", "sources_checked": "NICE CG186\nBNF: botulinum toxin type A"}
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def edited(revision, anchor, body, *, page=0):
    content = revision.content
    section = next(s for s in content["pages"][page]["sections"] if s["anchor"] == anchor)
    section["body"] = body
    return content


def submitted_change(guide, editor, body="Botulinum toxin injections are the main treatment.", **submit):
    revision = services.revision_start(guide=guide, user=editor)
    revision = services.revision_save(
        revision=revision, user=editor, content=edited(revision, "part-1", body), edit_version=revision.edit_version
    )
    return services.revision_submit(revision=revision, user=editor, change_summary="New treatment advice.", **submit)


def public_text(client, page):
    return client.get(page.get_absolute_url()).content.decode()


# Starting and saving.


def test_start_snapshots_the_whole_live_guide(condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    pages = revision.content["pages"]
    assert [page["title"] for page in pages] == [
        "Dystonia",
        "Symptoms of dystonia",
        "Causes of dystonia",
        "Treatment of dystonia",
    ]
    assert [s["anchor"] for s in pages[0]["sections"]] == ["part-1", "part-2", "part-3"]
    assert [link["title"] for link in pages[0]["links"]] == ["Related 1", "Related 2"]
    assert revision.state == GuideRevision.State.DRAFT
    assert list(revision.events.values_list("action", "actor")) == [("started", editor.pk)]


def test_two_editors_starting_a_change_share_the_one_draft(condition, editor, other_editor):
    first = services.revision_start(guide=condition, user=editor)
    second = services.revision_start(guide=condition, user=other_editor)
    assert first == second
    assert condition.revisions.count() == 1


def test_database_refuses_a_second_open_change_to_a_guide(condition, editor):
    services.revision_start(guide=condition, user=editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        GuideRevision.objects.create(guide=condition, number=99, content={"pages": []})


def test_a_save_from_an_out_of_date_form_is_refused_and_keeps_the_first(condition, editor, other_editor):
    revision = services.revision_start(guide=condition, user=editor)
    opened_at = revision.edit_version  # both editors open the form at this version
    services.revision_save(
        revision=revision,
        user=editor,
        content=edited(revision, "part-1", "First editor's text."),
        edit_version=opened_at,
    )
    with pytest.raises(services.EditConflict):
        services.revision_save(
            revision=revision,
            user=other_editor,
            content=edited(revision, "part-1", "Second editor's text."),
            edit_version=opened_at,
        )
    revision.refresh_from_db()
    assert revision.content["pages"][0]["sections"][0]["body"] == "First editor's text."
    assert revision.events.filter(action="saved").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_saves_at_once_from_the_same_version_let_exactly_one_through(condition, make_user):
    # Plain accounts: transactional tests run after a flush has emptied the staff groups.
    editor, other_editor = make_user("first"), make_user("second")
    revision = services.revision_start(guide=condition, user=editor)
    results, barrier = [], threading.Barrier(2)

    def save(user):
        barrier.wait()
        try:
            services.revision_save(
                revision=revision, user=user, content=edited(revision, "part-1", f"By {user}"), edit_version=1
            )
            results.append("saved")
        except services.EditConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in (editor, other_editor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "saved"]
    assert GuideRevision.objects.get(pk=revision.pk).edit_version == 2


def test_opening_a_draft_tells_you_who_else_has_it_open(condition, editor, other_editor):
    revision = services.revision_start(guide=condition, user=editor)
    now = timezone.now()
    assert services.revision_open_for_editing(revision=revision, user=editor, now=now) == []
    others = services.revision_open_for_editing(revision=revision, user=other_editor, now=now)
    assert [other.user for other in others] == [editor]
    later = now + services.EDITING_WINDOW + datetime.timedelta(minutes=1)
    assert services.revision_open_for_editing(revision=revision, user=other_editor, now=later) == []


# Review.


def test_an_unapproved_change_never_reaches_the_public_page(client, condition, editor):
    submitted_change(condition, editor, body="Unreviewed treatment advice.")
    assert "Unreviewed treatment advice" not in public_text(client, condition)
    assert condition.sections.get(anchor="part-1").body == "Text 1."


def test_an_editor_cannot_approve(condition, editor, other_editor):
    revision = submitted_change(condition, editor)
    with pytest.raises(services.ReviewError, match="Only clinical reviewers"):
        services.revision_approve(revision=revision, reviewer=other_editor, **APPROVAL)
    assert not ClinicalReview.objects.filter(revision=revision).exists()
    assert GuideRevision.objects.get(pk=revision.pk).state == GuideRevision.State.SUBMITTED


def test_a_reviewer_cannot_approve_a_change_they_made(condition, superuser, reviewer):
    # A superuser holds the review permission too, but not for their own change.
    revision = submitted_change(condition, superuser)
    with pytest.raises(services.ReviewError, match="another clinical reviewer"):
        services.revision_approve(revision=revision, reviewer=superuser, **APPROVAL)
    with pytest.raises(services.ReviewError, match="another clinical reviewer"):
        services.revision_send_back(revision=revision, reviewer=superuser, comment="Looks fine to me")
    services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)
    assert GuideRevision.objects.get(pk=revision.pk).state == GuideRevision.State.PUBLISHED


def test_a_reviewer_who_edited_the_draft_cannot_approve_it(condition, editor, superuser, reviewer):
    revision = services.revision_start(guide=condition, user=editor)
    services.revision_save(revision=revision, user=superuser, content=revision.content, edit_version=1)
    services.revision_submit(revision=revision, user=editor, change_summary="Checked.")
    with pytest.raises(services.ReviewError, match="You worked on this change"):
        services.revision_approve(revision=revision, reviewer=superuser, **APPROVAL)


def test_approval_records_the_sign_off_and_publishes_it_with_its_date(client, condition, editor, reviewer):
    revision = submitted_change(condition, editor, body="Botulinum toxin injections are the main treatment.")
    review = services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, note="Fine.", today=TODAY)

    assert (review.reviewer, review.role, review.reviewed_on, review.revision) == (
        reviewer,
        "Consultant neurologist",
        TODAY,
        revision,
    )
    assert review.sources_checked == "NICE CG186\nBNF: botulinum toxin type A"
    for page in services.guide_pages(Page.objects.get(pk=condition.pk)):
        assert (page.last_reviewed, page.next_review_due) == (TODAY, datetime.date(2028, 11, 25))
    html = public_text(client, condition)
    assert "Botulinum toxin injections are the main treatment." in html
    assert "Page last reviewed: 25/11/2026" in html
    assert "Next review due: 25/11/2028" in html
    assert list(revision.events.values_list("action", "actor")) == [
        ("started", editor.pk),
        ("saved", editor.pk),
        ("submitted", editor.pk),
        ("approved", reviewer.pk),
        ("published", reviewer.pk),
    ]


def test_approval_needs_a_role_and_sources(condition, editor, reviewer):
    revision = submitted_change(condition, editor)
    with pytest.raises(services.ReviewError, match="role and the sources"):
        services.revision_approve(revision=revision, reviewer=reviewer, role=" ", sources_checked="NICE")
    assert ClinicalReview.objects.filter(revision=revision).count() == 0


def test_sent_back_change_is_fixed_resubmitted_and_approved(client, condition, editor, reviewer):
    revision = submitted_change(condition, editor, body="Botox cures dystonia.")
    with pytest.raises(services.ReviewError, match="what needs changing"):
        services.revision_send_back(revision=revision, reviewer=reviewer, comment="")
    services.revision_send_back(revision=revision, reviewer=reviewer, comment="It does not cure it: say it eases it.")
    revision.refresh_from_db()
    assert revision.state == GuideRevision.State.SENT_BACK
    assert revision.events.last().comment == "It does not cure it: say it eases it."

    with pytest.raises(services.ReviewError):
        services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL)  # not submitted now
    services.revision_save(
        revision=revision,
        user=editor,
        content=edited(revision, "part-1", "Botox eases the symptoms of dystonia."),
        edit_version=revision.edit_version,
    )
    services.revision_submit(revision=revision, user=editor, change_summary="Fixed as asked.")
    services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)
    html = public_text(client, condition)
    assert "Botox eases the symptoms of dystonia." in html
    assert "cures" not in html


def test_a_submitted_change_cannot_be_edited(condition, editor):
    revision = submitted_change(condition, editor)
    with pytest.raises(services.ReviewError, match="with the clinical reviewer"):
        services.revision_save(
            revision=revision, user=editor, content=revision.content, edit_version=revision.edit_version
        )


def test_submitting_needs_what_changed_and_why(condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    with pytest.raises(services.ReviewError, match="what changed and why"):
        services.revision_submit(revision=revision, user=editor, change_summary="  ")
    assert GuideRevision.objects.get(pk=revision.pk).state == GuideRevision.State.DRAFT


# Publishing.


def test_publishing_adds_edits_and_deletes_rows_through_their_own_save_and_delete(condition, editor, reviewer):
    revision = services.revision_start(guide=condition, user=editor)
    content = revision.content
    guide = content["pages"][0]
    guide["title"] = "Dystonia (movement disorder)"
    guide["sections"] = [s for s in guide["sections"] if s["anchor"] != "part-2"]
    guide["sections"].append(
        {
            "id": None,
            "order": 9,
            "heading": "Support",
            "anchor": "support",
            "body": "Ask your GP.",
            "read_more": None,
            "read_more_label": "",
        }
    )
    guide["links"] = guide["links"][:1]
    services.revision_save(revision=revision, user=editor, content=content, edit_version=1)
    services.revision_submit(revision=revision, user=editor, change_summary="Restructured.")
    services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)

    condition.refresh_from_db()
    assert condition.title == "Dystonia (movement disorder)"
    assert list(condition.sections.values_list("anchor", flat=True)) == ["part-1", "part-3", "support"]
    assert Section.objects.get(anchor="support").body_html == "<p>Ask your GP.</p>"  # save() rendered it
    assert list(condition.related_links.values_list("title", flat=True)) == ["Related 1"]
    # The edit history saw each row saved or deleted one by one, as an editor's own edit would be.
    assert Section.history.filter(anchor="part-2", history_type="-").count() == 1
    assert Section.history.filter(anchor="support", history_type="+").count() == 1
    assert RelatedLink.history.filter(title="Related 2", history_type="-").count() == 1
    assert Page.history.filter(id=condition.pk, title="Dystonia (movement disorder)").count() == 1
    # The published version holds the live ids, so it compares and restores against these rows.
    published = GuideRevision.objects.get(pk=revision.pk).content
    assert published["pages"][0]["sections"][-1]["id"] == Section.objects.get(anchor="support").pk


def test_publishing_a_never_published_guide_publishes_all_its_pages(make_page, editor, reviewer):
    draft = make_page("Tremor", status=Page.Status.DRAFT)
    make_page("Living with tremor", parent=draft, status=Page.Status.DRAFT)
    revision = submitted_change(draft, editor)
    services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)
    assert set(Page.objects.published().values_list("title", flat=True)) == {"Tremor", "Living with tremor"}


def test_scheduled_change_waits_for_its_time_and_publishing_twice_is_safe(client, condition, editor, reviewer):
    at = timezone.now() + datetime.timedelta(days=2)
    revision = submitted_change(condition, editor, body="Scheduled advice.", publish_at=at)
    services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)
    assert GuideRevision.objects.get(pk=revision.pk).state == GuideRevision.State.APPROVED
    assert "Scheduled advice." not in public_text(client, condition)

    assert services.revisions_publish_scheduled(now=at - datetime.timedelta(minutes=1)) == []
    assert [r.pk for r in services.revisions_publish_scheduled(now=at)] == [revision.pk]
    assert services.revisions_publish_scheduled(now=at + datetime.timedelta(hours=1)) == []
    assert services.revision_publish(revision=revision) is False
    assert revision.events.filter(action=RevisionEvent.Action.PUBLISHED).count() == 1
    assert "Scheduled advice." in public_text(client, condition)
    assert "Page last reviewed: 25/11/2026" in public_text(client, condition)


def test_a_publication_time_in_the_past_is_refused(condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    with pytest.raises(services.ReviewError, match="in the future"):
        services.revision_submit(
            revision=revision, user=editor, change_summary="x", publish_at=timezone.now() - datetime.timedelta(1)
        )


def test_an_unapproved_change_cannot_be_published(condition, editor):
    revision = submitted_change(condition, editor)
    with pytest.raises(services.ReviewError, match="Only an approved change"):
        services.revision_publish(revision=revision, user=editor)


# History.


def test_restoring_an_old_version_makes_a_draft_that_goes_through_review(client, condition, editor, reviewer):
    services.guide_record_legacy_review(guide=condition)
    first = condition.revisions.get(number=1)
    revision = services.revision_start(guide=condition, user=editor)
    content = edited(revision, "part-1", "Version two text.")
    content["pages"][0]["sections"] = [s for s in content["pages"][0]["sections"] if s["anchor"] != "part-3"]
    services.revision_save(revision=revision, user=editor, content=content, edit_version=1)
    services.revision_submit(revision=revision, user=editor, change_summary="v2")
    services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)
    assert "Version two text." in public_text(client, condition)

    draft = services.revision_restore(revision=first, user=editor)
    assert (draft.state, draft.number, draft.restored_from) == (GuideRevision.State.DRAFT, 3, first)
    assert "Version two text." in public_text(client, condition)  # not live until reviewed
    with pytest.raises(services.ReviewError, match="already has a change"):
        services.revision_restore(revision=first, user=editor)

    services.revision_submit(revision=draft, user=editor, change_summary="Back to version 1.")
    services.revision_approve(revision=draft, reviewer=reviewer, **APPROVAL, today=TODAY)
    html = public_text(client, condition)
    assert "Text 1." in html and "Version two text." not in html
    assert list(condition.sections.values_list("anchor", flat=True)) == ["part-1", "part-2", "part-3"]


def test_diff_shows_removed_and_added_text_with_context(condition, editor):
    old = services.guide_snapshot(condition)
    new = services.revision_start(guide=condition, user=editor).content
    new["pages"][0]["sections"][1]["body"] = "Changed text."
    diff = [(line.kind, line.text) for line in services.snapshot_diff(old, new)]
    assert ("removed", "Text 2.") in diff
    assert ("added", "Changed text.") in diff
    assert ("same", "## Part 2") in diff  # context before the change
    assert not any(text.startswith("# Causes") for _, text in diff)  # far from the change: left out


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert services.add_months(datetime.date(2013, 6, 19), 24) == datetime.date(2015, 6, 19)
    assert services.add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)


def test_legacy_review_keeps_the_dates_readers_see_and_runs_once(client, condition):
    before = public_text(client, condition)
    review = services.guide_record_legacy_review(guide=condition)
    assert (review.legacy, review.reviewer, review.reviewed_on) == (True, None, datetime.date(2013, 6, 19))
    assert condition.revisions.get().state == GuideRevision.State.PUBLISHED
    assert services.guide_record_legacy_review(guide=condition) is None
    assert ClinicalReview.objects.count() == 1
    assert "Page last reviewed: 19/06/2013" in before
    assert "Page last reviewed: 19/06/2013" in public_text(client, condition)


def test_database_refuses_a_sign_off_without_a_reviewer(condition):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicalReview.objects.create(guide=condition, role="x", reviewed_on=TODAY, sources_checked="x")


# Reminders and counts.


@pytest.fixture
def due_guide(condition, editor):
    condition.owner = editor
    condition.next_review_due = datetime.date(2026, 12, 31)
    condition.save()
    return condition


def sent_on(day):
    mail.outbox.clear()
    services.review_reminders_send(today=day)
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def test_reminders_go_once_when_due_soon_and_once_when_overdue(due_guide, reviewer, other_reviewer):
    soon = "Clinical review due by 31/12/2026: Dystonia"
    overdue = "Clinical review overdue: Dystonia (due 31/12/2026)"
    everyone = ["editor@example.org", "other_reviewer@example.org", "reviewer@example.org"]

    assert sent_on(datetime.date(2026, 11, 30)) == []  # 31 days before
    assert sent_on(datetime.date(2026, 12, 1)) == [(address, soon) for address in everyone]  # 30 days before
    assert sent_on(datetime.date(2026, 12, 1)) == []  # run twice the same day
    assert sent_on(datetime.date(2026, 12, 31)) == []  # due today: still the same stage
    assert sent_on(datetime.date(2027, 1, 1)) == [(address, overdue) for address in everyone]
    assert sent_on(datetime.date(2027, 1, 2)) == []
    assert sent_on(datetime.date(2027, 3, 1)) == []
    assert ReviewReminder.objects.count() == 2


def test_reminder_says_when_it_is_due_and_how_to_review(due_guide, reviewer):
    sent_on(datetime.date(2026, 12, 21))
    body = mail.outbox[0].body
    assert 'The clinical review of "Dystonia" is due on 31/12/2026, in 10 days.' in body
    assert "Page last reviewed: 19/06/2013" in body
    assert f"/conditions/page/{due_guide.pk}/change/" in body


def test_a_new_review_date_starts_the_reminders_again(due_guide, editor, reviewer, other_reviewer):
    sent_on(datetime.date(2026, 12, 1))
    revision = submitted_change(due_guide, editor)
    services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=datetime.date(2026, 12, 5))
    assert sent_on(datetime.date(2028, 11, 4)) == []
    assert len(sent_on(datetime.date(2028, 11, 5))) == 3  # due 05/12/2028: due soon again


def test_reminders_skip_drafts_inactive_reviewers_and_missing_owners(make_page, reviewer, other_reviewer):
    make_page("Tremor", status=Page.Status.DRAFT, next_review_due=datetime.date(2026, 12, 1))
    make_page("Ownerless", next_review_due=datetime.date(2026, 12, 1))
    other_reviewer.is_active = False
    other_reviewer.save()
    assert sent_on(datetime.date(2026, 11, 25)) == [
        ("reviewer@example.org", "Clinical review due by 01/12/2026: Ownerless")
    ]


def test_review_counts_for_the_admin_index(make_page, condition, editor, reviewer):
    make_page("Late", next_review_due=TODAY - datetime.timedelta(days=1))
    make_page("Soon", next_review_due=TODAY + datetime.timedelta(days=5))
    make_page("Late draft", status=Page.Status.DRAFT, next_review_due=TODAY - datetime.timedelta(days=1))
    submitted_change(condition, editor)
    late_change = services.revision_start(guide=Page.objects.get(title="Late"), user=editor)
    services.revision_submit(revision=late_change, user=editor, change_summary="x")
    services.revision_send_back(revision=late_change, reviewer=reviewer, comment="Check the dose.")
    assert services.review_counts(today=TODAY) == {"overdue": 2, "due_soon": 1, "awaiting_review": 1, "sent_back": 1}


def test_deleting_an_account_keeps_the_names_in_the_record(condition, editor, reviewer):
    revision = submitted_change(condition, editor)
    review = services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)
    editor.delete()
    reviewer.delete()
    review.refresh_from_db()
    assert (review.reviewer, review.reviewer_name) == (None, "reviewer")
    assert list(revision.events.values_list("action", "actor", "actor_name")) == [
        ("started", None, "editor"),
        ("saved", None, "editor"),
        ("submitted", None, "editor"),
        ("approved", None, "reviewer"),
        ("published", None, "reviewer"),
    ]


def test_withdrawing_a_change_frees_the_guide_and_keeps_the_record(client, condition, editor, reviewer):
    revision = submitted_change(condition, editor, body="Abandoned advice.")
    services.revision_withdraw(revision=revision, user=editor, reason="Guidance is about to change.")
    revision.refresh_from_db()
    assert revision.state == GuideRevision.State.WITHDRAWN
    assert revision.events.last().comment == "Guidance is about to change."
    with pytest.raises(services.ReviewError, match="not waiting for clinical review"):
        services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL)
    with pytest.raises(services.ReviewError, match="not yet published"):
        services.revision_withdraw(revision=revision, user=editor)
    assert services.revision_start(guide=condition, user=editor).number == 2
    assert "Abandoned advice." not in public_text(client, condition)
