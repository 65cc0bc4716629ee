"""The project's `nhsuk` crispy-forms template pack (templates/nhsuk/) and the error summary.

Each widget is rendered unbound, valid and invalid, and the NHS.UK 10.6.1 markup checked:
form group, label or legend, hint from help_text, error message with a hidden "Error:",
aria-describedby pointing at both, and what the reader typed kept after an error.
"""

import re

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Button, ButtonHolder, Fieldset, Layout, Submit
from django import forms
from django.template import Context, Template
from django.test.html import parse_html

CONTACT_CHOICES = [("email", "Email"), ("phone", "Phone")]
REGION_CHOICES = [("", "Choose a region"), ("north", "North"), ("south", "South")]
TOPIC_CHOICES = [("symptoms", "Symptoms"), ("treatment", "Treatment"), ("support", "Support groups")]


class StoryForm(forms.Form):
    name = forms.CharField(label="Your name", help_text="This is shown with your comment", max_length=20)
    email = forms.EmailField(label="Email address", required=False)
    story = forms.CharField(
        label="Your experience", widget=forms.Textarea, max_length=300, help_text="Do not include medical details"
    )
    notes = forms.CharField(label="Anything else", widget=forms.Textarea, required=False)
    region = forms.ChoiceField(
        label="Region", choices=[("", "Choose a region"), ("north", "North"), ("south", "South")]
    )
    contact = forms.ChoiceField(
        label="How should we contact you?", widget=forms.RadioSelect, choices=CONTACT_CHOICES, help_text="Select one"
    )
    topics = forms.MultipleChoiceField(
        label="What do you want to read about?",
        widget=forms.CheckboxSelectMultiple,
        choices=TOPIC_CHOICES,
        required=False,
    )
    agree = forms.BooleanField(label="I agree to the house rules", help_text="You can read them first")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") == "Nobody":
            raise forms.ValidationError("Tell us who you are or leave the name out")
        return cleaned


VALID = {
    "name": "Ann",
    "email": "ann@example.org",
    "story": "It started in my neck.",
    "region": "north",
    "contact": "phone",
    "topics": ["treatment", "support"],
    "agree": "on",
}

PAGE = Template("{% load crispy_forms_tags %}{% include 'components/error_summary.html' %}{{ form|crispy }}")


def render(form, template=PAGE, **context):
    return template.render(Context({"form": form, **context}))


def render_posted(data):
    """The form as a view shows it after a POST of `data`: bound and checked."""
    form = StoryForm(data)
    form.is_valid()
    return render(form)


def element(page, tag, element_id):
    """The opening tag of the element with this id, e.g. '<input ... id="id_name">'."""
    match = re.search(rf'<{tag}\b[^>]*\bid="{element_id}"[^>]*>', page)
    assert match, f"no <{tag} id={element_id}> in the page"
    return match.group(0)


def group(page, field_id):
    """The form group wrapping one field, from its opening tag to the next group."""
    start = page.index(f'id="div_{field_id}"')
    start = page.rindex("<div", 0, start)
    following = page.find('<div class="nhsuk-form-group', start + 1)
    return page[start : following if following != -1 else len(page)]


def test_valid_form_shows_no_errors_and_keeps_values():
    form = StoryForm(VALID)
    assert form.is_valid()

    page = render(form)

    assert "nhsuk-error-summary" not in page
    assert "nhsuk-error-message" not in page
    assert "--error" not in page
    assert 'value="Ann"' in element(page, "input", "id_name")
    assert "It started in my neck." in page
    assert "checked" in element(page, "input", "id_contact_1")
    assert "checked" not in element(page, "input", "id_contact_0")


def test_text_input_has_label_hint_and_describedby():
    page = render(StoryForm())

    name = group(page, "id_name")
    assert 'class="nhsuk-form-group"' in name
    assert parse_html('<label class="nhsuk-label" for="id_name">Your name</label>') in parse_html(name)
    assert parse_html(
        '<div class="nhsuk-hint" id="id_name_helptext">This is shown with your comment</div>'
    ) in parse_html(name)
    field = element(page, "input", "id_name")
    assert "nhsuk-input" in field
    assert 'aria-describedby="id_name_helptext"' in field
    assert 'type="email"' in element(page, "input", "id_email")


