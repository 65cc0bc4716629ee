from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("pages/<int:page_id>/rate/", views.rate, name="rate"),
    path("pages/<int:page_id>/feedback/", views.feedback, name="feedback"),
]
