from django import forms

from .models import Rating, RatingFeedback


class NHSRadioSelect(forms.RadioSelect):
    """Radios whose field id is the first radio's, so the error summary can link to it."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class HoneypotMixin(forms.Form):
    # Hidden from people by CSS and from screen readers; bots that fill every field fill it.
    website = forms.CharField(label="Leave this field empty", required=False)

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class RatingForm(HoneypotMixin, forms.Form):
    score = forms.TypedChoiceField(
        label="How helpful is this page?",
        choices=Rating.Score.choices,
        coerce=int,
        widget=NHSRadioSelect(attrs={"class": "nhsuk-radios__input"}),
        error_messages={
            "required": "Select how helpful this page is, from 1 to 5 stars",
            "invalid_choice": "Select a rating from 1 to 5 stars",
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rating-%s")
        super().__init__(*args, **kwargs)


class FeedbackForm(HoneypotMixin, forms.Form):
    reason = forms.ChoiceField(
        label="What was wrong with this page?",
        choices=RatingFeedback.Reason.choices,
        widget=NHSRadioSelect(attrs={"class": "nhsuk-radios__input"}),
        error_messages={
            "required": "Select what was wrong with this page",
            "invalid_choice": "Select what was wrong with this page",
        },
    )
    details = forms.CharField(
        label="Tell us more (optional)",
        help_text="Do not include personal details, such as your name, email address or medical history.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea nhsuk-js-character-count", "rows": 4}),
        error_messages={"max_length": "Details must be 500 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rating-feedback-%s")
        super().__init__(*args, **kwargs)
        # Let people type past the limit and be told, as the NHS.UK character count does.
        self.fields["details"].widget.attrs.pop("maxlength", None)

    def cleaned_data_for_service(self) -> dict:
        return {"reason": self.cleaned_data["reason"], "details": self.cleaned_data["details"]}
