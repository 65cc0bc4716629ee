"""Moderation in the admin: the queue of reported and held comments, and the decisions on them.

Every decision goes through comments/services.py, the same functions the public views use.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator

from . import services
from .models import Comment, CommentSettings, ModerationDecision, Report


class QueueFilter(admin.SimpleListFilter):
    """Opens on the queue; "All comments" shows everything."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("all", "All comments")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Needs review",
        }
        yield {
            "selected": self.value() == "all",
            "query_string": changelist.get_query_string({self.parameter_name: "all"}),
            "display": "All comments",
        }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.needing_review()


class ReasonFilter(admin.SimpleListFilter):
    title = "open report reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return Report.Reason.choices

    def queryset(self, request, queryset):
        if self.value():
            reports = Report.objects.filter(comment=OuterRef("pk"), status=Report.Status.OPEN, reason=self.value())
            return queryset.filter(Exists(reports))
        return queryset


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ["created_at", "reason", "details", "reporter_label", "reporter_record", "status", "resolved_at"]
    readonly_fields = fields
    verbose_name_plural = "reports (history)"

    @admin.display(description="reported by")
    def reporter_label(self, report):
        if report.reporter_id:
            return report.reporter.get_username()
        return "Anonymous reader" if report.session_hash else "A former member"

    @admin.display(description="reporter's record")
    def reporter_record(self, report):
        if not report.reporter_id:
            return "Anonymous: counts once per address, weight 1"
        return (
            f"{report.reporter_upheld} upheld, {report.reporter_dismissed} dismissed on other comments: "
            f"weight {report.weight:g}"
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter").with_reporter_record()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = ModerationDecision
    extra = 0
    can_delete = False
    fields = ["created_at", "outcome", "moderator", "note"]
    readonly_fields = fields
    verbose_name_plural = "moderation decisions (history)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("moderator")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DecisionNoteForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why you decided this, for other moderators. The author does not see it.",
    )


