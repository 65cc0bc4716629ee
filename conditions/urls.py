from django.urls import path

from . import views

app_name = "conditions"

urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/", views.a_to_z, name="a_to_z"),
    path("search/", views.search, name="search"),
    path("site-map/", views.site_map, name="site_map"),
    path("conditions/<slug:slug>/", views.page_detail, name="detail"),
    path("conditions/<slug:slug>/<slug:subpage_slug>/", views.page_detail, name="subpage"),
]
