from django.urls import path
from django.views.generic import TemplateView

from . import views

app_name = "comments"

urlpatterns = [
    path("<slug:slug>/add/", views.comment_post, name="post"),
    path("rules/", TemplateView.as_view(template_name="comments/rules.html"), name="rules"),
    path("<int:comment_id>/edit/", views.comment_edit, name="edit"),
    path("<int:comment_id>/delete/", views.comment_delete, name="delete"),
    path("<int:comment_id>/report/", views.comment_report, name="report"),
    path("<int:comment_id>/report/thank-you/", views.report_thanks, name="report_thanks"),
]
