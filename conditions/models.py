import datetime

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
    last_reviewed = models.DateField("page last reviewed")
    next_review_due = models.DateField("next review due")
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
        if self.last_reviewed and self.next_review_due and self.next_review_due < self.last_reviewed:
            raise ValidationError({"next_review_due": "The next review must be due after the last review."})

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


class SearchDocument(models.Model):
    """What search matches a page against: its title, summary and every section, in one row.

    Written only by database triggers (migration 0003_search), in the same statement as any
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
