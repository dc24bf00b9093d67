"""The printable paper ballot and station poster: text, fonts, pages, pictures and who may print."""

import datetime
import io
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import quote

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from notices.pdf import render_pdf
from rounds.wording import yuan
from tests.browser.support import ARTIFACTS
from tests.factories import CommunityFactory, staff_user
from voting.models import BallotStation

from .conftest import library

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]


def ballot_url(station):
    return reverse("notices:station_ballot", args=[station.pk])


def poster_url(station):
    return reverse("notices:station_poster", args=[station.pk])


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def compact_text(pdf):
    """Return the text of every page of ``pdf`` with all white space removed."""
    return compact("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def compact(text):
    return re.sub(r"\s+", "", str(text))


def page_count(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)


def fonts(pdf):
    """Return {base font name: whether its program is embedded} over all pages of ``pdf``."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = described["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    return found


def png_pages(pdf, tmp_path, name):
    """Render ``pdf`` at 50 dpi with poppler; keep a copy of each page in test-artifacts."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", source, tmp_path / name], check=True)
    pages = sorted(tmp_path.glob(f"{name}-*.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    for page in pages:
        shutil.copy(page, ARTIFACTS / page.name)
    return pages


def dark_share(png):
    """Return the share of pixels of ``png`` that are dark, as ink on paper."""
    picture = Image.open(png).convert("L")
    dark = sum(picture.histogram()[:128])
    return dark / (picture.width * picture.height)


@pytest.fixture
def staff_client(client, round):
    client.force_login(staff_user("community", round.community))
    return client


def test_ballot_shows_the_round_every_item_and_the_instructions(staff_client, round, station):
    items = library(round, 8)

    text = compact_text(download(staff_client, ballot_url(station)))

    assert compact(round.title) in text
    for item in items:
        assert compact(f"{item.number}{item.title}") in text
        assert compact(yuan(item.cost)) in text
    assert "投票须知" in text
    assert "最多勾选3个项目" in text
    assert "选票编号" in text
    assert compact(station.name) in text
    assert "2026年6月8日至2026年6月14日" in text


def test_ballot_embeds_its_fonts_and_one_is_cjk(staff_client, round, station):
    library(round, 3)

    found = fonts(download(staff_client, ballot_url(station)))

    assert found and all(found.values())
    assert any("CJK" in name or "Noto" in name for name in found)


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (10, 1)])
def test_ballot_of_up_to_ten_items_fits_one_page(staff_client, round, station, count, pages):
    library(round, count)

    assert page_count(download(staff_client, ballot_url(station))) == pages


def test_ballot_of_forty_items_runs_over_pages_with_every_item(staff_client, round, station):
    items = library(round, 40)

    pdf = download(staff_client, ballot_url(station))

    assert 2 <= page_count(pdf) <= 5
    text = compact_text(pdf)
    assert all(compact(f"{item.number}{item.title}") in text for item in items)
    assert text.count("选票编号") == page_count(pdf)


def test_ballot_renders_to_a_picture_with_ink(staff_client, round, station, tmp_path):
    library(round, 10)

    pages = png_pages(download(staff_client, ballot_url(station)), tmp_path, "ballot")

    assert len(pages) == 1
    assert dark_share(pages[0]) > 0.01


def test_poster_tells_where_when_who_what_to_bring_and_how_money_goes(staff_client, round, station):
    items = library(round, 6)

    text = compact_text(download(staff_client, poster_url(station)))

    for fact in [round.title, station.name, station.address, "每天08:30–17:30", "共7天"]:
        assert compact(fact) in text
    assert "居住、工作或学习" in text
    assert "不论户籍" in text
    assert "只能投票一次" in text
    assert "居民身份证" in text
    for item in items:
        assert compact(f"{item.number}{item.title}") in text
        assert compact(yuan(item.cost)) in text
    assert compact(yuan(round.total_fund)) in text
    assert "按得票数从高到低排序" in text


def test_poster_lists_the_other_stations_of_the_round_with_where_and_when(
    staff_client, round, station
):
    library(round, 3)
    other = BallotStation.objects.create(
        round=round,
        name="龙西小学投票站",
        address="龙西路120号 小学门卫室旁",
        opens_on=datetime.date(2026, 6, 13),
        closes_on=datetime.date(2026, 6, 14),
        opens_at=datetime.time(9),
        closes_at=datetime.time(12),
    )

    text = compact_text(download(staff_client, poster_url(station)))

    assert "也可以到本社区其他投票站投票" in text
    for fact in [other.name, other.address, "2026年6月13日至2026年6月14日，每天09:00–12:00"]:
        assert compact(fact) in text


