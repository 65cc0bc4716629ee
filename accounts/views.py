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
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.debug import sensitive_post_parameters

from dystonia_portal.confirmations import confirm_where_landing
from dystonia_portal.ratelimit import rate_limit

from . import services
from .forms import DeleteAccountForm, ResendConfirmationForm, SignInForm, SignUpForm
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


class SameSiteNextMixin:
    """Django's sign-in and sign-out views, following `next` only when it is a path on this site.

    A `next` naming the page itself is ignored too: Django refuses to redirect a view to itself.
    """

    def get_redirect_url(self):
        target = safe_next(self.request)
        return "" if target in (self.request.path, self.request.get_full_path()) else target


class SignInView(SameSiteNextMixin, auth_views.LoginView):
    template_name = "accounts/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(SameSiteNextMixin, auth_views.LogoutView):
    pass


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
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
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
    comment_count = request.user.comments.count()
    return render(request, "accounts/delete.html", {"form": form, "comment_count": comment_count}, status=status)


@login_required
def account(request):
    return render(request, "accounts/account.html")


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
    }
    return render(request, "privacy.html", context)
