"""Clinical review in the admin: a guide's changes, their review, history and compare.

Every step goes through conditions/services.py; these views only parse forms, call a
service and redirect. Permissions: editors (add/change guide changes) start, edit, submit,
publish and restore; clinical reviewers (review_guiderevision) approve or send back, and the
service refuses anyone who worked on the change.
"""

import functools

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from dystonia_portal.admin import ReadOnlyAdmin
from dystonia_portal.errors import ServiceError

from . import services
from .models import ClinicalReview, GuideRevision, Page, RevisionEvent
from .review_forms import ApproveForm, CompareForm, GuideDraftForm, SendBackForm, SubmitForm


@admin.register(GuideRevision)
class GuideRevisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "created_by", "created_at", "published_at"]
    list_filter = ["state"]
    list_select_related = ["guide", "created_by"]
    search_fields = ["guide__title", "change_summary"]

    def has_add_permission(self, request):
        return False  # started from the guide, by revision_start

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who changed what is kept

    def get_urls(self):
        routes = [
            ("start/<int:guide_id>/", self.start_view, "start"),
            ("guide/<int:guide_id>/history/", self.guide_history_view, "guide_history"),
            ("guide/<int:guide_id>/compare/", self.guide_compare_view, "guide_compare"),
            ("<int:revision_id>/edit/", self.edit_view, "edit"),
            ("<int:revision_id>/open/", self.open_view, "open"),
            ("<int:revision_id>/submit/", self.submit_view, "submit"),
            ("<int:revision_id>/review/", self.review_view, "review"),
            *(
                (f"<int:revision_id>/{name}/", functools.partial(self.step_view, name=name), name)
                for name in self.STEPS
            ),
        ]
        urls = [
            path(route, self.admin_site.admin_view(view), name=f"conditions_guiderevision_{name}")
            for route, view, name in routes
        ]
        return urls + super().get_urls()

    # Permission helpers: each view checks before it touches anything.

    def _require(self, allowed):
        if not allowed:
            raise PermissionDenied

    def _can_edit(self, request):
        return request.user.has_perm("conditions.change_guiderevision")

    def _can_start(self, request):
        return request.user.has_perm("conditions.add_guiderevision")

    def _can_review(self, request):
        return request.user.has_perm(services.REVIEW_PERMISSION)

    def _revision(self, request, revision_id):
        self._require(self.has_view_permission(request))
        return get_object_or_404(GuideRevision.objects.select_related("guide", "created_by"), pk=revision_id)

    def _post_only(self, request):
        if request.method != "POST":
            raise PermissionDenied

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    # The change's own page: what it is, what it changes, who did what, and the next step.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self._revision(request, object_id)
        return self._detail(request, revision)

    def _detail(self, request, revision, *, submit_form=None, approve_form=None, send_back_form=None, status=200):
        compared_with = self._compared_with(revision)
        user = request.user
        authored = revision.events.filter(actor=user, action__in=RevisionEvent.AUTHOR_ACTIONS).exists()
        context = self._context(
            request,
            f"{revision.guide.title}: version {revision.number}",
            revision=revision,
            guide=revision.guide,
            events=revision.events.select_related("actor"),
            approval=getattr(revision, "approval", None),
            compared_with=compared_with,
            diff=services.snapshot_diff(compared_with.content, revision.content) if compared_with else [],
            text=services.snapshot_text(revision.content),
            sent_back=revision.events.filter(action=RevisionEvent.Action.SENT_BACK).last()
            if revision.state == GuideRevision.State.SENT_BACK
            else None,
            can_edit=self._can_edit(request) and revision.is_editable,
            can_review=self._can_review(request) and revision.state == GuideRevision.State.SUBMITTED and not authored,
            authored_and_reviewer=self._can_review(request) and authored,
            can_publish=self._can_edit(request) and revision.state == GuideRevision.State.APPROVED,
            can_withdraw=self._can_edit(request) and revision.is_open,
            can_restore=self._can_start(request)
            and revision.state == GuideRevision.State.PUBLISHED
            and not revision.guide.revisions.open().exists(),
            submit_form=submit_form or SubmitForm(initial={"change_summary": revision.change_summary}),
            approve_form=approve_form or ApproveForm(),
            send_back_form=send_back_form or SendBackForm(),
        )
        return TemplateResponse(request, "admin/conditions/guiderevision/detail.html", context, status=status)

    def _compared_with(self, revision):
        """An open change compares with what readers see now; a published one with the version before."""
        published = revision.guide.revisions.published().exclude(pk=revision.pk).order_by("-number")
        if revision.state == GuideRevision.State.PUBLISHED:
            published = published.filter(number__lt=revision.number)
        return published.first()

    # Steps.

    def start_view(self, request, guide_id):
        self._post_only(request)
        self._require(self._can_start(request))
        guide = get_object_or_404(Page.objects.conditions(), pk=guide_id)
        revision = services.revision_start(guide=guide, user=request.user)
        return redirect("admin:conditions_guiderevision_change", revision.pk)

    def open_view(self, request, revision_id):
        """Opening the draft for editing is a POST: it records that you are editing, so others are told."""
        self._post_only(request)
        self._require(self._can_edit(request))
        revision = self._revision(request, revision_id)
        services.revision_open_for_editing(revision=revision, user=request.user)
        return redirect("admin:conditions_guiderevision_edit", revision.pk)

    def edit_view(self, request, revision_id):
        self._require(self._can_edit(request))
        revision = self._revision(request, revision_id)
        if not revision.is_editable:
            messages.warning(request, "This change is with the clinical reviewer, so it cannot be edited now.")
            return redirect(revision)
        conflict = None
        if request.method == "POST":
            form = GuideDraftForm(request.POST, content=revision.content)
            if form.is_valid():
                try:
                    services.revision_save(
                        revision=revision,
                        user=request.user,
                        content=form.content(),
                        edit_version=form.cleaned_data["edit_version"],
                    )
                except services.EditConflict as exc:
                    conflict = self._conflict(request, exc.revision, form)
                else:
                    messages.success(request, "Draft saved. Send it for clinical review when it is ready.")
                    return redirect(revision)
        else:
            form = GuideDraftForm(initial={"edit_version": revision.edit_version}, content=revision.content)
        others = revision.editors.filter(opened_at__gte=timezone.now() - services.EDITING_WINDOW).exclude(
            user=request.user
        )
        context = self._context(
            request,
            f"Edit the draft: {revision.guide.title}",
            revision=revision,
            form=form,
            others=others.select_related("user").order_by("opened_at"),
            conflict=conflict,
        )
        return TemplateResponse(
            request, "admin/conditions/guiderevision/edit.html", context, status=409 if conflict else 200
        )

    def _conflict(self, request, current, form):
        """Show what the other editor saved against what you tried to save; your text stays in the form.

        The form now carries the current version, so saving again is a deliberate choice to replace theirs.
        """
        saved_by = current.events.filter(action=RevisionEvent.Action.SAVED).select_related("actor").last()
        data = form.data.copy()
        data["edit_version"] = current.edit_version
        form.data = data
        return {
            "saved_by": saved_by,
            "diff": services.snapshot_diff(current.content, form.content()),
        }

    def _run(self, form, step, **arguments) -> bool:
        """Run a workflow step with the form's answers; a refusal goes on the form. Whether it ran."""
        if not form.is_valid():
            return False
        try:
            step(**arguments, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
            return False
        return True

    def submit_view(self, request, revision_id):
        self._post_only(request)
        self._require(self._can_edit(request))
        revision = self._revision(request, revision_id)
        form = SubmitForm(request.POST)
        if self._run(form, services.revision_submit, revision=revision, user=request.user):
            messages.success(request, "Sent for clinical review.")
            return redirect(revision)
        return self._detail(request, revision, submit_form=form, status=400)

    def review_view(self, request, revision_id):
        self._post_only(request)
        self._require(self._can_review(request))
        revision = self._revision(request, revision_id)
        decision = request.POST.get("decision")
        if decision == "approve":
            form = ApproveForm(request.POST)
            if self._run(form, services.revision_approve, revision=revision, reviewer=request.user):
                revision.refresh_from_db()
                if revision.state == GuideRevision.State.PUBLISHED:
                    messages.success(request, "Approved and published. The guide shows today's review date.")
                else:
                    when = timezone.localtime(revision.publish_at).strftime("%d/%m/%Y %H:%M")
                    messages.success(request, f"Approved. It will be published at {when}.")
                return redirect(revision)
            return self._detail(request, revision, approve_form=form, status=400)
        if decision == "send_back":
            form = SendBackForm(request.POST)
            if self._run(form, services.revision_send_back, revision=revision, reviewer=request.user):
                messages.success(request, "Sent back to the editor with your comment.")
                return redirect(revision)
            return self._detail(request, revision, send_back_form=form, status=400)
        raise PermissionDenied

    # The buttons that run one workflow step: who may press them, the step, what it says after.
    STEPS = {
        "publish": ("_can_edit", services.revision_publish, lambda revision: "Published."),
        "restore": (
            "_can_start",
            services.revision_restore,
            lambda revision: f"Version {revision.number} is now a new draft. Check it and send it for review.",
        ),
        "withdraw": (
            "_can_edit",
            services.revision_withdraw,
            lambda revision: "Change withdrawn. Readers still see the approved guide.",
        ),
    }

    def step_view(self, request, revision_id, *, name):
        """Run one workflow step (STEPS), then go back to the change, or to the draft the step made."""
        allowed, step, done = self.STEPS[name]
        self._post_only(request)
        self._require(getattr(self, allowed)(request))
        revision = self._revision(request, revision_id)
        try:
            made = step(revision=revision, user=request.user)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect(revision)
        messages.success(request, done(revision))
        return redirect(made if isinstance(made, GuideRevision) else revision)

    # History and compare.

    def guide_history_view(self, request, guide_id):
        self._require(self.has_view_permission(request))
        guide = get_object_or_404(Page.objects.conditions(), pk=guide_id)
        versions = list(guide.revisions.published().select_related("approval").defer("content").order_by("-number"))
        # Opens comparing the latest version with the one before.
        initial = {"new": versions[0].pk, "old": versions[1].pk} if len(versions) > 1 else {}
        context = self._context(
            request,
            f"Versions of {guide.title}",
            guide=guide,
            versions=versions,
            open_change=guide.revisions.open().first(),
            reviews=guide.clinical_reviews.all(),
            compare_form=CompareForm(guide=guide, initial=initial),
        )
        return TemplateResponse(request, "admin/conditions/guiderevision/history.html", context)

    def guide_compare_view(self, request, guide_id):
        self._require(self.has_view_permission(request))
        guide = get_object_or_404(Page.objects.conditions(), pk=guide_id)
        form = CompareForm(request.GET, guide=guide)
        if not form.is_valid():
            context = self._context(
                request, f"Compare versions of {guide.title}", guide=guide, compare_form=form, diff=None
            )
            return TemplateResponse(request, "admin/conditions/guiderevision/compare.html", context, status=400)
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
        context = self._context(
            request,
            f"Compare versions {old.number} and {new.number} of {guide.title}",
            guide=guide,
            compare_form=form,
            old=old,
            new=new,
            diff=services.snapshot_diff(old.content, new.content),
        )
        return TemplateResponse(request, "admin/conditions/guiderevision/compare.html", context)


@admin.register(ClinicalReview)
class ClinicalReviewAdmin(ReadOnlyAdmin):
    """The sign-offs, read only: they are made by approving a change, never typed in."""

    list_display = ["guide", "reviewed_on", "reviewer_name", "role", "legacy"]
    list_filter = ["legacy"]
    list_select_related = ["guide"]
    fields = [
        "guide",
        "revision",
        "reviewer_name",
        "role",
        "reviewed_on",
        "sources_checked",
        "note",
        "legacy",
        "created_at",
    ]
    readonly_fields = fields
