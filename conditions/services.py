"""Clinical review of condition guides: changes as revisions, sign-off, publishing, reminders.

A change to a guide is a `GuideRevision` holding a snapshot of the whole guide (its pages,
sections and related links, as built by `guide_snapshot`). It goes draft → submitted →
approved or sent back → published. Only publishing touches the live rows readers see, in one
transaction and through each model's own save() and delete(), so everything that listens to
those (page-cache versions, search vectors, history) sees an ordinary edit.

The dates on the public page come only from here: a published approval (`ClinicalReview`)
writes `Page.last_reviewed` and `Page.next_review_due` for every page of its guide.
"""

import calendar
import datetime
import difflib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dystonia_portal.errors import ServiceError

from .models import (
    ClinicalReview,
    DraftEditor,
    GuideRevision,
    Page,
    RelatedLink,
    ReviewReminder,
    RevisionEvent,
    Section,
)

REVIEWERS_GROUP = "Clinical reviewers"
REVIEW_PERMISSION = "conditions.review_guiderevision"
# Someone who opened a draft this recently is taken to be still editing it.
EDITING_WINDOW = datetime.timedelta(minutes=30)

PAGE_FIELDS = ["title", "short_title", "slug", "summary", "order", "services_url", "source_note"]
SECTION_FIELDS = ["order", "heading", "anchor", "body", "read_more_label"]
LINK_FIELDS = ["order", "title", "description", "url"]


class ReviewError(ServiceError):
    """A step the review workflow does not allow; the message says why, for the person trying it."""


