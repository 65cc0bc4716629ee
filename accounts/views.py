import functools
import json
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.debug import sensitive_post_parameters

from comments.models import Comment
from dystonia_portal.confirmations import confirm_where_landing
from dystonia_portal.ratelimit import rate_limit
from ratings.models import Rating

from . import services
from .forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    ResendConfirmationForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from .tokens import signup_token
from .your_data import your_data

User = get_user_model()


def is_same_site_path(target: str, request) -> bool:
    """True for a path on this site ("/conditions/dystonia/#comments"), never for a URL name,
    a relative address, another site, or anything with a control character in it."""
    return (
        target.startswith("/")
        # "//host" and "/\\host" name another host; even a bare "//" is not a path.
        and not target.startswith(("//", "/\\"))
        and not any(unicodedata.category(character).startswith("C") for character in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


def safe_next(request, default=""):
    """The `next` path when it is a path on this site, otherwise `default` (a URL name or path) as a path.

    Whatever it returns goes to HttpResponseRedirect, never to redirect(): redirect() would try
    a `next` of "home" as a view name and fail with NoReverseMatch.
    """
    target = request.POST.get("next") or request.GET.get("next", "")
    if is_same_site_path(target, request):
        return target
    return resolve_url(default) if default else ""


def same_site_next_only(view):
    """For views that are not ours (the admin's sign-in and sign-out): a `next` that is not a path
    on this site is dropped before the view sees it. Django's own check lets "//\r" through,
    which it then sends as the address "//%0D"."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        for method in ("GET", "POST"):
            values = getattr(request, method)
            if "next" in values and not is_same_site_path(values["next"], request):
                values = values.copy()
                del values["next"]
                setattr(request, method, values)
        return view(request, *args, **kwargs)

    return checked


class SameSiteNextMixin:
    """Django's sign-in and sign-out views, following `next` only when it is a path on this site.

    A `next` naming the page itself is ignored too: Django refuses to redirect a view to itself.
    """

    def get_redirect_url(self):
        target = safe_next(self.request)
        return "" if target in (self.request.path, self.request.get_full_path()) else target


class SiteNameMixin:
    """Django's auth views name the site after the host ("127.0.0.1:8300") when
    django.contrib.sites is not installed; every page of ours is named settings.SITE_NAME."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "site_name": settings.SITE_NAME}


class SignInView(SiteNameMixin, SameSiteNextMixin, auth_views.LoginView):
    template_name = "accounts/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(SiteNameMixin, SameSiteNextMixin, auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            # After logout() flushed the session, so it travels in the messages cookie; that
            # cookie also keeps the page it lands on out of every shared cache (conditions.page_cache).
            messages.success(request, "You have signed out.")
        return response


@method_decorator(rate_limit("password_reset"), name="dispatch")
class PasswordResetView(SiteNameMixin, auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(SiteNameMixin, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(SiteNameMixin, auth_views.PasswordResetConfirmView):
    # Django's own SetPasswordForm (its default): the project's crispy pack renders it like every form.
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(SiteNameMixin, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@method_decorator(rate_limit("password_change"), name="dispatch")
class PasswordChangeView(SiteNameMixin, auth_views.PasswordChangeView):
    """Change password from "Your account"; Django keeps this session signed in and ends the others."""

    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@sensitive_post_parameters("password1", "password2")
@rate_limit("signup")
def signup(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
            site_url=f"{request.scheme}://{request.get_host()}",
            next_path=safe_next(request),
        )
        return redirect("accounts:signup_sent")
    status = 400 if form.is_bound else 200
    next_url = safe_next(request, "")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


@rate_limit("signup_resend")
def signup_resend(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_resend_confirmation(
            email=form.cleaned_data["email"], site_url=f"{request.scheme}://{request.get_host()}"
        )
        return redirect("accounts:signup_sent")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/signup_resend.html", {"form": form}, status=status)


def _user_to_confirm(uidb64: str, token: str):
    """The unconfirmed account this link is for, or None when the link is wrong, old or used.

    Only an account that has never been signed in to can be confirmed: one an admin made
    inactive later cannot be brought back with a sign-up link.
    """
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = User.objects.get(pk=pk, is_active=False, last_login__isnull=True)
    except (ValueError, OverflowError, UnicodeDecodeError, User.DoesNotExist, ValidationError):
        return None
    return user if signup_token.check_token(user, token) else None


def signup_confirm(request, uidb64, token):
    """The link in the confirmation email: a page with a button, which confirms and signs in."""
    user = _user_to_confirm(uidb64, token)
    if user is None:
        return render(request, "accounts/signup_confirm.html", {"valid": False}, status=400)
    if request.method == "POST":
        services.user_confirm(user=user)
        login(request, user, backend="accounts.backends.MemberBackend")
        target = safe_next(request, settings.LOGIN_REDIRECT_URL)
        text = "Your account has been created and you are signed in."
        return HttpResponseRedirect(confirm_where_landing(request, target, text))
    context = {"valid": True, "username": user.get_username(), "next": safe_next(request)}
    return render(request, "accounts/signup_confirm.html", context)


@login_required
@sensitive_post_parameters("password")
@rate_limit("account_delete")
def delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user, delete_comments=form.cleaned_data["delete_comments"])
        logout(request)
        messages.success(request, "Your account has been deleted.")
        return redirect("conditions:home")
    status = 400 if form.is_bound else 200
    # Only comments that still exist for them: not ones they deleted or a moderator removed.
    comment_count = request.user.comments.exclude(status=Comment.Status.REMOVED).count()
    return render(request, "accounts/delete.html", {"form": form, "comment_count": comment_count}, status=status)


# "Your account" lists this many of the newest comments and ratings; "Your data" has them all.
ACCOUNT_LIST_LENGTH = 20


@login_required
def account(request):
    """Your account: your comments (with what happened to them), your ratings, and what you can do."""
    comments = (
        Comment.objects.filter(author=request.user, deleted_by_author_at__isnull=True)
        .select_related("page")
        .order_by("-created_at", "-pk")
    )
    ratings = Rating.objects.filter(user=request.user).select_related("page__parent").order_by("-updated_at", "-pk")
    # One more than is shown, to know whether there are more without counting them.
    comments = list(comments[: ACCOUNT_LIST_LENGTH + 1])
    ratings = list(ratings[: ACCOUNT_LIST_LENGTH + 1])
    context = {
        "comments": comments[:ACCOUNT_LIST_LENGTH],
        "more_comments": len(comments) > ACCOUNT_LIST_LENGTH,
        "ratings": ratings[:ACCOUNT_LIST_LENGTH],
        "more_ratings": len(ratings) > ACCOUNT_LIST_LENGTH,
        "list_length": ACCOUNT_LIST_LENGTH,
    }
    return render(request, "accounts/account.html", context)


@login_required
def data(request):
    return render(request, "accounts/your_data.html", {"data": your_data(user=request.user)})


@login_required
def data_download(request):
    body = json.dumps(your_data(user=request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="your-dystonia-portal-data.json"'
    return response


def privacy(request):
    """The privacy notice: the periods it states are read from settings, so it cannot drift from the code."""
    context = {
        "removed_text_months": round(settings.REMOVED_COMMENT_TEXT_DAYS / 30.4),
        "removed_text_days": settings.REMOVED_COMMENT_TEXT_DAYS,
        "unconfirmed_days": settings.UNCONFIRMED_ACCOUNT_DAYS,
        "sign_in_record_days": settings.SIGN_IN_RECORD_DAYS,
        "session_days": settings.SESSION_COOKIE_AGE // (24 * 60 * 60),
        "staff_session_hours": settings.STAFF_SESSION_IDLE_SECONDS // (60 * 60),
        "confirm_link_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        "contact_email": settings.CONTACT_EMAIL,
    }
    return render(request, "privacy.html", context)
