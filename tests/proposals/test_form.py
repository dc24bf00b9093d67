"""The resident's proposal form, the receipt with its tracking code, and the status page."""

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from proposals.models import Photo, Proposal, Source, Status
from rounds.models import Stage
from tests.factories import CompoundFactory, image_upload, put_at
from tests.html_elements import by_id, described_by, elements

pytestmark = pytest.mark.django_db

NAME = "王小明"
PHONE = "13812345678"
TITLE = "加装单元门口休闲座椅"


def form_data(compound, **overrides):
    """Return what a resident types into the form; the photos go in ``photos``."""
    return {
        "proposer_name": NAME,
        "phone": PHONE,
        "relation": "lives",
        "organisation": "",
        "title": TITLE,
        "category": "construction",
        "compound": compound.pk,
        "location": "3栋单元门口",
        "description": "老人下楼后没有地方休息，建议加装两张座椅。",
        "beneficiaries": "3栋的老人",
        "estimated_cost": "3000",
        "consent": "on",
        **overrides,
    }


def form_url(round):
    return reverse("proposals:create", args=[round.pk])


def rendered_token(client, round):
    """Return the submission token the form page hands the browser."""
    page = client.get(form_url(round)).content.decode()
    return re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page).group(1)


def assert_refused(response, message, typed=(NAME, TITLE)):
    """The form came back with ``message`` and what was ``typed``, and nothing was saved."""
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    for value in typed:
        assert f'value="{value}"' in page
    assert not Proposal.objects.exists()
    assert not Photo.objects.exists()


def noise_png(side):
    """Return a random-noise PNG, which does not compress: about 3 bytes a pixel."""
    buffer = io.BytesIO()
    noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    noise.save(buffer, format="PNG", compress_level=0)
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


def test_form_explains_what_personal_data_is_for(client, round):
    page = client.get(form_url(round)).content.decode()

    assert "不会在任何公开页面显示" in page
    assert "不设户籍限制" in page


def test_valid_submission_creates_one_proposal_and_leads_to_its_receipt(client, round, compound):
    response = client.post(form_url(round), form_data(compound, photos=[image_upload()]))

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("proposals:receipt", args=[proposal.tracking_code])
    assert (proposal.title, proposal.phone, proposal.source, proposal.status) == (
        TITLE,
        PHONE,
        Source.ONLINE,
        Status.SUBMITTED,
    )
    assert proposal.photos.count() == 1


def test_receipt_shows_the_tracking_code_to_keep(client, round, compound):
    data = form_data(compound, photos=[image_upload()])

    response = client.post(form_url(round), data, follow=True)

    page = response.content.decode()
    assert "提议已收到" in page
    assert re.search(r'data-testid="tracking-code">WS-2026-0001<', page)
    assert TITLE in page


def test_receipt_is_shown_only_to_the_browser_that_submitted(client, round, compound):
    client.post(form_url(round), form_data(compound))

    other_browser = client.__class__()
    response = other_browser.get(reverse("proposals:receipt", args=["WS-2026-0001"]))

    assert response.status_code == 404


def test_form_as_rendered_with_its_submission_token_is_accepted(client, round, compound):
    token = rendered_token(client, round)

    response = client.post(form_url(round), form_data(compound, submission_token=token))

    assert response.status_code == 302
    assert Proposal.objects.get().title == TITLE


def test_status_page_shows_title_and_history_for_the_right_phone(client, round, compound):
    client.post(form_url(round), form_data(compound))

    page = client.post(
        reverse("proposals:status"), {"tracking_code": "ws-2026-0001", "phone": PHONE}
    ).content.decode()

    assert TITLE in page
    assert "处理经过" in page
    assert str(Status.SUBMITTED.label) in page


def test_status_page_finds_the_proposal_with_the_phone_in_other_digits(client, round, compound):
    client.post(form_url(round), form_data(compound, phone="１３８１２３４５６７８"))

    page = client.post(
        reverse("proposals:status"), {"tracking_code": "WS-2026-0001", "phone": "١٣٨١٢٣٤٥٦٧٨"}
    ).content.decode()

    assert Proposal.objects.get().phone == PHONE
    assert TITLE in page


def test_status_page_shows_what_was_submitted(client, round, compound):
    client.post(form_url(round), form_data(compound, photos=[image_upload()]))

    page = client.post(
        reverse("proposals:status"), {"tracking_code": "WS-2026-0001", "phone": PHONE}
    ).content.decode()

    assert "您提交的内容" in page
    for typed in ["3栋单元门口", "老人下楼后没有地方休息", "3栋的老人", "3,000 元", compound.name]:
        assert typed in page
    assert page.count('class="photo-thumb') == 1


