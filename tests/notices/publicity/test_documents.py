"""The 公示 as documents: the A4 notice and the A3 poster, by what they contain; the QR code."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from notices.qr import qr_svg
from rounds.wording import yuan
from tests.browser.support import ARTIFACTS

from ..test_pdfs import compact, compact_text, download, fonts, page_count

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]

# The size of the page in PostScript points (1/72 in): A4 210 × 297 mm, A3 297 × 420 mm.
A4 = (595, 842)
A3 = (842, 1191)


def notice_pdf(client, round):
    return download(client, reverse("notices:notice_pdf", args=[round.pk]))


def poster_pdf(client, round):
    return download(client, reverse("notices:notice_poster", args=[round.pk]))


def page_size(pdf):
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return int(float(box.width) + 0.5), int(float(box.height) + 0.5)


def results_url(round):
    return "http://testserver" + reverse("voting:results", args=[round.pk])


def test_notice_pdf_shows_the_title_the_projects_and_their_votes(client, round, published):
    text = compact_text(notice_pdf(client, round))

    assert compact(published.title) in text
    for project in published.projects:
        assert (
            compact(f"{project['rank']}{project['ref']}{project['title']}{project['votes']}")
            in text
        )
        assert compact(yuan(project["cost"])) in text
    assert "本轮共有4人投票，有效票4张。" in text
    assert compact(published.objection_phone) in text
    assert "龙西社区居民委员会" in text
    assert "扫码查看投票结果" in text


def test_notice_pdf_is_one_a4_page_for_three_projects_with_cjk_fonts_embedded(
    client, round, published
):
    pdf = notice_pdf(client, round)

    assert len(published.projects) == 3
    assert page_count(pdf) == 1
    assert page_size(pdf) == A4
    found = fonts(pdf)
    assert found and all(found.values())
    # the title and the body in the serif CJK face (subset prefix + name: ABCDEF+Noto-Serif-CJK-SC)
    serif = {name.split("+")[-1] for name in found if "Serif-CJK" in name}
    assert serif == {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"}


def test_poster_is_one_a3_page_with_the_projects(client, round, published):
    pdf = poster_pdf(client, round)

    assert page_count(pdf) == 1
    assert page_size(pdf) == A3
    text = compact_text(pdf)
    assert "公示" in text
    assert compact(published.projects[0]["title"]) in text
    found = fonts(pdf)
    assert found and all(found.values())


def test_qr_code_on_the_page_encodes_the_results_url(client, round, published):
    page = client.get(reverse("notices:notice", args=[round.pk])).content.decode()

    url = results_url(round)
    assert str(qr_svg(url, title="扫码查看投票结果")) in page


@pytest.mark.parametrize("which", ["notice", "poster"])
def test_qr_code_printed_on_the_pdf_decodes_to_the_results_url(
    client, round, published, tmp_path, which
):
    pdf = notice_pdf(client, round) if which == "notice" else poster_pdf(client, round)
    source = tmp_path / f"{which}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", source, tmp_path / which], check=True)
    pages = sorted(tmp_path.glob(f"{which}-*.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    for page in pages:
        shutil.copy(page, ARTIFACTS / f"publicity-{page.name}")
    png = pages[0]

    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", png], capture_output=True, text=True, check=True
    ).stdout.split()

    assert decoded == [results_url(round)]
