from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from conditions import page_cache

from ..models import member_version

register = template.Library()


@register.simple_tag(takes_context=True)
def header_account(context):
    """The header's account links (components/header_account_links.html).

    A member's (their name, "Your account" and the sign-out form) are the same on every page,
    so they are kept under their own version, which a rename moves, with a slot for their CSRF
    token (conditions.page_cache.get_or_build_with_token). A signed-out reader's carry the
    page's own address, for coming back after signing in, and are made for each page.
    """
    request, user = context["request"], context["user"]
    cache_key = page_cache.site_member_key("accounts:header", member_version(user))

    def build(extra_context):
        links = {"user": user, "request": request, **extra_context}
        return render_to_string("components/header_account_links.html", links, request=request)

    return mark_safe(page_cache.get_or_build_with_token(cache_key, request, build))  # noqa: S308 - our own template
