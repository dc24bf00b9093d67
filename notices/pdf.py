"""Printable documents (ballots, posters, notices, letters) rendered to PDF with WeasyPrint."""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher


def render_pdf(template_name, context):
    """Return the PDF of ``template_name`` rendered with ``context``.

    Relative links resolve inside the project; only local files are read, never the network,
    so a document renders the same offline and cannot be made to fetch anything.
    """
    html = render_to_string(template_name, context)
    document = HTML(
        string=html,
        base_url=settings.BASE_DIR.as_uri() + "/",
        url_fetcher=URLFetcher(allowed_protocols=["file"]),
    )
    return document.write_pdf()
