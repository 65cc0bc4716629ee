"""Moderation in the admin: the queue of reported and held comments, and the decisions on them.

Every decision goes through comments/services.py, the same functions the public views use.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.timesince import timesince

from dystonia_portal.admin import ReadOnlyAdmin, ReadOnlyInline
from dystonia_portal.errors import ServiceError

from . import services
from .models import (
    NOTE_MAX_LENGTH,
    AuthorReason,
    ClinicalNote,
    Comment,
    CommentEdit,
    CommentSettings,
    ModerationDecision,
    Report,
    RiskPhrase,
    UrgentItem,
)
from .templatetags.comments_admin import format_duration


class QueueFilter(admin.SimpleListFilter):
    """Opens on the queue; "All comments" shows everything."""

    title = "queue"
    parameter_name = "queue"

    QUEUES = {
        "urgent": ("Urgent: someone may be at risk", lambda comments: comments.urgent()),
        "reported": ("With open reports", lambda comments: comments.reported()),
        "held": ("Held for review", lambda comments: comments.filter(status=Comment.Status.HELD)),
        "all": ("All comments", lambda comments: comments),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.QUEUES.items()]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Needs review",
        }
        for key, (label, _) in self.QUEUES.items():
            yield {
                "selected": self.value() == key,
                "query_string": changelist.get_query_string({self.parameter_name: key}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() in self.QUEUES:
            return self.QUEUES[self.value()][1](queryset)
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


class ReportInline(ReadOnlyInline):
    model = Report
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


class DecisionInline(ReadOnlyInline):
    model = ModerationDecision
    fields = ["created_at", "outcome", "moderator", "note"]
    readonly_fields = fields
    verbose_name_plural = "moderation decisions (history)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("moderator")


class EditInline(ReadOnlyInline):
    model = CommentEdit
    fields = ["edited_at", "previous_text"]
    readonly_fields = fields


class DecisionNoteForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why you decided this, for other moderators. The author does not see it.",
    )


class DecisionReasonForm(DecisionNoteForm):
    author_reason = forms.ChoiceField(
        label="Reason the author is given",
        choices=[("", "Choose a reason"), *AuthorReason.choices],
        error_messages={"required": "Choose the reason the author is given"},
        help_text="The author's email says which comment rule it breaks.",
    )


class ClinicalNoteForm(forms.Form):
    text = forms.CharField(
        label="A note from our clinical team",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Every reader sees it under the comment, after “A note from our clinical team:”. Plain and short.",
        error_messages={"required": "Enter the note"},
    )


def _author(comment):
    """The author a ban or unban acts on; refused when they deleted their account."""
    if comment.author_id is None:
        raise services.CommentError("This comment's author has deleted their account.")
    return comment.author


def _comments_done(past: str):
    return lambda count: f"{past} {count} comment{'s' if count != 1 else ''}."


@dataclass(frozen=True)
class Decision:
    """One moderation decision: its confirmation page, who may make it, the service it calls, what it says after."""

    title: str
    verb: str  # the confirmation button
    explain: str
    permission: str  # "decide" or "ban": CommentAdmin.has_<permission>_permission
    form: type[forms.Form]
    apply: Callable  # (comment, moderator, note, author_reason): calls the service
    done: Callable[[int], str]  # the success message for `count` comments
    action: str = ""  # the changelist action that asks for it, if there is one
    action_description: str = ""
    once_per_author: bool = False  # for several comments by one author, act once


# Every decision a moderator can make, in one table: the change page's buttons, the changelist's
# actions, the confirmation page and the messages afterwards all read it.
DECISIONS = {
    "remove": Decision(
        title="Remove comments",
        verb="Remove",
        explain="Removed comments disappear from the page (a held one is not published). Their open reports "
        "are upheld and each author is emailed the reason. Nothing is deleted: a removed comment can be "
        "reinstated.",
        permission="decide",
        form=DecisionReasonForm,
        apply=lambda comment, moderator, note, author_reason: services.comment_remove(
            comment=comment, moderator=moderator, note=note, author_reason=author_reason
        ),
        done=_comments_done("Removed"),
        action="remove_selected",
        action_description="Remove selected comments",
    ),
    "reinstate": Decision(
        title="Reinstate comments",
        verb="Reinstate",
        explain="Reinstated comments are published again. Their open reports are dismissed, and reports made "
        "before now will not hide them again. An author whose comment was held, hidden or removed is emailed.",
        permission="decide",
        form=DecisionNoteForm,
        apply=lambda comment, moderator, note, author_reason: services.comment_reinstate(
            comment=comment, moderator=moderator, note=note
        ),
        done=_comments_done("Reinstated"),
        action="reinstate_selected",
        action_description="Reinstate selected comments",
    ),
    "ban": Decision(
        title="Ban authors",
        verb="Ban",
        explain="Each author's account is deactivated and all their comments are removed, with their open "
        "reports upheld. The author is emailed the reason. A ban can be lifted later.",
        permission="ban",
        form=DecisionReasonForm,
        apply=lambda comment, moderator, note, author_reason: services.user_ban(
            user=_author(comment), moderator=moderator, note=note, comment=comment, author_reason=author_reason
        ),
        done=_comments_done("Banned the authors of"),
        action="ban_selected_authors",
        action_description="Ban the authors of selected comments",
        once_per_author=True,
    ),
    "seen": Decision(
        title="Mark the urgent item as seen",
        verb="Mark as seen",
        explain="Stops the urgent clock without changing the comment, for when no other decision applies or "
        "you have acted another way. Say what you did in the note.",
        permission="decide",
        form=DecisionNoteForm,
        apply=lambda comment, moderator, note, author_reason: services.urgent_item_close(
            comment=comment, moderator=moderator, note=note
        ),
        done=lambda count: "The urgent item is closed. Nothing about the comment changed.",
    ),
    "unban": Decision(
        title="Lift the ban",
        verb="Lift the ban",
        explain="The author can sign in and comment again. Their removed comments stay removed: reinstate any "
        "one of them on its own page. The author is emailed.",
        permission="ban",
        form=DecisionNoteForm,
        apply=lambda comment, moderator, note, author_reason: services.user_unban(
            user=_author(comment), moderator=moderator, note=note, comment=comment
        ),
        done=lambda count: "The ban is lifted. The author can sign in again.",
    ),
}


def _changelist_action(name: str):
    """The changelist action that asks for the decision `name` on the selected comments."""
    decision = DECISIONS[name]

    @admin.action(description=decision.action_description, permissions=[decision.permission])
    def action(modeladmin, request, queryset):
        return modeladmin._confirm_or_apply(request, name, queryset)

    action.__name__ = decision.action
    return action


def decision_buttons(comment, *, can_decide: bool, can_ban: bool, urgent: bool = False) -> list[tuple[str, str]]:
    """The decisions that apply to `comment` as it is now, as (decision, button label), in the order shown."""
    buttons = []
    author = comment.author
    banned = author is not None and not author.is_active
    if can_decide:
        if comment.status == Comment.Status.HELD:
            buttons += [("reinstate", "Publish"), ("remove", "Do not publish")]
        elif comment.status == Comment.Status.PUBLISHED:
            if comment.open_report_count:
                buttons.append(("reinstate", "Keep and dismiss reports"))
            buttons.append(("remove", "Remove"))
        elif comment.status == Comment.Status.HIDDEN:
            buttons += [("reinstate", "Reinstate"), ("remove", "Remove")]
        elif comment.deleted_by_author_at is None and not banned:
            buttons.append(("reinstate", "Reinstate"))
    if can_ban and author is not None and not (author.is_staff or author.is_superuser):
        buttons.append(("unban", "Lift the ban") if banned else ("ban", "Ban author"))
    if can_decide and urgent:
        buttons.append(("seen", "Mark urgent item as seen"))
    return buttons


def wait_label(since, now=None) -> str:
    return f"waiting {format_duration((now or timezone.now()) - since)}"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "urgent_wait", "author_label", "page", "open_reports", "status", "created_at"]
    list_display_links = ["excerpt"]
    list_filter = [QueueFilter, "status", ReasonFilter, "page"]
    search_fields = ["text", "author__username"]
    actions = [_changelist_action(name) for name, decision in DECISIONS.items() if decision.action]
    inlines = [ReportInline, DecisionInline, EditInline]
    fields = [
        "page",
        "author_label",
        "created_at",
        "status",
        "text",
        "at_risk",
        "edited_at",
        "reinstated_at",
        "deleted_by_author_at",
    ]
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
            .with_urgent_since()
            .prefetch_related(Prefetch("reports", queryset=open_reports, to_attr="open_report_list"))
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        # Someone may be at risk: those first, longest waiting first; then the most reported.
        return [F("urgent_since").asc(nulls_last=True), "-open_report_count", "-created_at"]

    def changelist_view(self, request, extra_context=None):
        # The queue needs the width: without the admin's navigation sidebar every column fits at 1280px.
        context = {"title": "Moderation queue", "is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, context)

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.text).chars(80)

    @admin.display(description="urgent", ordering="urgent_since")
    def urgent_wait(self, comment):
        return f"Urgent, {wait_label(comment.urgent_since)}" if comment.urgent_since else "-"

    @admin.display(description="author", ordering="author__username")
    def author_label(self, comment):
        if comment.author_id is None:
            return "A former member"
        name = comment.author.get_username()
        return name if comment.author.is_active else f"{name} (banned)"

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, comment):
        if not comment.open_report_count:
            return "-"
        reasons = sorted({report.get_reason_display() for report in comment.open_report_list})
        return f"{comment.open_report_count}: {', '.join(reasons)}"

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
            path(
                "<int:comment_id>/clinical-note/",
                self.admin_site.admin_view(self.clinical_note_view),
                name="comments_comment_clinical_note",
            ),
            path(
                "<int:comment_id>/clinical-note/remove/",
                self.admin_site.admin_view(self.clinical_note_remove_view),
                name="comments_comment_clinical_note_remove",
            ),
        ]
        return decision_urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = get_object_or_404(self.get_queryset(request), pk=object_id)
        urgent = list(UrgentItem.objects.filter(comment=comment).select_related("first_action_by"))
        context = {
            # Everything on this page is read-only: decisions are the buttons above, never a Save.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "decision_buttons": decision_buttons(
                comment,
                can_decide=self.has_decide_permission(request),
                can_ban=self.has_ban_permission(request),
                urgent=any(item.first_action_at is None for item in urgent),
            ),
            "urgent_items": [
                {"item": item, "wait": wait_label(item.opened_at) if item.first_action_at is None else ""}
                for item in urgent
            ],
            "can_add_clinical_note": request.user.has_perm("comments.add_clinical_note"),
            "clinical_note": comment.clinical_note_shown,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def _clinical_comment(self, request, comment_id):
        if not (request.user.has_perm("comments.add_clinical_note") and self.has_view_permission(request)):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=comment_id)

    def clinical_note_view(self, request, comment_id):
        """Add or change the clinician's note under a published comment, with the note's history."""
        comment = self._clinical_comment(request, comment_id)
        note = comment.clinical_note_shown
        form = ClinicalNoteForm(request.POST or None, initial={"text": note.text if note else ""})
        if request.method == "POST" and form.is_valid():
            try:
                services.clinical_note_save(comment=comment, user=request.user, text=form.cleaned_data["text"])
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, "The clinician's note is saved and shown under the comment.")
                return redirect(reverse("admin:comments_comment_change", args=[comment.pk]))
        history = (
            ClinicalNote.history.filter(comment_id=comment.pk).select_related("history_user").order_by("-history_date")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Change the clinician's note" if note else "Add a clinician's note",
            "comment": comment,
            "note": note,
            "form": form,
            "history": history,
        }
        return TemplateResponse(request, "admin/comments/comment/clinical_note.html", context)

    def clinical_note_remove_view(self, request, comment_id):
        comment = self._clinical_comment(request, comment_id)
        note = comment.clinical_note_shown
        if note is None:
            return redirect(reverse("admin:comments_comment_change", args=[comment.pk]))
        if request.method == "POST":
            services.clinical_note_remove(comment=comment, user=request.user)
            self.message_user(request, "The clinician's note is removed. Its history keeps what it said.")
            return redirect(reverse("admin:comments_comment_change", args=[comment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Remove the clinician's note",
            "comment": comment,
            "note": note,
        }
        return TemplateResponse(request, "admin/comments/comment/clinical_note_remove.html", context)

    def has_decide_permission(self, request):
        """Making a decision writes its audit record, so it takes both permissions."""
        return self.has_change_permission(request) and request.user.has_perm("comments.add_moderationdecision")

    def _check_permission(self, request, decision):
        if not getattr(self, f"has_{DECISIONS[decision].permission}_permission")(request):
            raise PermissionDenied

    def decision_view(self, request, comment_id, decision):
        if decision not in DECISIONS:
            raise PermissionDenied
        self._check_permission(request, decision)
        comment = get_object_or_404(self.get_queryset(request), pk=comment_id)
        return self._confirm_or_apply(request, decision, [comment], from_change_page=True)

    def _confirm_or_apply(self, request, decision, comments, from_change_page=False):
        """Show a confirmation page with a note (and the author's reason); apply the decision once confirmed."""
        comments = list(comments)
        form = DECISIONS[decision].form(request.POST if "confirm" in request.POST else None)
        if request.method == "POST" and "confirm" in request.POST and form.is_valid():
            self._apply(
                request, decision, comments, form.cleaned_data["note"], form.cleaned_data.get("author_reason", "")
            )
            if from_change_page:
                return redirect(reverse("admin:comments_comment_change", args=[comments[0].pk]))
            return None  # back to the changelist
        authors = {comment.author_id: comment.author for comment in comments if comment.author_id}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": DECISIONS[decision].title,
            "decision": decision,
            "details": DECISIONS[decision],
            "comments": comments,
            "form": form,
            "from_change_page": from_change_page,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action_name": DECISIONS[decision].action,
            "ban_counts": [
                {"author": author, "count": services.ban_would_remove(author)} for author in authors.values()
            ]
            if decision == "ban"
            else [],
        }
        return TemplateResponse(request, "admin/comments/comment/confirm_decision.html", context)

    def _apply(self, request, decision, comments, note, author_reason):
        details = DECISIONS[decision]
        done, refused = 0, []
        authors = set()
        for comment in comments:
            try:
                if not (details.once_per_author and comment.author_id and comment.author_id in authors):
                    details.apply(comment, request.user, note, author_reason)
                    authors.add(comment.author_id)
                done += 1
            except ServiceError as exc:
                refused.append(f"“{Truncator(comment.text).chars(40)}”: {exc}")
        if done:
            self.message_user(request, details.done(done), messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Read-only list of every report, for looking back; reports are closed by decisions on their comment."""

    list_display = ["created_at", "reason", "status", "comment"]
    list_filter = ["status", "reason"]
    list_select_related = ["comment"]
    fields = ["comment", "reason", "details", "status", "created_at", "resolved_at"]
    readonly_fields = fields


class DecidedWithinFilter(admin.SimpleListFilter):
    title = "decided"
    parameter_name = "within"

    def lookups(self, request, model_admin):
        return [("7", "In the last 7 days"), ("30", "In the last 30 days")]

    def queryset(self, request, queryset):
        if self.value() in ("7", "30"):
            return queryset.filter(created_at__gte=timezone.now() - datetime.timedelta(days=int(self.value())))
        return queryset


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnlyAdmin):
    """The audit log. Decisions are only made through the comment admin, never typed in here."""

    list_display = ["created_at", "outcome", "moderator", "comment", "author_reason", "note", "time_waited"]
    list_filter = ["outcome", DecidedWithinFilter]
    list_select_related = ["moderator", "comment"]
    fields = ["comment", "outcome", "moderator", "author_reason", "note", "waiting_since", "created_at"]
    readonly_fields = fields

    @admin.display(description="waited")
    def time_waited(self, decision):
        return timesince(decision.waiting_since, decision.created_at, depth=2) if decision.waiting_since else "-"


@admin.register(CommentSettings)
class CommentSettingsAdmin(admin.ModelAdmin):
    list_display = ["page", "pre_moderate", "closed"]
    list_filter = ["pre_moderate", "closed"]
    list_select_related = ["page"]


@admin.register(RiskPhrase)
class RiskPhraseAdmin(admin.ModelAdmin):
    """The phrases that show a commenter where to get help now and hold their comment for urgent review."""

    list_display = ["phrase", "created_at"]
    search_fields = ["phrase"]
    fields = ["phrase"]


class UrgentStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for a first action"), ("acted", "Acted on")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.open()
        if self.value() == "acted":
            return queryset.filter(first_action_at__isnull=False)
        return queryset


@admin.register(UrgentItem)
class UrgentItemAdmin(ReadOnlyAdmin):
    """The clock on each urgent item, for looking back. Items open and close through decisions on the comment."""

    list_display = ["opened_at", "kind", "comment", "waited", "first_action_by", "realerted_at"]
    list_filter = [UrgentStateFilter, "kind"]
    list_select_related = ["comment", "first_action_by"]
    fields = ["comment", "kind", "opened_at", "first_action_at", "first_action_by", "realerted_at"]
    readonly_fields = fields

    @admin.display(description="time to first action")
    def waited(self, item):
        if item.first_action_at is None:
            return f"Still {wait_label(item.opened_at)}"
        return timesince(item.opened_at, item.first_action_at, depth=2)
