"""A resident proposes a project on a phone, keeps the tracking code and follows it through screening."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from proposals.models import NegativeListReason, Proposal, Status
from proposals.services import proposal_screen
from rounds.models import Stage
from rounds.services import round_transition
from tests.browser.support import ARTIFACTS, fits_phone_width, watch_for_problems
from tests.factories import CommunityFactory, RoundFactory, complete_plan, put_at, staff_user

TRACKING_CODE = re.compile(r"WS-\d{4}-\d{4}")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TITLE = "在3栋楼下加装休闲座椅"
DESCRIPTION = "3栋楼下的小花园没有座椅，老人散步走累了只能站着休息。建议加装4张带靠背的休闲座椅。"
NOTE = "座椅放在某户私家庭院门口，只方便个别住户，不属于公共利益。"


@pytest.fixture
def jpeg(tmp_path):
    """A real photo from a resident's phone: a JPEG file, 800x600."""
    path = tmp_path / "座椅位置.jpg"
    image = Image.new("RGB", (800, 600), (70, 140, 90))
    image.paste((200, 170, 120), (250, 350, 550, 450))  # something like a bench on the grass
    image.save(path, format="JPEG", quality=90)
    return path


def fill_proposal(page, *, phone, compound, photo=None):
    page.get_by_label("提议人姓名").fill("王小明")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("在本社区居住").check()
    page.get_by_label("项目名称").fill(TITLE)
    page.get_by_label("类别").select_option(label="建设")
    page.get_by_label("所在小区").select_option(label=compound.name)
    page.get_by_label("具体位置").fill("3栋楼下小花园")
    page.get_by_label("要做什么、为什么").fill(DESCRIPTION)
    page.get_by_label("受益人群").fill("3栋、4栋的老人和带孩子的家长")
    if photo:
        page.get_by_label("照片").set_input_files(photo)
    page.get_by_role("checkbox", name=re.compile("我已阅读并同意")).check()


def look_up(page, live_server, code, phone):
    page.goto(live_server.url + "/proposals/status/")
    page.get_by_label("查询码").fill(code)
    page.get_by_label("提交时填写的手机号码").fill(phone)
    page.get_by_role("button", name="查询").tap()
    expect(page.get_by_role("heading", level=2)).to_have_text(TITLE)


