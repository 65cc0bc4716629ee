from django.conf import settings


def site(request):
    """What every page's header and footer need: the site name and the current search."""
    return {"site_name": settings.SITE_NAME, "header_search_query": request.GET.get("q", "")[:200]}
