"""Read a rendered page's elements, their attributes and text, as a screen reader's tree starts."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Element:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parts = []

    @property
    def text(self):
        """The text inside the element, spaces run together."""
        return " ".join("".join(self.parts).split())

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []
        self.open = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs)
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        for element in self.open:
            element.parts.append(data)


def elements(html):
    """Return every element of ``html`` in document order."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def by_id(html):
    """Return {id: element} for the elements of ``html`` that have an id."""
    return {element.attrs["id"]: element for element in elements(html) if "id" in element.attrs}


def described_by(element, ids):
    """Return the text of what ``element``'s aria-describedby points at, in order."""
    return " ".join(ids[name].text for name in element.attrs.get("aria-describedby", "").split())
