from django import template
from django.urls import reverse

from conditions import services

register = template.Library()


@register.inclusion_tag("admin/conditions/review_notice.html", takes_context=True)
def review_notice(context):
    """Tell editors and clinical reviewers on the admin index where clinical review stands."""
    user = context["request"].user
    if not user.has_perm("conditions.view_page"):
        return {"counts": None}
    pages = reverse("admin:conditions_page_changelist") + "?parent__isempty=1&status__exact=published&review="
    changes = reverse("admin:conditions_guiderevision_changelist") + "?state__exact="
    return {
        "counts": services.review_counts(),
        "overdue_url": pages + "overdue",
        "due_soon_url": pages + "soon",
        "awaiting_url": changes + "submitted",
        "sent_back_url": changes + "sent_back",
        "can_see_changes": user.has_perm("conditions.view_guiderevision"),
    }


@register.filter
def get_field(form, name):
    """The bound field `name` of `form`, for forms whose fields are made from data."""
    return form[name]
