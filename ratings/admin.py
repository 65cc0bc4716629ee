import csv

from django.contrib import admin, messages
from django.http import HttpResponse

from dystonia_portal.admin import ReadOnlyAdmin

from .display import average_of, bayesian_average, since_review_figures
from .models import SCORES, Rating, RatingFeedback, RatingSummary
from .services import rating_feedback_mark_handled


@admin.register(RatingSummary)
class RatingSummaryAdmin(ReadOnlyAdmin):
    """Figures counted by the rating service: nobody edits them by hand."""

    list_display = ["page", "average_display", "count", "bayesian_display", "distribution", "since_review"]
    list_select_related = ["page", "page__parent"]
    search_fields = ["page__title"]
    actions = ["export_csv"]
    fields = list_display
    readonly_fields = list_display

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(bayesian=bayesian_average())

    @admin.display(description="average")
    def average_display(self, summary):
        return average_of(summary.total, summary.count) or "-"

    @admin.display(description="Bayesian average (for ranking)", ordering="bayesian")
    def bayesian_display(self, summary):
        return f"{summary.bayesian:.2f}"

    @admin.display(description="1 to 5 stars")
    def distribution(self, summary):
        return " / ".join(str(count) for count in summary.buckets.values())

    @admin.display(description="since last review")
    def since_review(self, summary):
        recent = since_review_figures(summary, summary.page)
        if not recent["count"]:
            return f"No ratings since {recent['reviewed']}"
        shares = " / ".join(str(n) for n in recent["buckets"].values())
        return f"{recent['average']} from {recent['count']} since {recent['reviewed']} ({shares})"

    @admin.action(description="Download selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="page-ratings.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "page",
                "address",
                "ratings",
                "average",
                "Bayesian average",
                *(f"{score} stars" for score in SCORES),
                "last reviewed",
                "ratings since review",
                "average since review",
                *(f"{score} stars since review" for score in SCORES),
            ]
        )
        for summary in queryset.order_by("-bayesian"):
            page = summary.page
            recent = since_review_figures(summary, page)
            writer.writerow(
                [
                    str(page),
                    page.get_absolute_url(),
                    summary.count,
                    average_of(summary.total, summary.count),
                    f"{summary.bayesian:.2f}",
                    *summary.buckets.values(),
                    page.last_reviewed.isoformat(),
                    recent["count"],
                    recent["average"],
                    *recent["buckets"].values(),
                ]
            )
        return response


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    """Superusers can look at single ratings; nobody can change them."""

    list_display = ["page", "score", "reader", "page_reviewed_on", "updated_at"]
    list_filter = ["score"]
    list_select_related = ["page", "page__parent"]
    fields = ["page", "score", "reader", "page_reviewed_on", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description="reader")
    def reader(self, rating):
        return "Signed in" if rating.user_id else "Not signed in"


@admin.register(RatingFeedback)
class RatingFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "page", "score", "reason", "details", "handled", "handled_by", "handled_at"]
    list_filter = ["handled", "reason", "score"]
    list_select_related = ["page", "page__parent", "handled_by"]
    search_fields = ["details", "page__title"]
    fields = list_display
    readonly_fields = list_display
    actions = ["mark_handled"]

    @admin.action(description="Mark as handled", permissions=["mark_handled"])
    def mark_handled(self, request, queryset):
        changed = rating_feedback_mark_handled(feedback=queryset, by=request.user)
        self.message_user(
            request, f"Marked {changed} item{'s' if changed != 1 else ''} of feedback as handled.", messages.SUCCESS
        )

    def has_mark_handled_permission(self, request):
        # The only change editors may make to feedback (granted in migration 0002).
        return request.user.has_perm("ratings.change_ratingfeedback")
