from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from . import review_admin, services  # noqa: F401 - review_admin registers the clinical review admin
from .models import Page, RelatedLink, Section, Synonym


class ReviewStateFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Review overdue"), ("soon", "Review due in the next 30 days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_soon()
        return queryset


class LockedWithGuideMixin:
    """Inlines of a guide that is published or has a change under way are read only: its content
    changes through a guide change and clinical review (conditions/services.py)."""

    def _editable(self, obj):
        return obj is None or services.guide_allows_direct_edit(obj.guide)

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if self._editable(obj) else {}


class SectionInline(LockedWithGuideMixin, admin.StackedInline):
    model = Section
    fk_name = "page"
    extra = 0
    fields = ["order", "heading", "anchor", "body", "read_more", "read_more_label"]
    prepopulated_fields = {"anchor": ["heading"]}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "read_more":
            kwargs["queryset"] = Page.objects.exclude(parent__isnull=True).select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RelatedLinkInline(LockedWithGuideMixin, admin.TabularInline):
    model = RelatedLink
    extra = 0
    fields = ["order", "title", "url", "description"]


class SubPageInline(LockedWithGuideMixin, admin.TabularInline):
    model = Page
    fk_name = "parent"
    extra = 0
    fields = ["order", "title", "short_title", "status"]
    readonly_fields = ["title", "short_title", "status"]
    verbose_name = "sub-page"
    verbose_name_plural = "sub-pages (edit each one on its own page)"
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Page)
class PageAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "review_state", "next_review_due", "updated_at"]
    list_filter = [ReviewStateFilter, "status", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["parent"]
    ordering = ["next_review_due"]
    inlines = [SectionInline, RelatedLinkInline, SubPageInline]
    # Status and review dates change only by publishing an approved guide change.
    readonly_fields = ["status", "last_reviewed", "next_review_due", "created_at", "updated_at", "view_on_site_link"]
    content_fields = ["parent", "title", "short_title", "slug", "summary", "order", "services_url", "source_note"]
    change_form_template = "admin/conditions/page/change_form.html"

    def get_fieldsets(self, request, obj=None):
        review = ["last_reviewed", "next_review_due"]
        if obj is None or obj.is_condition:
            review += ["owner", "review_interval_months"]
        return [
            (None, {"fields": ["parent", "title", "short_title", "slug", "summary", "order", "status"]}),
            ("Clinical review", {"fields": review}),
            ("Links and sources", {"fields": ["services_url", "source_note"]}),
            ("Record", {"fields": ["created_at", "updated_at", "view_on_site_link"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not services.guide_allows_direct_edit(obj.guide):
            return [*self.content_fields, *self.readonly_fields]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and not services.guide_allows_direct_edit(obj.guide):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            # Never shown to readers: a page is published only with a clinical sign-off, which
            # writes its real dates. Until then a sub-page carries its guide's, a new guide today's.
            guide = obj.parent or obj
            obj.last_reviewed = getattr(guide, "last_reviewed", None) or timezone.localdate()
            obj.next_review_due = getattr(guide, "next_review_due", None) or services.add_months(
                obj.last_reviewed, guide.review_interval_months
            )
        super().save_model(request, obj, form, change)
        if change and obj.is_condition and "review_interval_months" in form.changed_data:
            services.guide_change_review_interval(guide=obj, months=obj.review_interval_months)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            guide = obj.guide
            context.update(
                review_guide=guide,
                review_open_change=guide.revisions.open().first(),
                review_direct_edit=services.guide_allows_direct_edit(guide),
                review_can_start=request.user.has_perm("conditions.add_guiderevision"),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_inlines(self, request, obj):
        if obj is None or obj.parent_id:
            return [SectionInline, RelatedLinkInline]
        return self.inlines

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Page.objects.conditions()
        if db_field.name == "owner":
            kwargs["queryset"] = get_user_model().objects.filter(groups__name="Editors", is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="review")
    def review_state(self, page):
        if page.is_review_overdue():
            return format_html('<strong class="portal-review-overdue">Overdue since {}</strong>', page.next_review_due)
        if page.is_review_due_soon():
            return format_html('<span class="portal-review-soon">Due {}</span>', page.next_review_due)
        return "Up to date"

    @admin.display(description="public page")
    def view_on_site_link(self, page):
        if page.pk is None:
            return "-"
        # A published sub-page under a draft guide is a 404 for readers: staff see a preview.
        label = "View on site" if page.is_live else "Preview draft"
        return format_html('<a href="{}">{}</a>', page.get_absolute_url(), label)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "means", "updated_at"]
    search_fields = ["term", "means"]
    fields = ["term", "means"]
    ordering = ["term"]
