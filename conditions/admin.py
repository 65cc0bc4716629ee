from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

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


class SectionInline(admin.StackedInline):
    model = Section
    fk_name = "page"
    extra = 0
    fields = ["order", "heading", "anchor", "body", "read_more", "read_more_label"]
    prepopulated_fields = {"anchor": ["heading"]}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "read_more":
            kwargs["queryset"] = Page.objects.exclude(parent__isnull=True).select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    extra = 0
    fields = ["order", "title", "url", "description"]


class SubPageInline(admin.TabularInline):
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
    readonly_fields = ["created_at", "updated_at", "view_on_site_link"]
    fieldsets = [
        (None, {"fields": ["parent", "title", "short_title", "slug", "summary", "order", "status"]}),
        ("Review", {"fields": ["last_reviewed", "next_review_due"]}),
        ("Links and sources", {"fields": ["services_url", "source_note"]}),
        ("Record", {"fields": ["created_at", "updated_at", "view_on_site_link"]}),
    ]

    def get_inlines(self, request, obj):
        if obj is None or obj.parent_id:
            return [SectionInline, RelatedLinkInline]
        return self.inlines

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Page.objects.conditions()
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
        label = "View on site" if page.is_published else "Preview draft"
        return format_html('<a href="{}">{}</a>', page.get_absolute_url(), label)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "means", "updated_at"]
    search_fields = ["term", "means"]
    fields = ["term", "means"]
    ordering = ["term"]
