from django import forms

SEARCH_MAX_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search this site",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={"max_length": "Search for %(limit_value)d characters or fewer"},
    )

    def clean_q(self):
        # Collapse runs of spaces and drop control characters; they never help a search.
        text = "".join(ch for ch in self.cleaned_data["q"] if ch.isprintable() or ch.isspace())
        return " ".join(text.split())
