from django.contrib.sitemaps import Sitemap

from .models import Page


class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Page.objects.published().select_related("parent").order_by("pk")

    def lastmod(self, page):
        return page.updated_at