def test_invalid_text_input_shows_error_and_keeps_what_was_typed():
    form = StoryForm({**VALID, "name": "Ann <the long name>", "email": "not an address"})
    assert not form.is_valid()

    page = render(form)

    assert "nhsuk-form-group--error" not in group(page, "id_name")  # 19 characters is within the limit
    assert "nhsuk-form-group nhsuk-form-group--error" in group(page, "id_email")
    field = element(page, "input", "id_email")
    assert "nhsuk-input--error" in field
    assert 'value="not an address"' in field
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_email_error"' in field
    assert (
        '<span class="nhsuk-error-message" id="id_email_error"><span class="nhsuk-u-visually-hidden">Error: </span>'
        "Enter a valid email address.</span>" in page
    )


def test_error_message_comes_after_hint_and_both_are_described():
    page = render_posted({**VALID, "name": "A" * 21})

    name = group(page, "id_name")
    assert name.index("nhsuk-hint") < name.index("nhsuk-error-message") < name.index("<input")
    assert "Ensure this value has at most 20 characters (it has 21)." in name
    assert 'aria-describedby="id_name_helptext id_name_error"' in element(page, "input", "id_name")
    assert f'value="{"A" * 21}"' in element(page, "input", "id_name")


def test_textarea_with_max_length_gets_a_character_count_without_maxlength():
    page = render(StoryForm())

    story = group(page, "id_story")
    assert 'class="nhsuk-form-group nhsuk-character-count"' in story
    assert 'data-module="nhsuk-character-count"' in story
    assert 'data-maxlength="300"' in story
    textarea = element(page, "textarea", "id_story")
    assert "nhsuk-textarea nhsuk-js-character-count" in textarea
    assert "maxlength" not in textarea  # a pasted text is never cut short silently
    assert 'aria-describedby="id_story-info id_story_helptext"' in textarea
    assert parse_html(
        '<div class="nhsuk-hint nhsuk-character-count__message" id="id_story-info">'
        "You can enter up to 300 characters</div>"
    ) in parse_html(story)


def test_too_long_textarea_keeps_the_text_and_shows_the_error():
    long_story = "My neck turns to one side. " * 12
    form = StoryForm({**VALID, "story": long_story})
    assert not form.is_valid()

    page = render(form)

    story = group(page, "id_story")
    assert "nhsuk-form-group--error" in story
    assert f"Ensure this value has at most 300 characters (it has {len(long_story.strip())})." in story
    textarea = element(page, "textarea", "id_story")
    assert "nhsuk-textarea--error" in textarea
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="id_story-info id_story_helptext id_story_error"' in textarea
    assert long_story in story


def test_textarea_without_max_length_is_a_plain_textarea():
    page = render_posted({**VALID, "notes": "Thanks <3"})

    notes = group(page, "id_notes")
    assert "nhsuk-character-count" not in notes
    assert "nhsuk-textarea" in element(page, "textarea", "id_notes")
    assert "Thanks &lt;3</textarea>" in notes


def test_select_keeps_the_choice_and_shows_its_error():
    page = render_posted({**VALID, "region": ""})

    region = group(page, "id_region")
    assert "nhsuk-form-group--error" in region
    assert "nhsuk-select nhsuk-select--error" in element(page, "select", "id_region")
    assert "This field is required." in region

    page = render(StoryForm(VALID))
    assert '<option value="north" selected>North</option>' in page
    assert "nhsuk-select--error" not in page


def test_radios_are_a_fieldset_with_legend_hint_and_error():
    page = render_posted({**VALID, "contact": ""})

    contact = group(page, "id_contact")
    assert "nhsuk-form-group--error" in contact
    assert '<fieldset class="nhsuk-fieldset" aria-describedby="id_contact_helptext id_contact_error">' in contact
    assert parse_html(
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">How should we contact you?</legend>'
    ) in parse_html(contact)
    assert 'data-module="nhsuk-radios"' in contact
    assert parse_html(
        '<div class="nhsuk-radios__item">'
        '<input class="nhsuk-radios__input" id="id_contact_0" name="contact" type="radio" value="email">'
        '<label class="nhsuk-label nhsuk-radios__label" for="id_contact_0">Email</label></div>'
    ) in parse_html(contact)
    assert "Error: </span>This field is required." in contact


