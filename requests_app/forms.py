from datetime import date
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Field, Model
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import DataSubjectRequest, IdentityCheck
from .uploads import CheckedFile, inspect_id_copy


class RequestForm(forms.Form):
    """The public form. The ID copy is validated here, in memory; nothing is stored."""

    type = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=DataSubjectRequest.Type.choices,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send a link to this address to confirm the request."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    details = forms.CharField(
        label=_("Details"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For example which data, which period, or what should be corrected."),
    )
    id_copy = forms.FileField(
        label=_("Copy of your identity card (optional)"),
        required=False,
        help_text=_(
            "PDF, JPEG or PNG, at most 5 MB. We strongly advise you to make your passport photo "
            "invisible and to write on it that it is a copy. We delete it once your identity "
            "is confirmed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if any(ord(ch) < 32 for ch in name):
            raise forms.ValidationError(_("The name contains invalid characters."))
        return name

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789+()./- ")
        if phone and (not set(phone) <= allowed or sum(ch.isdigit() for ch in phone) < 6):
            raise forms.ValidationError(_("Enter a valid phone number."))
        return phone

    def clean_id_copy(self) -> CheckedFile | None:
        upload = self.cleaned_data.get("id_copy")
        if not upload:
            return None
        return inspect_id_copy(upload)

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        label=_("assignee"),
    )


class IdentityCheckForm(forms.Form):
    method = forms.ChoiceField(choices=IdentityCheck.Method.choices, label=_("How"))
    outcome = forms.ChoiceField(choices=IdentityCheck.Outcome.choices, label=_("Outcome"))
    note = forms.CharField(
        max_length=500,
        required=False,
        label=_("Note (no copy of ID numbers)"),
    )


class ExtendForm(forms.Form):
    extended_until = forms.DateField(
        label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason (sent to the subject)"), widget=forms.Textarea, max_length=2000
    )

    def __init__(self, *args, latest: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest = latest
        self.fields["extended_until"].help_text = _("At the latest %(date)s.") % {
            "date": latest.isoformat()
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the subject)"), widget=forms.Textarea, max_length=4000
    )


class CompleteForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (value, label)
            for value, label in DataSubjectRequest.Decision.choices
            if value != DataSubjectRequest.Decision.REFUSED
        ],
        label=_("decision"),
    )
    answer = forms.CharField(
        label=_("Answer (sent to the subject)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=8000,
        required=False,
        help_text=_(
            "Only the body: the greeting, the download links, the paragraph on the right to "
            "complain and the signature are added automatically (see the preview)."
        ),
    )

    def clean_answer(self) -> str:
        answer = self.cleaned_data["answer"].strip()
        if answer and _has_greeting_or_signature(answer):
            raise forms.ValidationError(
                _(
                    "Leave out the greeting and the signature: they are added automatically, "
                    "in the subject's language."
                )
            )
        return answer


def _greetings_and_closings() -> tuple[list[str], list[str]]:
    """The e-mail's own greeting and closing words in every language, from the catalogues."""
    greetings, closings = [], []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            greetings.append(gettext("Dear %(name)s,").split("%(name)s")[0].strip().lower())
            closings.append(gettext("Kind regards,").rstrip(",").strip().lower())
    return greetings, closings


def _has_greeting_or_signature(text: str) -> bool:
    greetings, closings = _greetings_and_closings()
    first = text.splitlines()[0].strip().lower()
    lowered = text.lower()
    return any(first.startswith(word) for word in greetings if word) or any(
        closing in lowered for closing in closings if closing
    )


class SearchForm(forms.Form):
    email = forms.CharField(required=False, max_length=254, label=_("E-mail"))
    phone = forms.CharField(required=False, max_length=40, label=_("Phone"))
    name = forms.CharField(required=False, max_length=200, label=_("Name"))
    vat_or_kbo = forms.CharField(required=False, max_length=30, label=_("VAT or KBO number"))


def rectify_form_class(model: type[Model], fields: tuple[str, ...]) -> type[forms.Form]:
    """Rectification (Art. 16) of a confirmed record: one optional field per field staff may
    correct (labels and limits from the model); only the fields staff fill in change."""
    form_fields = {
        name: cast(Field, model._meta.get_field(name)).formfield(required=False) for name in fields
    }
    return type(f"Rectify{model.__name__}Form", (forms.Form,), form_fields)


class IdentityDoubtForm(forms.Form):
    """Art. 12(6): the clock pauses only with a reason and the information asked."""

    doubt = forms.CharField(
        label=_("Why is the identity in doubt?"), widget=forms.Textarea, max_length=2000
    )
    information = forms.CharField(
        label=_("Which information was asked, how and when?"),
        widget=forms.Textarea,
        max_length=2000,
    )


class EnterRequestForm(forms.Form):
    """A request received by e-mail, post, phone, in person or from a client controller."""

    channel = forms.ChoiceField(
        label=_("received through"),
        choices=[
            choice
            for choice in DataSubjectRequest.Channel.choices
            if choice[0] != DataSubjectRequest.Channel.WEB_FORM
        ],
    )
    received_at = forms.SplitDateTimeField(
        label=_("received at"),
        help_text=_("When the letter, e-mail or call reached C-DOT: the month runs from then."),
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date"}, time_attrs={"type": "time"}, time_format="%H:%M"
        ),
    )
    type = forms.ChoiceField(label=_("request type"), choices=DataSubjectRequest.Type.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    email = forms.EmailField(label=_("e-mail address"), max_length=254, required=False)
    postal_address = forms.CharField(
        label=_("postal address"), max_length=500, required=False, widget=forms.Textarea
    )
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)
    details = forms.CharField(
        label=_("details"), max_length=5000, required=False, widget=forms.Textarea
    )
    forwarded_by = forms.CharField(
        label=_("forwarded by (client controller)"), max_length=200, required=False
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if any(ord(ch) < 32 for ch in name):
            raise forms.ValidationError(_("The name contains invalid characters."))
        return name

    def clean_received_at(self):
        moment = self.cleaned_data["received_at"]
        if moment > timezone.now():
            raise forms.ValidationError(_("The moment of receipt cannot be in the future."))
        return moment

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        if (
            channel == DataSubjectRequest.Channel.CLIENT_CONTROLLER
            and not data.get("forwarded_by", "").strip()
        ):
            self.add_error("forwarded_by", _("Name the client controller who forwarded it."))
        if not (data.get("email") or data.get("postal_address", "").strip() or data.get("phone")):
            raise forms.ValidationError(
                _("Give an e-mail address, a postal address or a phone number to answer to.")
            )
        return data
