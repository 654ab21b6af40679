"""ID-copy uploads: checked by content, images re-encoded, stored under a random name.

Nothing is written before the whole form is valid: `inspect_id_copy` works in memory and
returns the bytes to store; `store_private_file` writes them atomically (temp file + rename).
"""

import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_ID_COPY_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before decoding

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str


def _sniff(head: bytes) -> str | None:
    if head.startswith(PDF_MAGIC):
        return "application/pdf"
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    return None


def _reencode(raw: bytes, content_type: str) -> bytes:
    """Decode and save the pixels again: EXIF, GPS, comments and trailing data are dropped."""
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The image is too large."), code="too_many_pixels")
            image.load()
            pixels = image.convert("RGB") if content_type == "image/jpeg" else image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("The image could not be read. Upload a PDF, JPEG or PNG file."), code="unreadable"
        ) from None
    if content_type == "image/png" and pixels.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
        pixels = pixels.convert("RGBA")
    out = io.BytesIO()
    if content_type == "image/jpeg":
        pixels.save(out, format="JPEG", quality=90)
    else:
        pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


def inspect_id_copy(upload: UploadedFile) -> CheckedFile:
    """Validate an uploaded ID copy by size and content (never by name or declared type)."""
    if upload.size is None or upload.size > MAX_ID_COPY_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."), code="too_large")
    upload.seek(0)
    raw = upload.read(MAX_ID_COPY_BYTES + 1)
    if len(raw) > MAX_ID_COPY_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."), code="too_large")
    content_type = _sniff(raw[:16])
    if content_type is None:
        raise ValidationError(_("Only PDF, JPEG or PNG files are accepted."), code="wrong_type")
    if content_type == "application/pdf":
        if b"%%EOF" not in raw[-2048:]:
            raise ValidationError(_("The PDF file is damaged or incomplete."), code="bad_pdf")
        return CheckedFile(raw, content_type, "pdf")
    content = _reencode(raw, content_type)
    return CheckedFile(content, content_type, "jpg" if content_type == "image/jpeg" else "png")


def random_name(extension: str) -> str:
    return f"{secrets.token_urlsafe(24)}.{extension}"


def store_private_file(directory: Path, name: str, content: bytes) -> Path:
    """Write `content` to directory/name (mode 0600) atomically; callers remove it on failure."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / name
    temporary = directory / f".{name}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
