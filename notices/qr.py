"""QR codes drawn as inline SVG (segno): no image file, nothing fetched, crisp at any size."""

import segno
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from voting.selectors import CANONICAL_LANGUAGE


def results_url(request, round):
    """Return the absolute URL of ``round``'s public results page, in the default language.

    A printed code is for every resident, whichever language the page printing it was in.
    """
    with translation.override(CANONICAL_LANGUAGE):
        path = reverse("voting:results", args=[round.pk])
    return request.build_absolute_uri(path)


def qr_code(url):
    """Return the segno QR code of ``url``, error correction M (survives a smudged poster)."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url, title=""):
    """Return the QR code of ``url`` as inline SVG markup, sized by the page's CSS."""
    svg = qr_code(url).svg_inline(
        omitsize=True, svgclass="qr-code", lineclass=None, title=title or None, border=4
    )
    return mark_safe(svg)
