from django import template
from django.urls import reverse

from conditions.models import Page

register = template.Library()


@register.inclusion_tag("admin/conditions/review_notice.html", takes_context=True)
def review_notice(context):
    """Tell an editor on the admin index how many pages are past their review date."""
    user = context["request"].user
    if not user.has_perm("conditions.view_page"):
        return {"overdue": 0}
    return {
        "overdue": Page.objects.review_overdue().count(),
        "url": reverse("admin:conditions_page_changelist") + "?review=overdue",
    }
