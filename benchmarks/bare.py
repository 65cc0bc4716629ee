"""The benchmark's first floor: Django with no middleware, no database and one view.

gunicorn serves `benchmarks.bare:application` with the same workers as the site, so the
gap between this and our own `/robots.txt` is what our middleware, settings and URLconf
cost a request (benchmarks/middleware_profile.py says which part costs what).
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

ROBOTS = "User-agent: *\nDisallow: /admin/\n"


def robots(request):
    return HttpResponse(ROBOTS, content_type="text/plain")


urlpatterns = [path("robots.txt", robots)]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-floor-not-secret",  # noqa: S106 - serves one constant text, nothing signed
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)
application = get_wsgi_application()
