"""Proposal photos: re-encoded without metadata, stored privately, served only by signed link."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from proposals.models import Photo
from proposals.photos import photo_url
from tests.factories import image_bytes, image_upload
from tests.proposals.test_form import PHONE, assert_refused, form_data, form_url

pytestmark = pytest.mark.django_db

MAKE, MODEL, ARTIST, GPS_INFO, ORIENTATION = 0x010F, 0x0110, 0x013B, 0x8825, 0x0112


def camera_exif(orientation=None):
    """Return EXIF as a phone camera writes it: maker, owner and where the picture was taken."""
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[MODEL] = "EOS 5D"
    exif[ARTIST] = "Wang Xiaoming"
    exif.get_ifd(GPS_INFO).update({1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 9.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif.tobytes()


def submit(client, round, compound, upload):
    client.post(form_url(round), form_data(compound, photos=[upload]))
    return Photo.objects.get()


def stored_image(photo):
    with photo.image.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
        return image


def test_uploaded_picture_really_carries_exif():
    image = Image.open(io.BytesIO(image_bytes(exif=camera_exif())))

    assert image.getexif()[MAKE] == "Canon"
    assert image.getexif().get_ifd(GPS_INFO)[1] == "N"


def test_stored_photo_has_no_exif(client, round, compound):
    photo = submit(client, round, compound, image_upload(exif=camera_exif()))

    image = stored_image(photo)
    assert not image.getexif()
    assert "exif" not in image.info


def test_photo_is_stored_as_a_fresh_jpeg(client, round, compound):
    photo = submit(client, round, compound, image_upload("photo.png", format="PNG", size=(80, 60)))

    image = stored_image(photo)
    assert image.format == "JPEG"
    assert photo.image.name.startswith("private/photos/") and photo.image.name.endswith(".jpg")
    assert (photo.width, photo.height) == image.size == (80, 60)


def test_photo_taken_sideways_is_stored_upright(client, round, compound):
    sideways = image_upload(size=(64, 48), exif=camera_exif(orientation=6))

    photo = submit(client, round, compound, sideways)

    assert stored_image(photo).size == (48, 64)


def test_huge_photo_is_scaled_down_to_2000_pixels(client, round, compound):
    photo = submit(client, round, compound, image_upload(size=(4000, 1000)))

    assert stored_image(photo).size == (2000, 500)


def test_photo_is_served_through_its_signed_link(client, round, compound):
    photo = submit(client, round, compound, image_upload())

    response = client.get(photo_url(photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    with photo.image.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_status_page_shows_the_photo_by_its_signed_link(client, round, compound):
    submit(client, round, compound, image_upload())

    page = client.post(
        reverse("proposals:status"), {"tracking_code": "WS-2026-0001", "phone": PHONE}
    ).content.decode()

    link = re.search(r'<img src="(/photos/[^"]+/)"', page).group(1)
    assert client.get(link).status_code == 200


def test_tampered_photo_link_is_not_found(client, round, compound):
    photo = submit(client, round, compound, image_upload())
    url = photo_url(photo)
    tampered = url[:-2] + ("A" if url[-2] != "A" else "B") + "/"

    assert client.get(tampered).status_code == 404


def test_link_naming_another_photo_without_a_signature_is_not_found(client, round, compound):
    photo = submit(client, round, compound, image_upload())

    assert client.get(reverse("proposals:photo", args=[str(photo.pk)])).status_code == 404


def test_stored_file_has_no_public_address(client, round, compound):
    photo = submit(client, round, compound, image_upload())

    assert client.get(f"/media/{photo.image.name}").status_code == 404
    assert client.get(f"/{photo.image.name}").status_code == 404


def test_upload_named_like_a_path_is_stored_under_a_random_name(client, round, compound):
    upload = SimpleUploadedFile("../../evil.jpg", image_bytes(), content_type="image/jpeg")

    photo = submit(client, round, compound, upload)

    assert re.fullmatch(r"private/photos/[0-9a-f]{32}\.jpg", photo.image.name)


def picture_upload(name, format, size=(64, 48), mode="RGB", padding=0):
    """Return an upload of a picture made in memory; ``padding`` bytes follow the picture."""
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=format)
    content = buffer.getvalue() + b"\0" * padding
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "format"),
    [("photo.jpg", "JPEG"), ("shot.png", "PNG"), ("photo.webp", "WEBP"), ("IMG_0001.heic", "HEIF")],
)
def test_phone_picture_formats_are_accepted(client, round, compound, name, format):
    photo = submit(client, round, compound, picture_upload(name, format))

    assert stored_image(photo).format == "JPEG"


@pytest.mark.parametrize(("format", "label"), [("EPS", "EPS"), ("GIF", "GIF"), ("TIFF", "TIFF")])
def test_other_picture_formats_are_refused_by_their_content(
    client, round, compound, format, label
):
    upload = picture_upload("photo.jpg", format, mode="L")

    response = client.post(form_url(round), form_data(compound, photos=[upload]))

    assert_refused(response, f"「photo.jpg」是{label}格式，请上传 JPG、PNG、WebP 或 HEIC 格式的照片")


@pytest.mark.parametrize("side", [8900, 12000])
def test_picture_of_more_than_50_megapixels_is_refused(client, round, compound, side):
    """8900×8900 is under Pillow's own refusal (twice MAX_IMAGE_PIXELS), 12000×12000 over it."""
    upload = picture_upload("huge.png", "PNG", size=(side, side), mode="1")

    response = client.post(form_url(round), form_data(compound, photos=[upload]))

    assert_refused(response, "照片「huge.png」超过5000万像素，请缩小后再上传")


def test_photos_of_more_than_20_mb_together_are_refused(client, round, compound):
    seven_mb = 7 * 1024 * 1024
    photos = [picture_upload(f"photo{n}.jpg", "JPEG", padding=seven_mb) for n in range(3)]

    response = client.post(form_url(round), form_data(compound, photos=photos))

    assert_refused(response, "所有照片加起来不能超过20 MB")