def test_resident_proposes_on_phone_and_follows_it_through_screening(live_server, phone, jpeg):
    community = CommunityFactory()
    round = complete_plan(RoundFactory(community=community))
    staff = staff_user("community", community)
    round_transition(round=round, to=Stage.COLLECTION, actor=staff)
    compound = round.compounds.get()
    problems = watch_for_problems(phone)
    ARTIFACTS.mkdir(exist_ok=True)

    phone.goto(live_server.url + round.get_absolute_url())
    phone.get_by_role("link", name="我要提议").tap()

    expect(phone).to_have_url(live_server.url + f"/rounds/{round.pk}/propose/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("我要提议")
    assert fits_phone_width(phone)

    # A mistyped phone number: the form comes back in Chinese, with what was typed still there.
    fill_proposal(phone, phone="12345", compound=compound, photo=jpeg)
    phone.get_by_role("button", name="提交提议").tap()

    expect(phone.get_by_text("请输入正确的11位手机号码，例如 13812345678。")).to_be_visible()
    expect(phone.get_by_label("手机号码")).to_have_value("12345")
    expect(phone.get_by_label("项目名称")).to_have_value(TITLE)
    expect(phone.get_by_label("要做什么、为什么")).to_have_value(DESCRIPTION)
    expect(phone.get_by_label("在本社区居住")).to_be_checked()
    expect(phone.get_by_label("照片")).to_have_value("")  # a browser cannot refill a file input
    assert Proposal.objects.count() == 0
    assert fits_phone_width(phone)

    # The photo passed its checks: it is kept on the server, not chosen again.
    expect(phone.get_by_text("已保留您上传的1张照片，不用重新选择")).to_be_visible()
    fill_proposal(phone, phone="13812345678", compound=compound)
    assert fits_phone_width(phone)
    phone.screenshot(path=ARTIFACTS / "proposal-form-phone.png", full_page=True)
    phone.get_by_role("button", name="提交提议").tap()

    expect(phone).to_have_url(re.compile(r"/proposals/receipt/WS-\d{4}-\d{4}/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("提议已收到，谢谢您！")
    code = phone.get_by_test_id("tracking-code").inner_text().strip()
    assert TRACKING_CODE.fullmatch(code), code
    expect(phone.get_by_text(f"您的提议「{TITLE}」已提交")).to_be_visible()
    assert fits_phone_width(phone)
    phone.screenshot(path=ARTIFACTS / "proposal-receipt-phone.png", full_page=True)

    proposal = Proposal.objects.get(tracking_code=code)
    assert (proposal.proposer_name, proposal.phone, proposal.status) == (
        "王小明",
        "13812345678",
        Status.SUBMITTED,
    )
    assert proposal.photos.count() == 1

    # The status page, with the code and the phone number.
    phone.get_by_role("link", name="查询提议进度").tap()
    expect(phone).to_have_url(live_server.url + "/proposals/status/")
    phone.get_by_label("查询码").fill(code)
    phone.get_by_label("提交时填写的手机号码").fill("13812345678")
    phone.get_by_role("button", name="查询").tap()

    expect(phone.get_by_role("heading", level=2)).to_have_text(TITLE)
    status = phone.locator("p", has_text="当前状态").locator(".badge")
    expect(status).to_have_text("已提交，待筛选")
    photo = phone.get_by_role("img", name="提议照片")
    expect(photo).to_have_count(1)
    src = photo.get_attribute("src")
    assert src.startswith("/photos/") and "/media/" not in src, src
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 800
    assert fits_phone_width(phone)
    # The link is signed: a tampered one finds nothing.
    tampered = src.rstrip("/")[:-1] + ("A" if src.rstrip("/")[-1] != "A" else "B") + "/"
    assert phone.request.get(live_server.url + tampered).status == 404

    # Staff screen the proposal out under 七不入 reason 1.
    round_transition(round=round, to=Stage.SCREENING, actor=staff)
    reason = NegativeListReason.objects.get(number=1)
    proposal_screen(proposal=proposal, actor=staff, exclusions=[(reason, NOTE)])

    look_up(phone, live_server, code, "13812345678")

    expect(status).to_have_text("七不入筛选未通过")
    card = phone.get_by_role("region", name=TITLE)
    expect(card.get_by_text(f"{reason.title}：{NOTE}").first).to_be_visible()
    history = phone.locator(".proposal-history > li")
    expect(history).to_have_count(2)
    expect(history).to_contain_text(["已提交，待筛选", "七不入筛选未通过"])
    expect(history.nth(1)).to_contain_text(NOTE)
    assert fits_phone_width(phone)
    phone.screenshot(path=ARTIFACTS / "proposal-status-phone.png", full_page=True)

    assert problems == []


def test_back_and_submit_again_keeps_one_proposal(live_server, phone, jpeg):
    round = put_at(complete_plan(RoundFactory()), Stage.COLLECTION)
    compound = round.compounds.get()
    phone.goto(live_server.url + f"/rounds/{round.pk}/propose/")
    fill_proposal(phone, phone="13812345678", compound=compound, photo=jpeg)
    phone.get_by_role("button", name="提交提议").tap()
    code = phone.get_by_test_id("tracking-code").inner_text().strip()

    phone.go_back()
    expect(phone).to_have_url(live_server.url + f"/rounds/{round.pk}/propose/")
    fill_proposal(phone, phone="13812345678", compound=compound)
    phone.get_by_role("button", name="提交提议").tap()

    expect(phone.get_by_test_id("tracking-code")).to_have_text(code)
    assert Proposal.objects.count() == 1
