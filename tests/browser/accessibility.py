"""Every page a browser test opens is audited: WCAG 2.0/2.1 A and AA by axe-core, and more.

``audited_context`` opens a browser context whose pages run axe-core (vendored, never served
by the product) and ``audit.js`` as each page loads. On the pages residents, officers and
observers use, audit.js also checks reflow at 200% text on the test's screen, tap targets of
44×44 px and text of 14 px or more. A page state reached without loading a page (a folded
section opened) is audited with ``audit_now``. When the context closes, the test fails if
any page had a finding, or if a page was left before its audit finished.

The audit is injected as an init script through the DevTools protocol, which the product's
Content Security Policy does not govern, so the pages keep their CSP in the tests.
"""

import contextlib
import json
from pathlib import Path

import pytest
from playwright.sync_api import Error

HERE = Path(__file__).resolve().parent
AXE = (HERE / "vendor" / "axe-core" / "axe.min.js").read_text()
AUDIT = (HERE / "audit.js").read_text()


class Audits:
    """What the audits of one test session found, for the figures at its end."""

    def __init__(self):
        self.reports = []

    def summary(self):
        resident = [report for report in self.reports if report.get("resident")]
        return {
            "page states audited": len(self.reports),
            "of them resident, officer or public": len(resident),
            "findings": sum(len(report["findings"]) for report in self.reports),
            "smallest text (px)": min((r["smallestText"] for r in resident), default=None),
            "smallest tap target (px)": min((r["smallestTarget"] for r in resident), default=None),
        }


SESSION = Audits()


def _wait_for_audit(page):
    with contextlib.suppress(Error):  # the page was closed or is already loading the next one
        page.evaluate("() => window.__audit")  # undefined on a blank page: nothing to wait for


def audit_now(page):
    """Audit the page as it is now, e.g. after opening a folded section."""
    page.evaluate("() => window.__auditNow()")


def _waiting_before(page, name):
    """Make ``page.<name>`` (goto, go_back, reload) wait for the audit of the page it leaves."""
    original = getattr(page, name)

    def leave(*args, **kwargs):
        _wait_for_audit(page)
        return original(*args, **kwargs)

    setattr(page, name, leave)


@contextlib.contextmanager
def audited_context(browser, **options):
    """Yield a new browser context whose every page is audited; fail on any finding."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    reports, loads = [], []
    context.expose_binding("__auditReport", lambda source, report: reports.append(report))
    context.add_init_script(script=AXE)
    context.add_init_script(script=AUDIT)

    def watch(page):
        page.on("load", lambda loaded: loads.append(loaded.url))
        for name in ("goto", "go_back", "reload"):
            _waiting_before(page, name)

    context.on("page", watch)
    try:
        yield context
        for page in context.pages:
            _wait_for_audit(page)
    finally:
        context.close()
    SESSION.reports.extend(reports)
    faults = [report for report in reports if report["findings"]]
    audited = sum(1 for report in reports if report.get("label") != "now")
    if faults:
        pytest.fail("Accessibility faults:\n" + "\n".join(map(_describe, faults)), pytrace=False)
    if audited < len(loads):
        pytest.fail(f"{len(loads) - audited} of {len(loads)} pages were left before their audit")


def _describe(report):
    lines = [f"{report['title']} — {report['url']}"]
    for finding in report["findings"]:
        lines.append(f"  [{finding['rule']}] {finding['help']} ({finding['count']})")
        lines.extend(f"      {node}" for node in finding["nodes"])
    return "\n".join(lines)


def write_summary(path):
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(SESSION.summary(), ensure_ascii=False, indent=2))
    return SESSION.summary()
