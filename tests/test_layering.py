"""Each app imports only the apps below it: rounds ← proposals ← voting, notices ← demo."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["rounds", "proposals", "voting", "notices", "demo"]
FORBIDDEN = {
    "rounds": {"proposals", "voting", "notices", "demo"},
    "proposals": {"voting", "notices", "demo"},
    "voting": {"notices", "demo"},
}


def imported_apps(path):
    """Return the project apps that the module at ``path`` imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(APPS)


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_none_of_the_apps_built_on_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & FORBIDDEN[app]
    }

    assert offending == {}
