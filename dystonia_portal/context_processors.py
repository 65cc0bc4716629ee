from django.conf import settings


def site(request):
    """What every page's header and footer need: the site name and the current search."""
    return {"site_name": settings.SITE_NAME, "header_search_query": request.GET.get("q", "")[:200]}


def debug_warning(request):
    """Whether to warn staff that the site runs with DEBUG on (the admin shows a banner)."""
    return {"debug_warning": settings.DEBUG}
