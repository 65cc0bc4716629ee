from django.conf import settings

from .middleware import messages_waiting


def site(request):
    """What every page's header and footer need: the site name and the current search."""
    return {"site_name": settings.SITE_NAME, "header_search_query": request.GET.get("q", "")[:200]}


def debug_warning(request):
    """Whether to warn staff that the site runs with DEBUG on (the admin shows a banner)."""
    return {"debug_warning": settings.DEBUG}


def messages(request):
    """Django's `messages` (its own context processor, which the admin requires, comes first), or
    none when none can be waiting (`messages_waiting`): looping over the storage makes it, and
    then it is saved with the response, a twentieth of a member's page for an empty list."""
    return {} if messages_waiting(request) else {"messages": ()}
