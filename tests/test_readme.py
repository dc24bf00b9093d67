"""The documented commands work as root and through sudo; the domain guide is in the repository."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def planned_commands(target, **variables):
    """Return what ``make`` would run for ``target``, without running it."""
    overrides = [f"{name}={value}" for name, value in variables.items()]
    return subprocess.run(
        ["make", "-n", target, *overrides], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_system_packages_as_root_runs_apt_get_without_sudo():
    commands = planned_commands("system-packages", USER_ID=0)

    assert "apt-get install" in commands
    assert "sudo" not in commands


def test_system_packages_as_a_user_runs_apt_get_through_sudo():
    lines = planned_commands("system-packages", USER_ID=1000).splitlines()

    assert all(line.startswith("sudo ") for line in lines if "apt-get" in line)


@pytest.mark.parametrize("target", ["run", "test"])
def test_readme_quick_start_commands_need_no_sudo_in_front(target):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert f"\nmake system-packages && make {target}\n" in readme
    assert not re.search(r"sudo make", readme)


def test_readme_points_at_the_domain_guide_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "(docs/domain.md)" in readme
    assert "../shared" not in readme
    assert "七不入" in (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