def test_checkboxes_keep_every_ticked_box():
    page = render_posted({**VALID, "name": ""})

    topics = group(page, "id_topics")
    assert "<fieldset" in topics
    assert 'data-module="nhsuk-checkboxes"' in topics
    assert "checked" not in element(page, "input", "id_topics_0")
    assert "checked" in element(page, "input", "id_topics_1")
    assert "checked" in element(page, "input", "id_topics_2")
    assert 'for="id_topics_2">Support groups</label>' in topics


def test_single_checkbox_shows_label_beside_the_box_and_its_error():
    page = render_posted({key: value for key, value in VALID.items() if key != "agree"})

    agree = group(page, "id_agree")
    assert "nhsuk-form-group--error" in agree
    assert agree.index("nhsuk-error-message") < agree.index("nhsuk-checkboxes")
    assert "nhsuk-checkboxes__input" in element(page, "input", "id_agree")
    assert 'for="id_agree">I agree to the house rules</label>' in agree
    assert 'class="nhsuk-hint nhsuk-checkboxes__hint" id="id_agree_helptext">You can read them first' in agree


def test_error_summary_links_each_error_to_its_input_in_field_order():
    form = StoryForm({"name": "Nobody", "email": "nope", "topics": ["treatment"]})
    assert not form.is_valid()

    page = render(form)

    summary = page[: page.index('<div class="nhsuk-form-group')]
    assert 'data-module="nhsuk-error-summary"' in summary
    assert '<h2 class="nhsuk-error-summary__heading">There is a problem</h2>' in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("id_email", "Enter a valid email address."),
        ("id_story", "This field is required."),
        ("id_region", "This field is required."),
        ("id_contact_0", "This field is required."),  # radios: the first radio
        ("id_agree", "This field is required."),
    ]
    assert "<li>Tell us who you are or leave the name out</li>" in summary  # form-wide, no link
    for target, _text in links:
        assert f'id="{target}"' in page  # every link lands on an input


def test_error_summary_renders_nothing_for_an_unbound_or_valid_form():
    assert "nhsuk-error-summary" not in render(StoryForm())
    assert "nhsuk-error-summary" not in render(StoryForm(VALID))


def test_hidden_field_is_plain_and_its_error_is_not_a_link():
    class HiddenForm(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput)

    form = HiddenForm({})
    form.is_valid()

    page = render(form)

    assert "<li>This field is required.</li>" in page
    assert 'href="#id_token"' not in page
    assert '<input type="hidden" name="token" id="id_token">' in page
    assert "nhsuk-form-group" not in page


def test_crispy_tag_renders_form_csrf_fieldset_and_nhsuk_buttons():
    form = StoryForm()
    form.helper = FormHelper()
    form.helper.form_action = "/comments/new/"
    form.helper.layout = Layout(
        Fieldset("About you", "name", "email"),
        "story",
        ButtonHolder(Submit("send", "Send comment"), Button("preview", "Preview")),
    )

    page = render(form, Template("{% load crispy_forms_tags %}{% crispy form %}"), csrf_token="a-token")

    assert '<form action="/comments/new/" method="post" novalidate>' in " ".join(page.split())
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="a-token">' in page
    assert parse_html(
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">About you</legend>'
    ) in parse_html(page)
    assert parse_html(
        '<button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="send" value="Send comment"'
        ' id="submit-id-send">Send comment</button>'
    ) in parse_html(page)
    assert 'class="nhsuk-button nhsuk-button--secondary"' in page
    assert 'class="nhsuk-button-group"' in page
    assert 'id="id_region"' not in page  # only the fields the layout names


def test_as_crispy_errors_and_as_crispy_field_use_the_pack():
    form = StoryForm({**VALID, "region": ""})
    form.is_valid()
    template = Template("{% load crispy_forms_tags %}{{ form|as_crispy_errors }}{{ form.region|as_crispy_field }}")

    page = render(form, template)

    assert '<a href="#id_region">This field is required.</a>' in page
    assert "nhsuk-form-group nhsuk-form-group--error" in page
    assert 'id="id_name"' not in page


@pytest.mark.parametrize("template_name", ["components/error_summary.html", "nhsuk/errors.html"])
def test_error_summary_can_be_given_another_form(template_name):
    template = Template(f"{{% include '{template_name}' with form=comment_form %}}")
    form = StoryForm({})
    form.is_valid()

    page = template.render(Context({"comment_form": form}))

    assert '<a href="#id_name">This field is required.</a>' in page
