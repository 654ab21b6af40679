from datetime import date

from django import forms
from django.contrib.auth import get_user_model
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
        widget=forms.Textarea,
        max_length=8000,
        required=False,
    )


class SearchForm(forms.Form):
    email = forms.CharField(required=False, max_length=254, label=_("E-mail"))
    phone = forms.CharField(required=False, max_length=40, label=_("Phone"))
    name = forms.CharField(required=False, max_length=200, label=_("Name"))
    vat_or_kbo = forms.CharField(required=False, max_length=30, label=_("VAT or KBO number"))


class RectifyForm(forms.Form):
    """Rectification (Art. 16) of a confirmed contact: only the fields staff fill in change."""

    first_name = forms.CharField(required=False, max_length=200)
    last_name = forms.CharField(required=False, max_length=200)
    company = forms.CharField(required=False, max_length=200)
    street = forms.CharField(required=False, max_length=200)
    postal_code = forms.CharField(required=False, max_length=20)
    city = forms.CharField(required=False, max_length=100)
    phone = forms.CharField(required=False, max_length=40)
    mobile = forms.CharField(required=False, max_length=40)
    email = forms.EmailField(required=False)