def test_cost_far_above_the_cap_is_accepted_with_a_warning(client, round, compound):
    response = client.post(
        form_url(round), form_data(compound, estimated_cost="900000"), follow=True
    )

    page = response.content.decode()
    assert Proposal.objects.get().estimated_cost == 900000
    assert "您估算的费用 900,000 元超过了本轮单个项目预算限额 50,000 元" in page


def test_cost_within_the_cap_gets_no_warning(client, round, compound):
    page = client.post(form_url(round), form_data(compound), follow=True).content.decode()

    assert "提议已收到" in page
    assert "cost-warning" not in page


def test_status_page_with_a_wrong_phone_says_they_do_not_match(client, round, compound):
    client.post(form_url(round), form_data(compound))

    page = client.post(
        reverse("proposals:status"), {"tracking_code": "WS-2026-0001", "phone": "13900000000"}
    ).content.decode()

    assert "不匹配" in page
    assert TITLE not in page
    assert "处理经过" not in page


def test_invalid_mobile_is_refused_keeping_what_was_typed(client, round, compound):
    response = client.post(form_url(round), form_data(compound, phone="12345"))

    assert_refused(response, "请输入正确的11位手机号码")


@pytest.mark.parametrize("typed", ["138 1234 5678", "138-1234-5678", "+86 13812345678"])
def test_mobile_typed_with_spaces_or_country_code_is_stored_as_11_digits(
    client, round, compound, typed
):
    response = client.post(form_url(round), form_data(compound, phone=typed))

    assert response.status_code == 302
    assert Proposal.objects.get().phone == PHONE


def test_compound_outside_the_round_is_refused(client, round, compound):
    data = form_data(compound)
    data["compound"] = CompoundFactory().pk

    response = client.post(form_url(round), data)

    assert_refused(response, "请从列表中选择所在小区。")


def test_resident_who_works_in_the_community_may_propose(client, round, compound):
    client.post(form_url(round), form_data(compound, relation="works", organisation="龙西小学"))

    assert Proposal.objects.get().relation == "works"


def test_empty_required_field_is_refused_keeping_what_was_typed(client, round, compound):
    response = client.post(form_url(round), form_data(compound, location=""))

    assert_refused(response, "请填写具体位置。")
    assert "这个字段是必填项" not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("category", "", "请选择类别。"),
        ("relation", "", "请选择与社区的关系。"),
        ("phone", "", "请填写手机号码。"),
        ("estimated_cost", "30000000000", "估算费用太大了，请以元为单位填写"),
        ("estimated_cost", "3000.123", "估算费用最多精确到分"),
        ("estimated_cost", "三千", "请用数字填写估算费用（元）"),
    ],
)
def test_each_field_says_in_plain_chinese_what_is_wrong(
    client, round, compound, field, typed, message
):
    response = client.post(form_url(round), form_data(compound, **{field: typed}))

    assert_refused(response, message)
    page = response.content.decode()
    assert "这个字段是必填项" not in page and "确认" not in page


def test_script_in_the_title_is_refused_and_shown_back_as_text(client, round, compound):
    response = client.post(form_url(round), form_data(compound, title="<script>alert(1)</script>"))

    assert_refused(response, "请不要输入网页代码或脚本", typed=[NAME])
    page = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_script_in_the_description_is_refused_keeping_what_was_typed(client, round, compound):
    response = client.post(
        form_url(round), form_data(compound, description="很好<script>alert(1)</script>")
    )

    assert_refused(response, "请不要输入网页代码或脚本")


def test_file_that_is_not_a_picture_is_refused_whatever_its_name(client, round, compound):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")

    response = client.post(form_url(round), form_data(compound, photos=[fake]))

    assert_refused(response, "「photo.jpg」不是可以识别的图片")


def test_picture_over_8_mb_is_refused(client, round, compound):
    big = noise_png(1800)
    assert big.size > 8 * 1024 * 1024

    response = client.post(form_url(round), form_data(compound, photos=[big]))

    assert_refused(response, "每张不能超过8 MB")


def test_more_than_five_photos_are_refused(client, round, compound):
    photos = [image_upload(f"photo{n}.jpg") for n in range(6)]

    response = client.post(form_url(round), form_data(compound, photos=photos))

    assert_refused(response, "最多上传5张照片，您选择了6张")


def test_five_photos_are_accepted(client, round, compound):
    photos = [image_upload(f"photo{n}.jpg") for n in range(5)]

    client.post(form_url(round), form_data(compound, photos=photos))

    assert Proposal.objects.get().photos.count() == 5


def test_missing_consent_is_refused_keeping_what_was_typed(client, round, compound):
    data = form_data(compound)
    del data["consent"]

    response = client.post(form_url(round), data)

    assert_refused(response, "请阅读并同意个人信息说明后再提交")


def test_double_submit_saves_one_proposal_and_both_lead_to_the_same_receipt(
    client, round, compound
):
    data = form_data(compound, submission_token=rendered_token(client, round))

    first = client.post(form_url(round), data)
    second = client.post(form_url(round), data)

    assert Proposal.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("proposals:receipt", args=["WS-2026-0001"])