class EditConflict(ReviewError):
    """The draft was saved by someone else after this form was opened."""

    def __init__(self, revision):
        self.revision = revision
        super().__init__("Someone else saved this draft after you opened it. Your changes have not been saved yet.")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (29 Feb + 12 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# Snapshots: the whole guide as plain data.


def guide_pages(guide: Page) -> list[Page]:
    """The guide first, then its sub-pages in guide order."""
    return [guide, *guide.subpages.order_by("order", "pk")]


def guide_snapshot(guide: Page) -> dict:
    """The guide's live content as it stands: every page, section and related link."""
    pages = []
    for page in guide_pages(guide):
        data = {"id": page.pk, "parent": page.parent_id, **{name: getattr(page, name) for name in PAGE_FIELDS}}
        data["sections"] = [
            {"id": s.pk, "read_more": s.read_more_id, **{name: getattr(s, name) for name in SECTION_FIELDS}}
            for s in page.sections.all()
        ]
        data["links"] = [
            {"id": link.pk, **{name: getattr(link, name) for name in LINK_FIELDS}} for link in page.related_links.all()
        ]
        pages.append(data)
    return {"pages": pages}


def _sync(obj, values: dict) -> None:
    """Save `obj` with `values` only when something differs, through its own save()."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed or obj.pk is None:
        obj.save()


def _apply_snapshot(guide: Page, content: dict, *, review: ClinicalReview) -> None:
    live = {page.pk: page for page in Page.objects.select_for_update().filter(Q(pk=guide.pk) | Q(parent=guide))}
    next_due = add_months(review.reviewed_on, guide.review_interval_months)
    for data in content["pages"]:
        page = live.get(data["id"])
        if page is None:
            continue  # deleted since this version was made; nothing to put it back under
        _apply_children(page, Section, page.sections.all(), data["sections"], SECTION_FIELDS, live)
        _apply_children(page, RelatedLink, page.related_links.all(), data["links"], LINK_FIELDS, live)
        values = {
            **{name: data[name] for name in PAGE_FIELDS},
            "status": Page.Status.PUBLISHED,
            "last_reviewed": review.reviewed_on,
            "next_review_due": next_due,
        }
        for name, value in values.items():
            setattr(page, name, value)
        # Saved even when only its sections changed: an edit made with its page moves the
        # page's `updated_at`, which the page cache's content version reads.
        page.save()


def _apply_children(page, model, current, wanted, fields, live_pages):
    existing = {obj.pk: obj for obj in current}
    kept = {item["id"] for item in wanted if item.get("id") in existing}
    # Deletions first, so a new section may take the anchor of one it replaces.
    for pk, obj in existing.items():
        if pk not in kept:
            obj.delete()
    for item in wanted:
        values = {name: item[name] for name in fields}
        if model is Section:
            read_more = item.get("read_more")
            values["read_more_id"] = read_more if read_more in live_pages else None
        obj = existing.get(item.get("id")) or model(page=page)
        _sync(obj, values)


def snapshot_text(content: dict) -> list[str]:
    """The guide as lines of plain text, as a reader would read it: for a diff."""
    lines = []
    for page in content["pages"]:
        lines += [f"# {page['title']}", f"Summary: {page['summary']}"]
        if page.get("services_url"):
            lines.append(f"Services link: {page['services_url']}")
        for section in page["sections"]:
            if section["heading"]:
                lines.append(f"## {section['heading']}")
            lines += [paragraph.strip() for paragraph in section["body"].split("\n") if paragraph.strip()]
            if section.get("read_more_label"):
                lines.append(f"Read more: {section['read_more_label']}")
        for link in page["links"]:
            lines.append(f"Related link: {link['title']} ({link['url']})")
        lines.append("")
    return lines


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed" or "gap"
    text: str


def snapshot_diff(old: dict, new: dict, *, context: int = 2) -> list[DiffLine]:
    """A readable line diff of two versions, with `context` unchanged lines around each change."""
    old_lines, new_lines = snapshot_text(old), snapshot_text(new)
    diff = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if diff:
            diff.append(DiffLine("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                diff += [DiffLine("same", line) for line in old_lines[i1:i2]]
                continue
            diff += [DiffLine("removed", line) for line in old_lines[i1:i2]]
            diff += [DiffLine("added", line) for line in new_lines[j1:j2]]
    return [line for line in diff if line.kind == "gap" or line.text or line.kind != "same"]


# The workflow.


def _event(revision, action, actor, comment="", when=None):
    return RevisionEvent.objects.create(
        revision=revision,
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        comment=comment,
        created_at=when or timezone.now(),
    )


def _next_number(guide: Page) -> int:
    return (guide.revisions.aggregate(top=Max("number"))["top"] or 0) + 1


def _locked(revision: GuideRevision) -> GuideRevision:
    return GuideRevision.objects.select_for_update().select_related("guide").get(pk=revision.pk)


def guide_allows_direct_edit(guide: Page) -> bool:
    """Only a guide that was never published, with no change under way, is edited in place."""
    return not guide.is_published and not guide.revisions.open().exists()


@transaction.atomic
def revision_start(*, guide: Page, user) -> GuideRevision:
    """The guide's open change, or a new draft of its live content if there is none."""
    guide = Page.objects.select_for_update().get(pk=guide.pk)
    if not guide.is_condition:
        raise ReviewError("Changes are made to a whole guide: open its condition page.")
    current = guide.revisions.open().first()
    if current is not None:
        return current
    revision = GuideRevision.objects.create(
        guide=guide, number=_next_number(guide), content=guide_snapshot(guide), created_by=user
    )
    _event(revision, RevisionEvent.Action.STARTED, user)
    return revision


@transaction.atomic
def revision_restore(*, revision: GuideRevision, user) -> GuideRevision:
    """A new draft holding an earlier published version; it goes through review like any change."""
    guide = Page.objects.select_for_update().get(pk=revision.guide_id)
    if revision.state != GuideRevision.State.PUBLISHED:
        raise ReviewError("Only a published version can be restored.")
    if guide.revisions.open().exists():
        raise ReviewError("This guide already has a change under way. Finish or withdraw it first.")
    draft = GuideRevision.objects.create(
        guide=guide,
        number=_next_number(guide),
        content=revision.content,
        created_by=user,
        restored_from=revision,
    )
    _event(draft, RevisionEvent.Action.RESTORED, user, f"Restored from version {revision.number}.")
    return draft


@transaction.atomic
def revision_open_for_editing(*, revision: GuideRevision, user, now=None) -> list:
    """Record that `user` is editing the draft; return the others who opened it recently."""
    now = now or timezone.now()
    DraftEditor.objects.update_or_create(revision=revision, user=user, defaults={"opened_at": now})
    return list(
        revision.editors.filter(opened_at__gte=now - EDITING_WINDOW)
        .exclude(user=user)
        .select_related("user")
        .order_by("opened_at")
    )


@transaction.atomic
def revision_save(*, revision: GuideRevision, user, content: dict, edit_version: int) -> GuideRevision:
    """Save the draft's content, unless someone saved it since `edit_version` (EditConflict)."""
    revision = _locked(revision)
    if not revision.is_editable:
        raise ReviewError("This change is with the clinical reviewer, so it cannot be edited now.")
    if revision.edit_version != edit_version:
        raise EditConflict(revision)
    revision.content = content
    revision.edit_version += 1
    revision.save(update_fields=["content", "edit_version"])
    _event(revision, RevisionEvent.Action.SAVED, user)
    return revision


@transaction.atomic
def revision_submit(*, revision: GuideRevision, user, change_summary: str, publish_at=None) -> GuideRevision:
    revision = _locked(revision)
    if not revision.is_editable:
        raise ReviewError("Only a draft or a change sent back can be sent for review.")
    if not change_summary.strip():
        raise ReviewError("Say what changed and why.")
    if publish_at is not None and publish_at <= timezone.now():
        raise ReviewError("Choose a publication time in the future, or leave it empty.")
    revision.state = GuideRevision.State.SUBMITTED
    revision.change_summary = change_summary.strip()
    revision.publish_at = publish_at
    revision.save(update_fields=["state", "change_summary", "publish_at"])
    _event(revision, RevisionEvent.Action.SUBMITTED, user, revision.change_summary)
    if publish_at is not None:
        when = timezone.localtime(publish_at).strftime("%d/%m/%Y %H:%M")
        _event(revision, RevisionEvent.Action.SCHEDULED, user, f"To publish at {when} once approved.")
    return revision


def _check_reviewer(revision: GuideRevision, reviewer) -> None:
    if not reviewer.has_perm(REVIEW_PERMISSION):
        raise ReviewError("Only clinical reviewers can approve or send back a change.")
    if revision.state != GuideRevision.State.SUBMITTED:
        raise ReviewError("This change is not waiting for clinical review.")
    authored = revision.events.filter(actor=reviewer, action__in=RevisionEvent.AUTHOR_ACTIONS).exists()
    if authored:
        raise ReviewError("You worked on this change, so another clinical reviewer must review it.")


@transaction.atomic
def revision_send_back(*, revision: GuideRevision, reviewer, comment: str) -> GuideRevision:
    revision = _locked(revision)
    _check_reviewer(revision, reviewer)
    if not comment.strip():
        raise ReviewError("Say what needs changing.")
    revision.state = GuideRevision.State.SENT_BACK
    revision.save(update_fields=["state"])
    _event(revision, RevisionEvent.Action.SENT_BACK, reviewer, comment.strip())
    return revision


@transaction.atomic
def revision_approve(
    *, revision: GuideRevision, reviewer, role: str, sources_checked: str, note: str = "", today=None, now=None
) -> ClinicalReview:
    """Record the clinical sign-off; publish at once unless a later publication time was chosen."""
    revision = _locked(revision)
    _check_reviewer(revision, reviewer)
    if not role.strip() or not sources_checked.strip():
        raise ReviewError("Give your role and the sources you checked.")
    review = ClinicalReview.objects.create(
        guide=revision.guide,
        revision=revision,
        reviewer=reviewer,
        reviewer_name=reviewer.get_username(),
        role=role.strip(),
        reviewed_on=today or timezone.localdate(),
        sources_checked=sources_checked.strip(),
        note=note.strip(),
    )
    revision.state = GuideRevision.State.APPROVED
    revision.save(update_fields=["state"])
    _event(revision, RevisionEvent.Action.APPROVED, reviewer, note.strip())
    now = now or timezone.now()
    if revision.publish_at is None or revision.publish_at <= now:
        revision_publish(revision=revision, user=reviewer, now=now)
    return review


@transaction.atomic
def revision_publish(*, revision: GuideRevision, user=None, now=None) -> bool:
    """Put an approved change live. False if it was published already (so running twice is safe)."""
    revision = _locked(revision)
    if revision.state == GuideRevision.State.PUBLISHED:
        return False
    if revision.state != GuideRevision.State.APPROVED:
        raise ReviewError("Only an approved change can be published.")
    now = now or timezone.now()
    guide = Page.objects.select_for_update().get(pk=revision.guide_id)
    _apply_snapshot(guide, revision.content, review=revision.approval)
    revision.state = GuideRevision.State.PUBLISHED
    revision.published_at = now
    # What readers now see, with the live rows' ids, so later versions compare and restore cleanly.
    revision.content = guide_snapshot(guide)
    revision.save(update_fields=["state", "published_at", "content"])
    _event(revision, RevisionEvent.Action.PUBLISHED, user, when=now)
    return True


@transaction.atomic
def revision_withdraw(*, revision: GuideRevision, user, reason: str = "") -> GuideRevision:
    """Abandon an open change; readers never see it, and the guide is free for a new one."""
    revision = _locked(revision)
    if not revision.is_open:
        raise ReviewError("Only a change that is not yet published can be withdrawn.")
    revision.state = GuideRevision.State.WITHDRAWN
    revision.save(update_fields=["state"])
    _event(revision, RevisionEvent.Action.WITHDRAWN, user, reason.strip())
    return revision


def revisions_publish_scheduled(*, now=None) -> list[GuideRevision]:
    """Publish every approved change whose time has come, each in its own transaction."""
    now = now or timezone.now()
    published = []
    for revision in GuideRevision.objects.due_to_publish(now).order_by("publish_at", "pk"):
        if revision_publish(revision=revision, now=now):
            published.append(revision)
    return published


@transaction.atomic
def guide_record_legacy_review(*, guide: Page) -> ClinicalReview | None:
    """Turn the dates a guide shows into a recorded review and its first published version.

    For content written before sign-offs were recorded (the data migration does the same for
    existing guides; the demo loader calls this). Does nothing if the guide has a review already.
    """
    if guide.clinical_reviews.exists():
        return None
    revision = None
    if guide.is_published and not guide.revisions.exists():
        revision = GuideRevision.objects.create(
            guide=guide,
            number=1,
            content=guide_snapshot(guide),
            state=GuideRevision.State.PUBLISHED,
            change_summary="The guide as it was when clinical sign-offs began to be recorded.",
            published_at=timezone.now(),
        )
        _event(revision, RevisionEvent.Action.PUBLISHED, None, "Recorded from the live guide.")
    return ClinicalReview.objects.create(
        guide=guide,
        revision=revision,
        reviewed_on=guide.last_reviewed,
        role="Not recorded",
        sources_checked="Not recorded",
        note="Recorded from the review date the page showed before clinical sign-offs were kept.",
        legacy=True,
    )


@transaction.atomic
def guide_change_review_interval(*, guide: Page, months: int) -> None:
    """A new interval moves "Next review due" on from the latest sign-off at once."""
    # Only sign-offs readers were shown count: not one of a change approved but never published.
    review = guide.clinical_reviews.filter(Q(legacy=True) | Q(revision__state=GuideRevision.State.PUBLISHED)).first()
    guide.review_interval_months = months
    guide.save()
    if review is None:
        return
    next_due = add_months(review.reviewed_on, months)
    for page in guide_pages(guide):
        if page.next_review_due != next_due:
            page.next_review_due = next_due
            page.save()


# Reminders and counts.


def review_counts(*, today=None) -> dict[str, int]:
    """The figures on the admin index."""
    guides = Page.objects.published().conditions()
    return {
        "overdue": guides.review_overdue(today).count(),
        "due_soon": guides.review_due_soon(today).count(),
        "awaiting_review": GuideRevision.objects.awaiting_review().count(),
        "sent_back": GuideRevision.objects.sent_back().count(),
    }


def reviewers():
    return get_user_model().objects.filter(groups__name=REVIEWERS_GROUP, is_active=True).exclude(email="")


def review_reminders_send(*, today: datetime.date | None = None) -> list[ReviewReminder]:
    """Email each guide's owner and the clinical reviewers when a review is due soon or overdue.

    One reminder per guide, stage and due date, however often this runs: the reminder row is
    written first (a unique constraint refuses a second), and the mail goes in the same
    transaction, so a failed send is tried again on the next run.
    """
    today = today or timezone.localdate()
    guides = Page.objects.published().conditions().select_related("owner")
    stages = [
        (ReviewReminder.Stage.OVERDUE, guides.review_overdue(today)),
        (ReviewReminder.Stage.DUE_SOON, guides.review_due_soon(today)),
    ]
    reviewer_addresses = list(reviewers().values_list("email", flat=True))
    sent = []
    for stage, queryset in stages:
        for guide in queryset.order_by("next_review_due", "pk"):
            try:
                with transaction.atomic():
                    reminder = ReviewReminder.objects.create(guide=guide, stage=stage, due_on=guide.next_review_due)
                    _send_reminder(guide, stage, reviewer_addresses, today)
            except IntegrityError:
                continue  # sent on an earlier run
            sent.append(reminder)
    return sent


def _send_reminder(guide, stage, reviewer_addresses, today):
    recipients = list(reviewer_addresses)
    if guide.owner and guide.owner.is_active and guide.owner.email:
        recipients.insert(0, guide.owner.email)
    recipients = list(dict.fromkeys(recipients))
    if not recipients:
        return
    due = guide.next_review_due.strftime("%d/%m/%Y")
    if stage == ReviewReminder.Stage.OVERDUE:
        subject = f"Clinical review overdue: {guide.title} (due {due})"
    else:
        subject = f"Clinical review due by {due}: {guide.title}"
    body = render_to_string(
        "conditions/email/review_reminder.txt",
        {
            "guide": guide,
            "due": due,
            "overdue": stage == ReviewReminder.Stage.OVERDUE,
            "days": (guide.next_review_due - today).days,
            "admin_path": reverse("admin:conditions_page_change", args=[guide.pk]),
        },
    )
    for address in recipients:
        send_mail(subject, body, None, [address])
