"""What every browser test checks about a page: it fits a phone and nothing broke loading it."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A project title long enough to wrap on a phone.
LONG_TITLE = "更换小区主干道及南北两侧人行道的老旧路灯并加装节能感应装置"


def fits_phone_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def watch_for_problems(page):
    """Return a list that fills with script errors, CSP violations and failed requests."""
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A failed request is also logged as "Failed to load resource"; the response handler judges it.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(r.url)
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return problems
