from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from dystonia_portal.ratelimit import rate_limit

from . import views
from .forms import ResetPasswordForm

app_name = "accounts"

urlpatterns = [
    path("sign-in/", rate_limit("signin")(views.SignInView.as_view()), name="signin"),
    path("sign-out/", views.SignOutView.as_view(), name="signout"),
    path("create/", views.signup, name="signup"),
    path("create/sent/", views.signup_sent, name="signup_sent"),
    path("create/resend/", views.signup_resend, name="signup_resend"),
    path("create/confirm/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("", views.account, name="account"),
    path("your-data/", views.data, name="data"),
    path("your-data/download/", views.data_download, name="data_download"),
    path("delete/", views.delete, name="delete"),
    path(
        "password-reset/",
        rate_limit("password_reset")(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                email_template_name="accounts/password_reset_email.txt",
                subject_template_name="accounts/password_reset_subject.txt",
                form_class=ResetPasswordForm,
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            # Django's own SetPasswordForm: the project's crispy pack renders it like every form.
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
