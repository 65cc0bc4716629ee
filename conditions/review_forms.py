"""Forms for clinical review in the admin: editing a guide's draft, submitting, reviewing."""

import copy

from django import forms
from django.utils.text import slugify

from .models import GuideRevision


def _text(label, *, required=True, max_length=None, rows=None, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows, "cols": 80}) if rows else forms.TextInput(attrs={"size": 60})
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=widget, help_text=help_text, strip=True
    )


class GuideDraftForm(forms.Form):
    """Every editable part of a guide's draft snapshot, one field each, plus one new section and link a page.

    `edit_version` is the draft's version when the form was opened; the service refuses a save
    from an older version (someone else saved in between).
    """

    edit_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, content: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = content
        self.page_groups = []
        for p, page in enumerate(content["pages"]):
            prefix = f"p{p}"
            group = {"title": page["title"], "is_guide": page["parent"] is None, "fields": [], "sections": []}
            group["links"] = []
            self._add(group["fields"], f"{prefix}-title", _text("Title", max_length=200), page["title"])
            if page["parent"] is not None:
                self._add(
                    group["fields"],
                    f"{prefix}-short_title",
                    _text("Short title", required=False, max_length=80),
                    page["short_title"],
                )
            self._add(group["fields"], f"{prefix}-summary", _text("Summary", max_length=300, rows=2), page["summary"])
            for s, section in enumerate(page["sections"]):
                name = section["heading"] or "Introduction"
                group["sections"].append(
                    {"legend": f"Section: {name}", "fields": self._section_fields(f"{prefix}-s{s}", section)}
                )
            group["new_section"] = {
                "legend": f"New section on “{page['title']}” (optional)",
                "fields": self._section_fields(f"{prefix}-snew", None),
            }
            for k, link in enumerate(page["links"]):
                group["links"].append(
                    {"legend": f"Related link: {link['title']}", "fields": self._link_fields(f"{prefix}-l{k}", link)}
                )
            if page["parent"] is None:
                group["new_link"] = {
                    "legend": "New related link (optional)",
                    "fields": self._link_fields(f"{prefix}-lnew", None),
                }
            self.page_groups.append(group)

    def _add(self, names, name, field, initial):
        field.initial = initial
        self.fields[name] = field
        names.append(name)

    def _section_fields(self, prefix, section):
        names = []
        new = section is None
        self._add(
            names,
            f"{prefix}-heading",
            _text("Heading", required=False, max_length=200),
            "" if new else section["heading"],
        )
        self._add(
            names,
            f"{prefix}-anchor",
            forms.SlugField(
                label="Anchor", required=False, max_length=100, help_text="Part of the address that jumps here."
            ),
            "" if new else section["anchor"],
        )
        self._add(
            names,
            f"{prefix}-body",
            _text("Text", required=False, rows=8 if not new else 3),
            "" if new else section["body"],
        )
        if not new:
            self._add(
                names, f"{prefix}-remove", forms.BooleanField(label="Remove this section", required=False), False
            )
        return names

    def _link_fields(self, prefix, link):
        names = []
        new = link is None
        self._add(
            names, f"{prefix}-title", _text("Link text", required=False, max_length=200), "" if new else link["title"]
        )
        self._add(
            names,
            f"{prefix}-url",
            forms.URLField(label="Address", required=False, max_length=200, assume_scheme="https"),
            "" if new else link["url"],
        )
        self._add(
            names,
            f"{prefix}-description",
            _text("Description", required=False, max_length=300),
            "" if new else link["description"],
        )
        if not new:
            self._add(names, f"{prefix}-remove", forms.BooleanField(label="Remove this link", required=False), False)
        return names

    def clean(self):
        data = super().clean()
        for p, page in enumerate(self.source["pages"]):
            anchors = {}
            keys = [f"p{p}-s{s}" for s in range(len(page["sections"]))] + [f"p{p}-snew"]
            for key in keys:
                if data.get(f"{key}-remove"):
                    continue
                body, heading = data.get(f"{key}-body", ""), data.get(f"{key}-heading", "")
                if key.endswith("snew") and not (body or heading):
                    continue
                if not body:
                    self.add_error(f"{key}-body", "Enter the section’s text, or tick “Remove this section”.")
                anchor = data.get(f"{key}-anchor") or (slugify(heading)[:100] if key.endswith("snew") else "")
                if anchor and anchor in anchors:
                    self.add_error(f"{key}-anchor", "Another section on this page has this anchor. Choose another.")
                anchors[anchor] = key
            for k in list(range(len(page["links"]))) + ["new"]:
                key = f"p{p}-l{k}"
                if f"{key}-title" not in self.fields or data.get(f"{key}-remove"):
                    continue
                title, url = data.get(f"{key}-title", ""), data.get(f"{key}-url", "")
                if k == "new" and not (title or url):
                    continue
                if not title:
                    self.add_error(f"{key}-title", "Enter the link text.")
                if not url and f"{key}-url" not in self.errors:
                    self.add_error(f"{key}-url", "Enter the link's address.")
        return data

    def _kept(self, children: list[dict], prefix: str, fields: list[str]) -> list[dict]:
        """A page's sections or links that the form keeps (not ticked to remove), with its values for `fields`."""
        kept = []
        for number, child in enumerate(children):
            key = f"{prefix}{number}"
            if not self.cleaned_data[f"{key}-remove"]:
                child.update({field: self.cleaned_data[f"{key}-{field}"] for field in fields})
                kept.append(child)
        return kept

    def content(self) -> dict:
        """The draft snapshot with this form's changes."""
        data = self.cleaned_data
        content = copy.deepcopy(self.source)
        for p, page in enumerate(content["pages"]):
            page["title"] = data[f"p{p}-title"]
            page["summary"] = data[f"p{p}-summary"]
            if f"p{p}-short_title" in data:
                page["short_title"] = data[f"p{p}-short_title"]
            sections = self._kept(page["sections"], f"p{p}-s", ["heading", "anchor", "body"])
            if data[f"p{p}-snew-body"]:
                sections.append(
                    {
                        "id": None,
                        "order": max([s["order"] for s in sections], default=0) + 1,
                        "heading": data[f"p{p}-snew-heading"],
                        "anchor": data[f"p{p}-snew-anchor"] or slugify(data[f"p{p}-snew-heading"])[:100],
                        "body": data[f"p{p}-snew-body"],
                        "read_more": None,
                        "read_more_label": "",
                    }
                )
            page["sections"] = sections
            links = self._kept(page["links"], f"p{p}-l", ["title", "url", "description"])
            if data.get(f"p{p}-lnew-title"):
                links.append(
                    {
                        "id": None,
                        "order": max([link["order"] for link in links], default=0) + 1,
                        "title": data[f"p{p}-lnew-title"],
                        "url": data[f"p{p}-lnew-url"],
                        "description": data[f"p{p}-lnew-description"],
                    }
                )
            page["links"] = links
        return content


