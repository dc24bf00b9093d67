"""The large-text mode (大字版): a resident's choice for this browser, kept in a cookie."""

COOKIE = "weishishi_text_size"
LARGE = "large"
KEPT_FOR = 365 * 24 * 60 * 60  # a year, in seconds


def large_text(request):
    """Context processor: ``large_text`` is whether this browser asked for large text."""
    return {"large_text": request.COOKIES.get(COOKIE) == LARGE}
