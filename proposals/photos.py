"""Photos: check an upload is a real image, re-encode it (dropping metadata), sign its URL."""

import io
import warnings

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

MAX_PHOTOS = 5
MAX_BYTES = 8 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
# A phone's 48-megapixel picture fits; a decoded picture this large takes about 150 MB.
MAX_PIXELS = 50_000_000
# What phones take: JPEG, PNG screenshots, WebP, and HEIC on iPhones. Nothing that needs
# an outside program to decode (EPS needs Ghostscript) or that Pillow reads less carefully.
# (Pillow names a JPEG that holds several pictures, as many phones write, MPO.)
FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
MAX_SIDE = 2000
URL_MAX_AGE = 60 * 60 * 24  # a signed photo link works for a day
_SALT = "weishishi.photo"

register_heif_opener()
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # and Pillow refuses twice as many outright


def validate_photos(uploads):
    """Raise ValidationError, in Chinese, unless ``uploads`` are at most five real photos.

    Each must be JPEG, PNG, WebP or HEIC, judged by its content, and at most
    ``MAX_PIXELS`` large, judged by its header before anything is decoded.
    """
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            _("最多上传%(max)d张照片，您选择了%(count)d张。")
            % {"max": MAX_PHOTOS, "count": len(uploads)}
        )
    total = sum(upload.size for upload in uploads)
    if total > MAX_TOTAL_BYTES:
        raise ValidationError(
            _("照片合计%(size).1f MB，太大了：所有照片加起来不能超过%(max)d MB。")
            % {"size": total / 1024 / 1024, "max": MAX_TOTAL_BYTES // 1024 // 1024}
        )
    for upload in uploads:
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("照片「%(name)s」太大了（%(size).1f MB），每张不能超过8 MB。")
                % {"name": upload.name, "size": upload.size / 1024 / 1024}
            )
        try:
            _check_image(upload)
        finally:
            upload.seek(0)


def _check_image(upload):
    too_large = ValidationError(
        _("照片「%(name)s」超过%(max)d万像素，请缩小后再上传。")
        % {"name": upload.name, "max": MAX_PIXELS // 10_000}
    )
    try:
        # Pillow warns of a picture over MAX_PIXELS as it opens it; it is refused just below.
        with (
            warnings.catch_warnings(action="ignore", category=Image.DecompressionBombWarning),
            Image.open(upload) as image,
        ):
            if image.format not in FORMATS:
                raise ValidationError(
                    _("「%(name)s」是%(format)s格式，请上传 JPG、PNG、WebP 或 HEIC 格式的照片。")
                    % {"name": upload.name, "format": image.format}
                )
            if image.width * image.height > MAX_PIXELS:
                raise too_large
            image.verify()
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(
            _("「%(name)s」不是可以识别的图片，请上传 JPG、PNG 等格式的照片。")
            % {"name": upload.name}
        ) from None


def reencode(upload):
    """Return the upload as a fresh JPEG with no EXIF or other metadata, at most 2000 px a side."""
    with Image.open(upload) as image:
        # Decode a large picture once, without copies: a JPEG at a fraction of its size.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        ImageOps.exif_transpose(image, in_place=True)
        if image.mode != "RGB":
            image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85, optimize=True)
        return ContentFile(buffer.getvalue(), name="photo.jpg"), image.size


def photo_url(photo):
    """Return a link to ``photo`` that cannot be guessed and stops working after a day."""
    return reverse("proposals:photo", args=[signing.dumps(photo.pk, salt=_SALT)])


def photo_from_token(token):
    """Return the photo id a signed link names, or raise signing.BadSignature."""
    return signing.loads(token, salt=_SALT, max_age=URL_MAX_AGE)
