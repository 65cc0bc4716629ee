from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from dystonia_portal.ratelimit import rate_limit

from . import services
from .forms import DeleteAccountForm, SignUpForm


def safe_next(request, default):
    """The `next` address when it is on this site, otherwise `default`."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(default) if default else ""


@sensitive_post_parameters("password1", "password2")
@rate_limit("signup")
def signup(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account has been created and you are signed in.")
        return redirect(safe_next(request, settings.LOGIN_REDIRECT_URL))
    status = 400 if form.is_bound else 200
    next_url = safe_next(request, "")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


@login_required
@sensitive_post_parameters("password")
@rate_limit("account_delete")
def delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, "Your account has been deleted.")
        return redirect("conditions:home")
    status = 400 if form.is_bound else 200
    comment_count = request.user.comments.count()
    return render(request, "accounts/delete.html", {"form": form, "comment_count": comment_count}, status=status)
