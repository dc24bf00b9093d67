"""Production settings: the deployment checklist passes and unsafe set-ups are refused."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/weishishi"),
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "weishishi.example.cn",
    "WEISHISHI_VOTER_KEY": "a-long-random-voter-key-kept-out-of-the-database",
    "PATH": os.environ["PATH"],
}


def manage(*args, **env):
    environment = {key: value for key, value in {**PRODUCTION, **env}.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sqlite_is_refused_when_debug_is_off():
    result = manage("check", DATABASE_URL=None)

    assert result.returncode != 0
    assert "SQLite is only for the quick start" in result.stderr


def test_missing_secret_key_is_refused_when_debug_is_off():
    result = manage("check", DJANGO_SECRET_KEY=None)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("debug", ["true", "1"])
def test_quick_start_runs_on_sqlite_with_debug(debug):
    result = manage("check", DATABASE_URL=None, DJANGO_SECRET_KEY=None, DJANGO_DEBUG=debug)

    assert result.returncode == 0, result.stderr
