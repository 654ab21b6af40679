"""Signed links of the request workflow: the confirmation link (single use) and the download
link of an access package (expiring). Imported by services, packages, emails and views; it
imports none of them, so the e-mails can be composed inside a service's transaction."""

from datetime import datetime

from django.core import signing
from django.urls import reverse
from django.utils import translation

from .models import AccessPackage, DataSubjectRequest

VERIFY_SALT = "requests_app.verify"
VERIFY_MAX_AGE = DataSubjectRequest.CONFIRMATION_WINDOW  # what the e-mail and page say
DOWNLOAD_SALT = "requests_app.download"


class TokenInvalid(Exception):
    pass


class TokenExpired(Exception):
    pass


class TokenUsed(Exception):
    pass


def verification_token(dsr: DataSubjectRequest) -> str:
    return signing.dumps({"r": dsr.pk, "ref": dsr.reference}, salt=VERIFY_SALT)


def request_for_token(token: str) -> DataSubjectRequest:
    """The request a verification link points at; raises TokenInvalid/Expired/Used."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    if not isinstance(payload, dict):
        raise TokenInvalid
    request_id, reference = payload.get("r"), payload.get("ref")
    if not isinstance(request_id, int) or not isinstance(reference, str):
        raise TokenInvalid
    dsr = DataSubjectRequest.objects.filter(pk=request_id, reference=reference).first()
    if dsr is None:
        raise TokenInvalid
    if dsr.verification_used_at is not None:
        raise TokenUsed
    return dsr


def package_token(package: AccessPackage) -> str:
    return signing.dumps({"p": package.pk, "n": package.stored_name[:8]}, salt=DOWNLOAD_SALT)


def package_download_path(package: AccessPackage) -> str:
    with translation.override(package.request.language):
        return reverse("requests:download", args=[package_token(package)])


def package_for_token(token: str, now: datetime) -> AccessPackage | None:
    """The live package a download link points at, or None (bad, expired or deleted)."""
    try:
        payload = signing.loads(token, salt=DOWNLOAD_SALT, max_age=AccessPackage.LIFETIME)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    package = AccessPackage.objects.live(now).filter(pk=payload.get("p")).first()
    if package is None or package.stored_name[:8] != payload.get("n"):
        return None
    return package
