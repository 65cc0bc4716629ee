"""The clinical review pages in the admin: a change's page, the draft editor, history and compare."""

import datetime

import pytest
from django.urls import reverse

from conditions import services
from conditions.models import GuideRevision

pytestmark = pytest.mark.django_db

APPROVAL = {"role": "Consultant neurologist", "sources_checked": "NICE CG186"}
TODAY = datetime.date(2026, 11, 25)


def url(name, *args):
    return reverse(f"admin:conditions_guiderevision_{name}", args=args)


def draft_form_data(client, revision):
    """What the draft editor posts when nothing is changed."""
    form = client.get(url("edit", revision.pk)).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if getattr(field.widget, "input_type", None) == "checkbox":
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


def post_draft(client, revision, changes):
    """Send the draft editor's form with `changes` over what it shows; the response."""
    return client.post(url("edit", revision.pk), draft_form_data(client, revision) | changes)


def body_field(revision, anchor):
    index = [s["anchor"] for s in revision.content["pages"][0]["sections"]].index(anchor)
    return f"p0-s{index}-body"


@pytest.fixture
def submitted(condition, editor):
    services.guide_record_legacy_review(guide=condition)  # version 1, as the data migration makes
    revision = services.revision_start(guide=condition, user=editor)
    content = revision.content
    content["pages"][0]["sections"][0]["body"] = "Botulinum toxin injections ease the spasms."
    services.revision_save(revision=revision, user=editor, content=content, edit_version=1)
    return services.revision_submit(revision=revision, user=editor, change_summary="Newer treatment advice.")


def test_reviewer_sees_what_changed_and_the_review_forms(client_for, submitted, reviewer):
    html = client_for(reviewer).get(url("change", submitted.pk)).content.decode()
    assert "Waiting for clinical review" in html
    assert "Newer treatment advice." in html
    assert '<span class="visually-hidden">Removed: </span>Text 1.' in html
    assert '<span class="visually-hidden">Added: </span>Botulinum toxin injections ease the spasms.' in html
    assert 'value="Approve"' in html and 'value="Send back"' in html
    assert "Sent for clinical review" in html  # the steps so far, with who took them
    assert "editor" in html


def test_editor_sees_no_review_forms(client_for, submitted, other_editor):
    html = client_for(other_editor).get(url("change", submitted.pk)).content.decode()
    assert 'value="Approve"' not in html
    assert 'value="Send for clinical review"' not in html  # it is with the reviewer now


def test_a_reviewer_who_made_the_change_is_told_to_ask_another(client_for, condition, superuser):
    revision = services.revision_start(guide=condition, user=superuser)
    services.revision_submit(revision=revision, user=superuser, change_summary="Checked.")
    html = client_for(superuser).get(url("change", revision.pk)).content.decode()
    assert "You worked on this change, so another clinical reviewer must review it." in html
    assert 'value="Approve"' not in html
    response = client_for(superuser).post(url("review", revision.pk), {"decision": "approve", **APPROVAL})
    assert response.status_code == 400
    assert "You worked on this change" in response.content.decode()
    assert GuideRevision.objects.get(pk=revision.pk).state == GuideRevision.State.SUBMITTED


def test_send_back_shows_the_comment_to_the_editor(client_for, submitted, reviewer, editor):
    response = client_for(reviewer).post(
        url("review", submitted.pk), {"decision": "send_back", "comment": "Say how often injections are given."}
    )
    assert response.status_code == 302
    html = client_for(editor).get(url("change", submitted.pk)).content.decode()
    assert "Sent back by reviewer" in html
    assert "Say how often injections are given." in html
    assert 'value="Edit the draft"' in html


def test_approving_without_a_role_is_refused_with_a_message(client_for, submitted, reviewer):
    response = client_for(reviewer).post(url("review", submitted.pk), {"decision": "approve", "sources_checked": "x"})
    assert response.status_code == 400
    assert "Enter your role." in response.content.decode()
    assert GuideRevision.objects.get(pk=submitted.pk).state == GuideRevision.State.SUBMITTED


def test_approving_publishes_and_the_public_page_shows_the_sign_off_date(client_for, client, submitted, reviewer):
    response = client_for(reviewer).post(url("review", submitted.pk), {"decision": "approve", **APPROVAL})
    assert response.status_code == 302
    client.logout()
    html = client.get("/conditions/dystonia/").content.decode()
    assert "Botulinum toxin injections ease the spasms." in html
    assert f"Page last reviewed: {datetime.date.today():%d/%m/%Y}" in html


