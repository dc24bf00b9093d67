"""Printable documents (ballots, posters, notices, letters) rendered to PDF with WeasyPrint."""

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher


class StaticFilesFetcher(URLFetcher):
    """Fetch only files inside the project's static folders: no other file, never the network.

    A document is built from our templates and our vendored assets alone, so it renders the
    same offline and no text in it (a resident's title, say) can pull in /etc/passwd or a
    tracker, not even as an attachment.
    """

    def __init__(self):
        super().__init__(allowed_protocols=["file"])
        self.roots = [
            Path(root).resolve() for root in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]
        ]

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"Not a local static file: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"Not a static file of the project: {url}")
        return super().fetch(url, headers)


def render_pdf(template_name, context):
    """Return the PDF of ``template_name`` rendered with ``context``.

    Relative links resolve from the project folder (``static/favicon.svg``); only the
    project's static files can be read (``StaticFilesFetcher``).
    """
    html = render_to_string(template_name, context)
    document = HTML(
        string=html,
        base_url=settings.BASE_DIR.as_uri() + "/",
        url_fetcher=StaticFilesFetcher(),
    )
    return document.write_pdf()