class SubmitForm(forms.Form):
    change_summary = forms.CharField(
        label="What changed and why",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="For the clinical reviewer. If nothing needed changing, say what you checked.",
        error_messages={"required": "Say what changed and why."},
    )
    publish_at = forms.DateTimeField(
        label="Publish at (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        help_text="Leave empty to publish as soon as it is approved. UK time.",
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="What needs changing",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        error_messages={"required": "Say what needs changing."},
    )


class ApproveForm(forms.Form):
    role = forms.CharField(
        label="Your role",
        max_length=200,
        help_text="For example “Consultant neurologist”.",
        error_messages={"required": "Enter your role."},
    )
    sources_checked = forms.CharField(
        label="Sources checked",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="The guidance and evidence you checked the guide against, one a line.",
        error_messages={"required": "Enter the sources you checked."},
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 80})
    )


class CompareForm(forms.Form):
    old = forms.ModelChoiceField(label="Compare version", queryset=GuideRevision.objects.none())
    new = forms.ModelChoiceField(label="with version", queryset=GuideRevision.objects.none())

    def __init__(self, *args, guide, **kwargs):
        super().__init__(*args, **kwargs)
        versions = guide.revisions.published().defer("content").order_by("-number")
        for name in ("old", "new"):
            self.fields[name].queryset = versions
            self.fields[name].label_from_instance = lambda revision: (
                f"Version {revision.number}, published {revision.published_at:%d/%m/%Y %H:%M}"
            )
