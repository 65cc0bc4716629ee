from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from accounts import views as accounts_views
from conditions.sitemaps import PageSitemap

from . import views
from .ratelimit import rate_limit

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Content, comments and ratings"

urlpatterns = [
    # First: the URLs asked for most often with the least work behind them resolve first.
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("", include("conditions.urls")),
    path("privacy/", accounts_views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("contact/", views.contact, name="contact"),
    path("ratings/", include("ratings.urls")),
    path("comments/", include("comments.urls")),
    path("account/", include("accounts.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PageSitemap}}, name="sitemap"),
    path("healthz", views.healthz, name="healthz"),
    # The admin's sign-in counts against the same per-address limit as the site's (axes locks
    # each account and address pair as well), so a password cannot be sprayed across staff
    # accounts. It and the admin's sign-out follow `next` only to a path on this site, as ours
    # do. Both must come before the admin's own URLs to be the ones that answer.
    path(
        f"{settings.ADMIN_PATH}login/",
        rate_limit("signin")(accounts_views.same_site_next_only(admin.site.login)),
        name="admin_signin",
    ),
    path(f"{settings.ADMIN_PATH}logout/", accounts_views.same_site_next_only(admin.site.logout), name="admin_signout"),
    path(settings.ADMIN_PATH, admin.site.urls),
]

# A database that cannot be reached is a styled 503 with Retry-After, never a 500 (views.server_error).
handler500 = "dystonia_portal.views.server_error"
