import csv

from django.contrib import admin, messages
from django.db.models import ExpressionWrapper, F, FloatField, Sum, Value
from django.http import HttpResponse

from dystonia_portal.admin import ReadOnlyAdmin

from .display import one_decimal
from .models import SCORES, Rating, RatingFeedback, RatingSummary
from .services import rating_feedback_mark_handled

# Bayesian average for ranking pages: (m * C + total) / (m + count), where the prior
# C is the mean score over every rating of every page and m = 10 ratings' weight.
# A page with few ratings is pulled towards the site-wide mean, so 1 rating of 5
# stars does not outrank 200 ratings averaging 4.8.
PRIOR_WEIGHT = 10


def prior_mean() -> float:
    totals = RatingSummary.objects.aggregate(count=Sum("count"), total=Sum("total"))
    return totals["total"] / totals["count"] if totals["count"] else 3.0


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
        prior = prior_mean()
        bayesian = ExpressionWrapper(
            (Value(PRIOR_WEIGHT * prior) + F("total")) / (Value(float(PRIOR_WEIGHT)) + F("count")),
            output_field=FloatField(),
        )
        return super().get_queryset(request).annotate(bayesian=bayesian)

    @admin.display(description="average")
    def average_display(self, summary):
        return one_decimal(summary.total, summary.count) if summary.count else "-"

    @admin.display(description="Bayesian average (for ranking)", ordering="bayesian")
    def bayesian_display(self, summary):
        return f"{summary.bayesian:.2f}"

    @admin.display(description="1 to 5 stars")
    def distribution(self, summary):
        return " / ".join(str(count) for count in summary.buckets.values())

    @admin.display(description="since last review")
    def since_review(self, summary):
        count, total, buckets = summary.since_review(summary.page.last_reviewed)
        reviewed = summary.page.last_reviewed.strftime("%d/%m/%Y")
        if not count:
            return f"No ratings since {reviewed}"
        shares = " / ".join(str(n) for n in buckets.values())
        return f"{one_decimal(total, count)} from {count} since {reviewed} ({shares})"

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
            count, total, buckets = summary.since_review(page.last_reviewed)
            writer.writerow(
                [
                    str(page),
                    page.get_absolute_url(),
                    summary.count,
                    one_decimal(summary.total, summary.count) if summary.count else "",
                    f"{summary.bayesian:.2f}",
                    *summary.buckets.values(),
                    page.last_reviewed.isoformat(),
                    count,
                    one_decimal(total, count) if count else "",
                    *buckets.values(),
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