def test_poster_states_the_minimum_vote_share(staff_client, round, station):
    library(round, 2)
    round.min_vote_share = "0.1"
    round.save()

    assert "得票率不足10%的项目不入选" in compact_text(download(staff_client, poster_url(station)))


def test_poster_of_a_tablet_station_explains_the_tablet(staff_client, round, station):
    library(round, 2)
    station.mode = station.Mode.TABLET
    station.save()

    assert "平板电脑" in compact_text(download(staff_client, poster_url(station)))


def test_poster_embeds_a_cjk_font_and_renders_with_ink(staff_client, round, station, tmp_path):
    library(round, 10)

    pdf = download(staff_client, poster_url(station))
    pages = png_pages(pdf, tmp_path, "poster")

    found = fonts(pdf)
    assert all(found.values()) and any("CJK" in name for name in found)
    assert page_count(pdf) == 1
    assert dark_share(pages[0]) > 0.01


@pytest.mark.parametrize("url", [ballot_url, poster_url])
def test_pdf_is_inline_with_a_chinese_file_name(staff_client, round, station, url):
    library(round, 1)

    disposition = staff_client.get(url(station))["Content-Disposition"]

    assert disposition.lower().startswith("inline; filename*=utf-8''")
    assert quote(station.name) in disposition


@pytest.mark.parametrize("url", [ballot_url, poster_url])
def test_anonymous_is_sent_to_log_in(client, station, url):
    response = client.get(url(station))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("url", [ballot_url, poster_url])
def test_staff_of_another_community_gets_not_found(client, station, url):
    client.force_login(staff_user("community", CommunityFactory()))

    assert client.get(url(station)).status_code == 404


def test_signed_in_resident_gets_not_found(client, station, django_user_model):
    client.force_login(django_user_model.objects.create_user("resident", password="pw-res-123"))

    assert client.get(ballot_url(station)).status_code == 404


@pytest.mark.parametrize("url", [ballot_url, poster_url])
def test_officer_of_the_station_may_print(client, officer, station, url):
    client.force_login(officer)

    assert client.get(url(station)).status_code == 200


def test_street_staff_over_the_community_may_print(client, round, station):
    client.force_login(staff_user("street", round.community.street))

    assert client.get(poster_url(station)).status_code == 200


def test_superuser_may_print(client, superuser, station):
    client.force_login(superuser)

    assert client.get(ballot_url(station)).status_code == 200


def test_admin_station_page_links_to_both_printouts(client, superuser, station):
    client.force_login(superuser)

    page = client.get(
        reverse("admin:voting_ballotstation_change", args=[station.pk])
    ).content.decode()

    assert ballot_url(station) in page
    assert poster_url(station) in page


class CountingHandler(BaseHTTPRequestHandler):
    requests = 0

    def do_GET(self):
        type(self).requests += 1
        self.send_error(404)

    def log_message(self, *args):
        pass


def test_render_pdf_reads_project_files_but_never_the_network(settings, tmp_path):
    server = HTTPServer(("127.0.0.1", 0), CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "probe.html").write_text(
        '<img src="static/favicon.svg" width="40">'
        f'<img src="http://127.0.0.1:{server.server_port}/tracker.png" width="40">'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    try:
        pdf = render_pdf("probe.html", {})
    finally:
        server.shutdown()

    assert CountingHandler.requests == 0
    assert "/XObject" in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]


def test_render_pdf_reads_no_file_outside_the_static_folders(settings, tmp_path):
    Image.new("RGB", (8, 8), "red").save(tmp_path / "outside.png")
    (tmp_path / "probe.html").write_text(
        f'<img src="{(tmp_path / "outside.png").as_uri()}" width="40">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<a rel="attachment" href="file:///etc/passwd">passwd</a>'
        '<a rel="attachment" href="static/../config/settings/base.py">settings</a>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    reader = PdfReader(io.BytesIO(render_pdf("probe.html", {})))

    assert reader.attachments == {}
    assert not reader.pages[0]["/Resources"].get("/XObject")
