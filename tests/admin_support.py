"""Helpers for tests that post admin forms as a browser would: what the page shows, changed."""

from html.parser import HTMLParser

from django.contrib.messages import get_messages


class _FormFields(HTMLParser):
    """Collect the values a browser would submit from the page's form fields."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self._select = None
        self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self._add(name, attrs.get("value", ""))
            elif "checked" in attrs:
                self._add(name, attrs.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea and self.data[self._textarea][-1].startswith("\n"):
                self.data[self._textarea][-1] = self.data[self._textarea][-1][1:]
            self._textarea = None


def form_data(client, url, **changes):
    """Return the POST data of the admin form at ``url`` as shown, with ``changes`` applied."""
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    data = {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    return {**data, **changes}


def error_messages(response):
    """Return the texts of the error messages that ``response`` carries."""
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
