from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("<slug:slug>/add/", views.comment_post, name="post"),
    path("<int:comment_id>/delete/", views.comment_delete, name="delete"),
    path("<int:comment_id>/report/", views.comment_report, name="report"),
    path("<int:comment_id>/report/thank-you/", views.report_thanks, name="report_thanks"),
]
