from django.urls import path

from dystonia_portal.ratelimit import rate_limit

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", rate_limit("signin")(views.SignInView.as_view()), name="signin"),
    path("sign-out/", views.SignOutView.as_view(), name="signout"),
    path("create/", views.signup, name="signup"),
    path("create/sent/", views.signup_sent, name="signup_sent"),
    path("create/resend/", views.signup_resend, name="signup_resend"),
    path("create/confirm/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("", views.account, name="account"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("your-data/", views.data, name="data"),
    path("your-data/download/", views.data_download, name="data_download"),
    path("delete/", views.delete, name="delete"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