def test_editor_saves_the_draft_and_readers_still_see_the_live_guide(client_for, client, condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    response = post_draft(client_for(editor), revision, {body_field(revision, "part-2"): "Draft text for part 2."})
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.content["pages"][0]["sections"][1]["body"] == "Draft text for part 2."
    assert revision.edit_version == 2
    client.logout()
    assert "Draft text for part 2." not in client.get("/conditions/dystonia/").content.decode()


def test_draft_editor_adds_and_removes_a_section(client_for, condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    changes = {"p0-s2-remove": "on", "p0-snew-heading": "Getting support", "p0-snew-body": "Charities can help."}
    assert post_draft(client_for(editor), revision, changes).status_code == 302
    revision.refresh_from_db()
    sections = revision.content["pages"][0]["sections"]
    assert [(s["anchor"], s["id"] is None) for s in sections] == [
        ("part-1", False),
        ("part-2", False),
        ("getting-support", True),
    ]


def test_draft_editor_refuses_an_empty_section(client_for, condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    response = post_draft(client_for(editor), revision, {body_field(revision, "part-1"): ""})
    assert response.status_code == 200
    assert "Enter the section’s text, or tick “Remove this section”." in response.content.decode()
    assert GuideRevision.objects.get(pk=revision.pk).edit_version == 1


def test_second_editor_is_warned_and_their_save_does_not_overwrite(client_for, condition, editor, other_editor):
    revision = services.revision_start(guide=condition, user=editor)
    first = client_for(editor)
    first.post(url("open", revision.pk))
    first_data = draft_form_data(first, revision)

    from django.test import Client

    second = Client()
    second.force_login(other_editor)
    second.post(url("open", revision.pk))
    page = second.get(url("edit", revision.pk)).content.decode()
    assert "editor opened this draft at" in page
    second_data = draft_form_data(second, revision)

    first_data[body_field(revision, "part-1")] = "The first editor's text."
    assert first.post(url("edit", revision.pk), first_data).status_code == 302
    second_data[body_field(revision, "part-1")] = "The second editor's text."
    response = second.post(url("edit", revision.pk), second_data)

    html = response.content.decode()
    assert response.status_code == 409
    assert "editor saved this draft at" in html
    assert "Your changes have not been saved." in html
    assert "The second editor&#x27;s text." in html  # still in their form
    revision.refresh_from_db()
    assert revision.content["pages"][0]["sections"][0]["body"] == "The first editor's text."
    # Saving again from the refreshed form is a choice made knowing what it replaces.
    second_data["edit_version"] = response.context["form"].data["edit_version"]
    assert second.post(url("edit", revision.pk), second_data).status_code == 302
    revision.refresh_from_db()
    assert revision.content["pages"][0]["sections"][0]["body"] == "The second editor's text."


def test_submit_without_saying_why_is_refused(client_for, condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    response = client_for(editor).post(url("submit", revision.pk), {"change_summary": ""})
    assert response.status_code == 400
    assert "Say what changed and why." in response.content.decode()


def test_submit_with_a_publication_time(client_for, condition, editor):
    revision = services.revision_start(guide=condition, user=editor)
    response = client_for(editor).post(
        url("submit", revision.pk), {"change_summary": "Checked.", "publish_at": "2099-01-02T09:30"}
    )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.publish_at.isoformat() == "2099-01-02T09:30:00+00:00"
    assert revision.events.last().comment == "To publish at 02/01/2099 09:30 once approved."


def _publish_versions(guide, editor, reviewer, count):
    services.guide_record_legacy_review(guide=guide)
    for number in range(2, count + 1):
        revision = services.revision_start(guide=guide, user=editor)
        content = revision.content
        content["pages"][0]["sections"][0]["body"] = f"Text of version {number}."
        services.revision_save(revision=revision, user=editor, content=content, edit_version=1)
        services.revision_submit(revision=revision, user=editor, change_summary=f"Version {number}.")
        services.revision_approve(revision=revision, reviewer=reviewer, **APPROVAL, today=TODAY)


def test_history_lists_every_published_version_with_its_sign_off(
    client_for, condition, editor, reviewer, django_assert_num_queries
):
    _publish_versions(condition, editor, reviewer, 4)
    client = client_for(reviewer)
    # 1 session with the user, 2-3 the user's own and group permissions, 4 the guide, 5 the
    # versions with their sign-offs and reviewers (one query however many), 6 an open change,
    # 7-8 the compare form's two lists of choices, 9 the clinical reviews with their reviewers.
    with django_assert_num_queries(9):
        html = client.get(url("guide_history", condition.pk)).content.decode()
    for number in (1, 2, 3, 4):
        assert f">Version {number}</a>" in html
    assert "reviewer (Consultant neurologist), 25/11/2026" in html
    assert "Recorded before sign-offs were kept" in html
    assert "Not recorded (the date the page showed before sign-offs were kept)" in html


def test_compare_any_two_versions(client_for, condition, editor, reviewer):
    _publish_versions(condition, editor, reviewer, 3)
    first, third = (condition.revisions.get(number=n) for n in (1, 3))
    html = (
        client_for(editor).get(url("guide_compare", condition.pk), {"old": first.pk, "new": third.pk}).content.decode()
    )
    assert "What changed from version 1 to version 3" in html
    assert '<span class="visually-hidden">Removed: </span>Text 1.' in html
    assert '<span class="visually-hidden">Added: </span>Text of version 3.' in html


def test_compare_refuses_a_version_of_another_guide(client_for, condition, make_page, editor, reviewer):
    _publish_versions(condition, editor, reviewer, 2)
    other = make_page("Tremor")
    services.guide_record_legacy_review(guide=other)
    response = client_for(editor).get(
        url("guide_compare", condition.pk),
        {"old": condition.revisions.get(number=1).pk, "new": other.revisions.get().pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_restore_from_a_published_version_page(client_for, condition, editor, reviewer):
    _publish_versions(condition, editor, reviewer, 2)
    first = condition.revisions.get(number=1)
    client = client_for(editor)
    page = client.get(url("change", first.pk)).content.decode()
    assert 'value="Restore version 1 as a new draft"' in page
    response = client.post(url("restore", first.pk))
    draft = condition.revisions.get(number=3)
    assert response["Location"] == url("change", draft.pk)
    assert draft.state == GuideRevision.State.DRAFT
    assert draft.content["pages"][0]["sections"][0]["body"] == "Text 1."
    html = client.get(url("change", draft.pk)).content.decode()
    assert "restored from version 1" in html
    assert '<span class="visually-hidden">Added: </span>Text 1.' in html  # against what readers see now


def test_reviewer_cannot_restore(client_for, condition, editor, reviewer):
    _publish_versions(condition, editor, reviewer, 2)
    response = client_for(reviewer).post(url("restore", condition.revisions.get(number=1).pk))
    assert response.status_code == 403
    assert not condition.revisions.open().exists()


def test_steps_are_refused_on_get(client_for, submitted, reviewer):
    assert client_for(reviewer).get(url("review", submitted.pk)).status_code == 403


def test_admin_index_shows_review_counts_to_reviewers(client_for, make_page, submitted, reviewer):
    make_page("Soon", next_review_due=datetime.date.today() + datetime.timedelta(days=3))
    html = client_for(reviewer).get(reverse("admin:index")).content.decode()
    assert "<caption>Clinical review</caption>" in html
    assert "Overdue for review</a></th><td>1</td>" in html  # Dystonia, due 2015
    assert "Review due in the next 30 days</a></th><td>1</td>" in html
    assert "Waiting for clinical review</a></th><td>1</td>" in html
    assert "Sent back to the editor</a></th><td>0</td>" in html


def test_unknown_change_is_a_404(client_for, reviewer):
    assert client_for(reviewer).get(url("change", 999)).status_code == 404


def test_editor_withdraws_a_change_and_reviewer_cannot(client_for, submitted, editor, reviewer):
    assert client_for(reviewer).post(url("withdraw", submitted.pk)).status_code == 403
    assert GuideRevision.objects.get(pk=submitted.pk).state == GuideRevision.State.SUBMITTED
    client = client_for(editor)
    assert 'value="Withdraw this change"' in client.get(url("change", submitted.pk)).content.decode()
    response = client.post(url("withdraw", submitted.pk), follow=True)
    assert "Change withdrawn. Readers still see the approved guide." in response.content.decode()
    assert GuideRevision.objects.get(pk=submitted.pk).state == GuideRevision.State.WITHDRAWN
