"""Photos: check an upload is a real image, re-encode it (dropping metadata), sign its URL."""

import io

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 5
MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2000
URL_MAX_AGE = 60 * 60 * 24  # a signed photo link works for a day
_SALT = "weishishi.photo"

Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs


def validate_photos(uploads):
    """Raise ValidationError, in Chinese, unless ``uploads`` are at most five real images."""
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            _("最多上传%(max)d张照片,您选择了%(count)d张。")
            % {"max": MAX_PHOTOS, "count": len(uploads)}
        )
    for upload in uploads:
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("照片「%(name)s」太大了(%(size).1f MB),每张不能超过8 MB。")
                % {"name": upload.name, "size": upload.size / 1024 / 1024}
            )
        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise ValidationError(
                _("「%(name)s」不是可以识别的图片,请上传 JPG、PNG 等格式的照片。")
                % {"name": upload.name}
            ) from None
        finally:
            upload.seek(0)


def reencode(upload):
    """Return the upload as a fresh JPEG with no EXIF or other metadata, at most 2000 px a side."""
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
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
