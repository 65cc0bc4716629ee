import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .markdown import render_markdown

REVIEW_DUE_SOON_DAYS = 30
DEFAULT_REVIEW_INTERVAL_MONTHS = 24


class PageQuerySet(models.QuerySet):
    def published(self):
        """Live pages: published themselves and, for a sub-page, under a published guide."""
        return self.filter(status=Page.Status.PUBLISHED).filter(
            Q(parent__isnull=True) | Q(parent__status=Page.Status.PUBLISHED)
        )

    def conditions(self):
        """Top-level condition pages (the guides), not their sub-pages."""
        return self.filter(parent__isnull=True)

    def review_overdue(self, today=None):
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def review_due_soon(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            next_review_due__gte=today,
            next_review_due__lte=today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS),
        )


class Page(models.Model):
    """A condition page (a guide) or one of its sub-pages, such as "Symptoms"."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    parent = models.ForeignKey(
        "self",
        verbose_name="condition",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subpages",
        help_text="Leave empty for a condition page; choose the condition for a sub-page.",
    )
    title = models.CharField("title", max_length=200, help_text="For example “Dystonia” or “Symptoms of dystonia”.")
    short_title = models.CharField(
        "short title",
        max_length=80,
        blank=True,
        help_text="Shorter name used in the guide's contents and pagination, for example “Symptoms”.",
    )
    slug = models.SlugField("slug", max_length=100, help_text="The last part of the page's web address.")
    summary = models.CharField(
        "summary",
        max_length=300,
        help_text="One or two plain sentences. Used as the page description and in search results.",
    )
    order = models.PositiveSmallIntegerField(
        "order", default=0, help_text="Position of a sub-page in its guide, smallest first."
    )
    status = models.CharField("status", max_length=10, choices=Status, default=Status.DRAFT)
    # Written only by conditions/services.py from the latest clinical sign-off (ClinicalReview):
    # kept on the row so the page, its cache and ratings' "since review" read it with the page.
    last_reviewed = models.DateField("page last reviewed", editable=False)
    next_review_due = models.DateField("next review due", editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="owner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_guides",
        help_text="The editor who looks after this guide. They get the review reminders.",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "review interval (months)",
        default=DEFAULT_REVIEW_INTERVAL_MONTHS,
        help_text="How long after each clinical sign-off the next review falls due.",
    )
    services_url = models.URLField(
        "services link",
        blank=True,
        help_text="Address for “Find and choose services for …”. Leave empty to hide the link.",
    )
    source_note = models.CharField(
        "source note",
        max_length=200,
        blank=True,
        help_text="Where the content comes from, shown at the foot of the page.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("last changed", auto_now=True)

    history = HistoricalRecords()
    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = "page"
        verbose_name_plural = "pages"
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="conditions_page_unique_condition_slug"
            ),
            models.UniqueConstraint(fields=["parent", "slug"], name="conditions_page_unique_subpage_slug"),
            models.CheckConstraint(
                condition=Q(next_review_due__gte=models.F("last_reviewed")),
                name="conditions_page_review_due_after_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1, review_interval_months__lte=60),
                name="conditions_page_review_interval_1_to_60_months",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "status", "order"]),
            # "Did you mean …?" looks for titles spelt like the words typed (pg_trgm, PostgreSQL only).
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="conditions_page_title_trgm"),
        ]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.title}: {self.title}"
        return self.title

    def get_absolute_url(self):
        if self.parent_id:
            return reverse("conditions:subpage", args=[self.parent.slug, self.slug])
        return reverse("conditions:detail", args=[self.slug])

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": "A sub-page must belong to a condition page, not to another sub-page."})

    @property
    def is_condition(self):
        return self.parent_id is None

    @property
    def guide(self):
        """The condition page this page belongs to (itself for a condition page)."""
        return self.parent if self.parent_id else self

    @property
    def nav_title(self):
        return self.short_title or self.title

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_live(self):
        """What readers can open: published and, for a sub-page, under a published guide (as published())."""
        return self.is_published and (self.parent_id is None or self.parent.is_published)

    def is_review_overdue(self, today=None):
        return self.next_review_due < (today or timezone.localdate())

    def is_review_due_soon(self, today=None):
        today = today or timezone.localdate()
        return today <= self.next_review_due <= today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)


class Section(models.Model):
    """A headed part of a page. The body is Markdown; its sanitised HTML is stored beside it."""

    page = models.ForeignKey(Page, verbose_name="page", on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField("order", default=0)
    heading = models.CharField(
        "heading", max_length=200, blank=True, help_text="Leave empty for the page's opening text."
    )
    anchor = models.SlugField(
        "anchor",
        max_length=100,
        blank=True,
        help_text="Part of the address that jumps to this section, for example “causes”.",
    )
    body = models.TextField(
        "text", help_text="Markdown: blank line between paragraphs, “* ” for bullet points, [text](address) for links."
    )
    body_html = models.TextField("text as HTML", editable=False)
    read_more = models.ForeignKey(
        Page,
        verbose_name="read more page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A sub-page of this guide that this section links to.",
    )
    read_more_label = models.CharField(
        "read more link text",
        max_length=200,
        blank=True,
        help_text="For example “Read more about the symptoms of dystonia”.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "section"
        verbose_name_plural = "sections"
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "anchor"], condition=~Q(anchor=""), name="conditions_section_unique_anchor"
            ),
        ]
        indexes = [GinIndex(fields=["heading"], opclasses=["gin_trgm_ops"], name="conditions_heading_trgm")]

    def __str__(self):
        return self.heading or "Introduction"

    def save(self, *args, **kwargs):
        # The HTML is a cache of the Markdown, kept in step on every save so that
        # pages never render Markdown on a request.
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def clean(self):
        if self.read_more_id and self.page_id and self.read_more.parent_id != self.page.guide.pk:
            raise ValidationError({"read_more": "Choose a sub-page of this condition."})
        if self.read_more_id and not self.read_more_label:
            raise ValidationError({"read_more_label": "Give the link text for the read more link."})


class RelatedLink(models.Model):
    page = models.ForeignKey(Page, verbose_name="page", on_delete=models.CASCADE, related_name="related_links")
    title = models.CharField("title", max_length=200)
    description = models.CharField("description", max_length=300, blank=True)
    url = models.URLField("address")
    order = models.PositiveSmallIntegerField("order", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "related link"
        verbose_name_plural = "related links"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


# Clinical review: a change to a guide is a revision that a clinical reviewer signs off.


class GuideRevisionQuerySet(models.QuerySet):
    def open(self):
        """Revisions still on their way to readers: being drafted, reviewed or waiting to publish."""
        return self.filter(state__in=GuideRevision.OPEN_STATES)

    def published(self):
        return self.filter(state=GuideRevision.State.PUBLISHED)

    def awaiting_review(self):
        return self.filter(state=GuideRevision.State.SUBMITTED)

    def sent_back(self):
        return self.filter(state=GuideRevision.State.SENT_BACK)

    def due_to_publish(self, now=None):
        return self.filter(state=GuideRevision.State.APPROVED, publish_at__lte=now or timezone.now())


class GuideRevision(models.Model):
    """One version of a whole guide (the condition page, its sub-pages, sections and links).

    `content` is a snapshot built and applied by conditions/services.py; readers only ever
    see the live Page, Section and RelatedLink rows, which change when a revision is published.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for clinical review"
        SENT_BACK = "sent_back", "Sent back to the editor"
        APPROVED = "approved", "Approved, waiting to publish"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATES = [State.DRAFT, State.SUBMITTED, State.SENT_BACK, State.APPROVED]

    guide = models.ForeignKey(Page, verbose_name="guide", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField("version number")
    state = models.CharField("state", max_length=10, choices=State, default=State.DRAFT)
    content = models.JSONField("content")
    # Moves on every save of the draft: the edit form carries it, so a save made from an
    # out-of-date form is refused instead of overwriting someone else's work.
    edit_version = models.PositiveIntegerField("edit version", default=1)
    change_summary = models.TextField(
        "what changed and why", blank=True, help_text="For the clinical reviewer: what you changed, and why."
    )
    publish_at = models.DateTimeField(
        "publish at", null=True, blank=True, help_text="Leave empty to publish as soon as it is approved."
    )
    restored_from = models.ForeignKey(
        "self", verbose_name="restored from", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="started by", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("started", default=timezone.now)
    published_at = models.DateTimeField("published", null=True, blank=True)

    objects = GuideRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = "guide change"
        verbose_name_plural = "guide changes"
        ordering = ["-created_at", "-pk"]
        permissions = [("review_guiderevision", "Can approve or send back changes to a guide")]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="conditions_revision_unique_number"),
            # One change at a time per guide: editors working on the same guide share its draft.
            models.UniqueConstraint(
                fields=["guide"],
                condition=Q(state__in=["draft", "submitted", "sent_back", "approved"]),
                name="conditions_revision_one_open_per_guide",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="conditions_revision_published_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.guide.title}, version {self.number}"

    def get_absolute_url(self):
        return reverse("admin:conditions_guiderevision_change", args=[self.pk])

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @property
    def is_editable(self):
        return self.state in (self.State.DRAFT, self.State.SENT_BACK)


class RevisionEvent(models.Model):
    """Who did what to a guide change, and when: the change's audit trail."""

    class Action(models.TextChoices):
        STARTED = "started", "Started the change"
        RESTORED = "restored", "Restored an earlier version as a new draft"
        SAVED = "saved", "Saved the draft"
        SUBMITTED = "submitted", "Sent for clinical review"
        SENT_BACK = "sent_back", "Sent back with a comment"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled publication"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrew the change"

    # Actions that make someone an author of the change, who may then not approve it.
    AUTHOR_ACTIONS = [Action.STARTED, Action.RESTORED, Action.SAVED, Action.SUBMITTED]

    revision = models.ForeignKey(GuideRevision, verbose_name="change", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("action", max_length=10, choices=Action)
    # The name is kept beside the account so the record survives the account being deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="by", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("by (name)", max_length=150, blank=True)
    comment = models.TextField("comment", blank=True)
    created_at = models.DateTimeField("when", default=timezone.now)

    class Meta:
        verbose_name = "change step"
        verbose_name_plural = "change steps"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.get_action_display()


class ClinicalReview(models.Model):
    """A clinical sign-off of a guide: the only source of its "Page last reviewed" date."""

    guide = models.ForeignKey(Page, verbose_name="guide", on_delete=models.CASCADE, related_name="clinical_reviews")
    revision = models.OneToOneField(
        GuideRevision,
        verbose_name="change approved",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="reviewer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept beside the account: the sign-off stays evidence if the reviewer's account is deleted.
    reviewer_name = models.CharField("reviewer (name)", max_length=150, blank=True)
    role = models.CharField("role", max_length=200, help_text="For example “Consultant neurologist”.")
    reviewed_on = models.DateField("reviewed on")
    sources_checked = models.TextField(
        "sources checked", help_text="The guidance and evidence you checked the guide against, one a line."
    )
    note = models.TextField("note", blank=True)
    legacy = models.BooleanField(
        "recorded from the old review date",
        default=False,
        help_text="Made from the date on the page before sign-offs were recorded.",
    )
    created_at = models.DateTimeField("recorded", default=timezone.now)

    class Meta:
        verbose_name = "clinical review"
        verbose_name_plural = "clinical reviews"
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            # A real sign-off names its reviewer; only the recorded legacy dates have none.
            models.CheckConstraint(
                condition=Q(legacy=True) | (~Q(reviewer_name="") & Q(revision__isnull=False)),
                name="conditions_review_names_reviewer_and_change",
            ),
        ]

    def __str__(self):
        return f"{self.guide.title}, reviewed {self.reviewed_on:%d/%m/%Y}"


class ReviewReminder(models.Model):
    """A reminder sent: one per guide, stage and due date, so a daily run never repeats one."""

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", "Due within 30 days"
        OVERDUE = "overdue", "Overdue"

    guide = models.ForeignKey(Page, verbose_name="guide", on_delete=models.CASCADE, related_name="review_reminders")
    stage = models.CharField("stage", max_length=10, choices=Stage)
    due_on = models.DateField("review due on")
    sent_at = models.DateTimeField("sent", default=timezone.now)

    class Meta:
        verbose_name = "review reminder"
        verbose_name_plural = "review reminders"
        constraints = [
            models.UniqueConstraint(fields=["guide", "stage", "due_on"], name="conditions_reminder_once_per_stage"),
        ]

    def __str__(self):
        return f"{self.guide.title}: {self.get_stage_display()}"


class DraftEditor(models.Model):
    """Someone opened a guide's draft to edit it; others opening it are told."""

    revision = models.ForeignKey(GuideRevision, on_delete=models.CASCADE, related_name="editors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["revision", "user"], name="conditions_drafteditor_once")]

    def __str__(self):
        return f"{self.user} editing {self.revision}"


class ContentVersion(models.Model):
    """A guide's content version: moves on every write to any of its pages, sections or related links.

    Database triggers (conditions.version_triggers, migration 0005) move it in the same
    transaction as the write, however it was made, so a cache keyed by it is never stale.
    A sub-page moved to another guide moves both guides' versions.
    """

    guide = models.OneToOneField(
        Page, verbose_name="condition page", on_delete=models.CASCADE, related_name="content_version"
    )
    version = models.PositiveBigIntegerField("version", default=1)

    class Meta:
        verbose_name = "content version"
        verbose_name_plural = "content versions"

    def __str__(self):
        return f"Content version {self.version} of {self.guide_id}"


class SearchDocument(models.Model):
    """What search matches a page against: its title, summary and every section, in one row.

    Written only by database triggers (migration 0006_search), in the same statement as any
    insert, update or delete of a page or section, however it was made (admin, bulk_create,
    QuerySet.update, a migration, raw SQL). Never write it from Python.

    On PostgreSQL `document` is the weighted tsvector (title A, summary and headings B, section
    text C) behind a GIN index. On SQLite `text` holds the same words, lower-cased, for the
    word-matching fallback.
    """

    page = models.OneToOneField(
        Page,
        on_delete=models.DO_NOTHING,  # the page's delete trigger removes the row first
        primary_key=True,
        related_name="search_document",
    )
    document = SearchVectorField(null=True)
    text = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "search document"
        verbose_name_plural = "search documents"
        indexes = [GinIndex(fields=["document"], name="conditions_search_gin")]

    def __str__(self):
        return f"Search document for page {self.page_id}"


class SearchVersion(models.Model):
    """One row whose number database triggers move with every write to pages, sections or synonyms.

    Cached search answers carry the number they were made at (conditions/search.py), so a
    change of any kind, a delete or a move included, is never served stale. Never write it
    from Python.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "search version"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="conditions_searchversion_one_row")]

    def __str__(self):
        return f"Search version {self.version}"


class Synonym(models.Model):
    """A word readers use and the word our pages use for the same thing, such as “shaking” and “tremor”."""

    term = models.CharField(
        "what readers search for",
        max_length=100,
        help_text="A word or short phrase people type, for example “shaking”.",
    )
    means = models.CharField(
        "what our pages call it",
        max_length=100,
        help_text="The word or phrase our pages use for it, for example “tremor”. Use only what a page itself says.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("last changed", auto_now=True)

    class Meta:
        verbose_name = "search synonym"
        verbose_name_plural = "search synonyms"
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(Lower("term"), name="conditions_synonym_unique_term"),
            models.CheckConstraint(condition=~Q(term="") & ~Q(means=""), name="conditions_synonym_term_and_meaning"),
        ]

    def __str__(self):
        return f"{self.term} → {self.means}"

    def clean(self):
        self.term = " ".join(self.term.lower().split())
        self.means = " ".join(self.means.split())
        if self.term and self.term == self.means.lower():
            raise ValidationError({"means": "Give a different word from the one readers search for."})