@pytest.mark.parametrize("stage", [Stage.PLAN, Stage.SCREENING])
def test_closed_form_explains_why_and_when_collection_runs(client, round, stage):
    put_at(round, stage)
    collection = round.planned_stages.get(stage=Stage.COLLECTION)

    page = client.get(form_url(round)).content.decode()

    assert "现在不能提交提议" in page
    assert f"项目征集时间：{collection.starts_on:%Y-%m-%d} 至 {collection.ends_on:%Y-%m-%d}" in page
    assert 'name="title"' not in page


@pytest.mark.parametrize("stage", [Stage.PLAN, Stage.SCREENING])
def test_closed_form_saves_nothing_when_posted(client, round, compound, stage):
    put_at(round, stage)

    response = client.post(form_url(round), form_data(compound, photos=[image_upload()]))

    assert "现在不能提交提议" in response.content.decode()
    assert not Proposal.objects.exists()
    assert not Photo.objects.exists()


def test_sixth_proposal_from_one_phone_in_a_day_is_refused(client, round, compound):
    for number in range(5):
        response = client.post(form_url(round), form_data(compound, title=f"第{number}条提议"))
        assert response.status_code == 302

    response = client.post(form_url(round), form_data(compound))

    page = response.content.decode()
    assert "同一手机号码每天最多提交5条提议" in page
    assert f'value="{TITLE}"' in page
    assert Proposal.objects.count() == 5


KEPT = re.compile(r'name="kept_photos" value="([^"]+)"')


def test_photo_is_kept_after_an_error_and_saved_on_resubmission(client, round, compound):
    first = client.post(form_url(round), form_data(compound, location="", photos=[image_upload()]))

    page = first.content.decode()
    assert "请填写具体位置。" in page
    assert "已保留您上传的1张照片" in page
    token = KEPT.search(page).group(1)

    second = client.post(form_url(round), form_data(compound, kept_photos=token))

    assert second.status_code == 302
    assert Proposal.objects.get().photos.count() == 1


def test_photo_chosen_again_replaces_the_kept_one(client, round, compound):
    first = client.post(form_url(round), form_data(compound, title="", photos=[image_upload()]))
    token = KEPT.search(first.content.decode()).group(1)

    client.post(
        form_url(round),
        form_data(compound, kept_photos=token, photos=[image_upload(), image_upload("b.jpg")]),
    )

    assert Proposal.objects.get().photos.count() == 2


def test_tampered_kept_photos_token_keeps_nothing(client, round, compound):
    first = client.post(form_url(round), form_data(compound, title="", photos=[image_upload()]))
    token = KEPT.search(first.content.decode()).group(1)

    client.post(form_url(round), form_data(compound, kept_photos=token[:-2] + "xx"))

    assert Proposal.objects.get().photos.count() == 0


def test_form_without_photos_that_comes_back_keeps_none(client, round, compound):
    page = client.post(form_url(round), form_data(compound, title="")).content.decode()

    assert "已保留" not in page
    assert not KEPT.search(page)


def test_same_proposal_sent_again_with_a_new_token_saves_one(client, round, compound):
    first, again = (
        client.post(
            form_url(round), form_data(compound, submission_token=rendered_token(client, round))
        )
        for _ in range(2)
    )

    assert Proposal.objects.count() == 1
    assert first["Location"] == again["Location"]


def test_another_proposal_from_the_same_phone_is_saved(client, round, compound):
    client.post(form_url(round), form_data(compound))
    client.post(form_url(round), form_data(compound, title="楼道加装扶手"))

    assert Proposal.objects.count() == 2


def test_residents_behind_the_proxy_do_not_share_one_hourly_limit(round, compound, settings):
    settings.TRUSTED_PROXIES = 1
    for number in range(21):
        Client().post(
            form_url(round),
            form_data(compound, phone=f"138{number:08d}", title=f"加装座椅{number}"),
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number + 1}",
        )

    assert Proposal.objects.count() == 21


def test_relation_left_empty_is_the_error_every_radio_is_described_by(client, round, compound):
    response = client.post(form_url(round), form_data(compound, relation=""))

    page = response.content.decode()
    ids = by_id(page)
    radios = [e for e in elements(page) if e.attrs.get("name") == "relation"]
    assert len(radios) == 3
    for radio in radios:
        assert radio.attrs["aria-invalid"] == "true"
        assert described_by(radio, ids) == "请选择与社区的关系。"
    group = next(
        e for e in elements(page) if e.tag == "fieldset" and e.attrs.get("role") == "radiogroup"
    )
    assert group.attrs["aria-invalid"] == "true"
    assert group.attrs["aria-describedby"] == radios[0].attrs["aria-describedby"]
    assert not Proposal.objects.exists()