DECISIONS = {
    "remove": {
        "title": "Remove comments",
        "verb": "Remove",
        "explain": "Removed comments disappear from the page. Their open reports are upheld and each author is "
        "emailed. Nothing is deleted: a removed comment can be reinstated.",
        "permission": "decide",
    },
    "reinstate": {
        "title": "Reinstate comments",
        "verb": "Reinstate",
        "explain": "Reinstated comments are published again. Their open reports are dismissed, and reports made "
        "before now will not hide them again.",
        "permission": "decide",
    },
    "ban": {
        "title": "Ban authors",
        "verb": "Ban",
        "explain": "Each author's account is deactivated and all their comments are removed, with their open "
        "reports upheld. The author is emailed.",
        "permission": "ban",
    },
}


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author_label", "page", "open_reports", "open_reasons", "status", "created_at"]
    list_display_links = ["excerpt"]
    list_filter = [QueueFilter, "status", ReasonFilter, "page"]
    search_fields = ["text", "author__username"]
    actions = ["remove_selected", "reinstate_selected", "ban_selected_authors"]
    inlines = [ReportInline, DecisionInline]
    fields = ["page", "author_label", "created_at", "status", "text", "reinstated_at", "deleted_by_author_at"]
    readonly_fields = fields
    list_per_page = 50
    # Skip the admin's extra COUNT of every comment ever posted; the queue's own count is enough.
    show_full_result_count = False
    change_form_template = "admin/comments/comment/change_form.html"

    def get_queryset(self, request):
        open_reports = Report.objects.filter(status=Report.Status.OPEN).only("comment_id", "reason")
        # Built here rather than by super(), which orders before the count is annotated.
        return (
            Comment.objects.select_related("author", "page")
            .with_open_report_count()
            .prefetch_related(Prefetch("reports", queryset=open_reports, to_attr="open_report_list"))
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["-open_report_count", "-created_at"]

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.text).chars(80)

    @admin.display(description="author", ordering="author__username")
    def author_label(self, comment):
        if comment.author_id is None:
            return "A former member"
        name = comment.author.get_username()
        return name if comment.author.is_active else f"{name} (banned)"

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, comment):
        return comment.open_report_count

    @admin.display(description="reasons")
    def open_reasons(self, comment):
        reasons = sorted({report.get_reason_display() for report in comment.open_report_list})
        return ", ".join(reasons) or "-"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Moderators never hard-delete: removal is a decision, and can be undone.
        return False

    def has_ban_permission(self, request):
        return request.user.has_perm("comments.ban_commenter") and self.has_decide_permission(request)

    # Decisions, from the changelist (actions) or from a comment's page (buttons).

    def get_urls(self):
        decision_urls = [
            path(
                "<int:comment_id>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name="comments_comment_decision",
            ),
        ]
        return decision_urls + super().get_urls()

    def has_decide_permission(self, request):
        """Making a decision writes its audit record, so it takes both permissions."""
        return self.has_change_permission(request) and request.user.has_perm("comments.add_moderationdecision")

    def _check_permission(self, request, decision):
        allowed = (
            self.has_ban_permission(request)
            if DECISIONS[decision]["permission"] == "ban"
            else self.has_decide_permission(request)
        )
        if not allowed:
            raise PermissionDenied

    def decision_view(self, request, comment_id, decision):
        if decision not in DECISIONS:
            raise PermissionDenied
        self._check_permission(request, decision)
        comment = get_object_or_404(self.get_queryset(request), pk=comment_id)
        return self._confirm_or_apply(request, decision, [comment], from_change_page=True)

    @admin.action(description="Remove selected comments", permissions=["decide"])
    def remove_selected(self, request, queryset):
        return self._confirm_or_apply(request, "remove", queryset)

    @admin.action(description="Reinstate selected comments", permissions=["decide"])
    def reinstate_selected(self, request, queryset):
        return self._confirm_or_apply(request, "reinstate", queryset)

    @admin.action(description="Ban the authors of selected comments", permissions=["ban"])
    def ban_selected_authors(self, request, queryset):
        return self._confirm_or_apply(request, "ban", queryset)

    def _confirm_or_apply(self, request, decision, comments, from_change_page=False):
        """Show a confirmation page with an optional note; apply the decision once confirmed."""
        comments = list(comments)
        form = DecisionNoteForm(request.POST if "confirm" in request.POST else None)
        if request.method == "POST" and "confirm" in request.POST and form.is_valid():
            self._apply(request, decision, comments, form.cleaned_data["note"])
            if from_change_page:
                return redirect(reverse("admin:comments_comment_change", args=[comments[0].pk]))
            return None  # back to the changelist
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": DECISIONS[decision]["title"],
            "decision": decision,
            "details": DECISIONS[decision],
            "comments": comments,
            "form": form,
            "from_change_page": from_change_page,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action_name": {"remove": "remove_selected", "reinstate": "reinstate_selected"}.get(
                decision, "ban_selected_authors"
            ),
        }
        return TemplateResponse(request, "admin/comments/comment/confirm_decision.html", context)

    def _apply(self, request, decision, comments, note):
        done, refused = 0, []
        banned = set()
        for comment in comments:
            try:
                if decision == "remove":
                    services.comment_remove(comment=comment, moderator=request.user, note=note)
                elif decision == "reinstate":
                    services.comment_reinstate(comment=comment, moderator=request.user, note=note)
                elif comment.author_id is None:
                    raise services.CommentError("This comment's author has deleted their account.")
                elif comment.author_id not in banned:
                    services.user_ban(user=comment.author, moderator=request.user, note=note, comment=comment)
                    banned.add(comment.author_id)
                done += 1
            except services.CommentError as exc:
                refused.append(f"“{Truncator(comment.text).chars(40)}”: {exc}")
        if done:
            verb = {"remove": "Removed", "reinstate": "Reinstated", "ban": "Banned the authors of"}[decision]
            self.message_user(request, f"{verb} {done} comment{'s' if done != 1 else ''}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only list of every report, for looking back; decisions are made on the comment."""

    list_display = ["created_at", "reason", "status", "comment"]
    list_filter = ["status", "reason"]
    list_select_related = ["comment"]
    fields = ["comment", "reason", "details", "status", "created_at", "resolved_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    """The audit log. Decisions are only made through the comment admin, never typed in here."""

    list_display = ["created_at", "outcome", "moderator", "comment"]
    list_filter = ["outcome"]
    list_select_related = ["moderator", "comment"]
    fields = ["comment", "outcome", "moderator", "note", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommentSettings)
class CommentSettingsAdmin(admin.ModelAdmin):
    list_display = ["page", "pre_moderate", "closed"]
    list_filter = ["pre_moderate", "closed"]
    list_select_related = ["page"]
