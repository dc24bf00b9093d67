"""Chinese text uses full-width punctuation: in Python strings, templates and the catalogue."""

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["config", "rounds", "proposals", "voting", "notices", "demo", "templates", "tests"]
HAN = "\u4e00-\u9fff"
CHINESE = f"\u3000-\u303f{HAN}\uff01-\uff5e"
# An ASCII mark with Chinese on either side, a bracket opened after or closed before Chinese,
# or curly quotes (Chinese text quotes with 「」).
ASCII_BESIDE_CHINESE = re.compile(
    rf"[{CHINESE}][,:;!?]|[,:;!?][{CHINESE}]|[{HAN}](?<!%)\((?!\w+\)[sd])|[{HAN}]\)"
    rf"|[{HAN}][“”]|[“”][{HAN}]"
    # a mark beside a placeholder in a Chinese message: "%(a)s:%(b)s"
    r"|\)[sd][,:;](?!\d)|(?<![\w\d])[,:;]%\("
)
# This file, whose examples are the faults it looks for, and Pabulib test data, whose project
# names carry the format's own separator on purpose.
DATA_FILES = {
    "tests/test_typography.py",
    "tests/voting/test_pabulib.py",
    "tests/voting/test_tally_command.py",
}


def python_strings(path):
    """Return the string literals of a module that are mostly Chinese, with their line numbers."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    for token in tokens:
        if token.type not in (tokenize.STRING, tokenize.FSTRING_MIDDLE):
            continue
        text = token.string
        # placeholders, paths and user names do not make a string English
        words = re.sub(r"%\(\w+\)[sd]|\{[^}]*\}|\S*/\S*|[a-z]+\d+", "", text)
        letters = len(re.findall(r"[A-Za-z]", words))
        if len(re.findall(rf"[{HAN}]", text)) >= max(letters, 1):
            yield token.start[0], text


def template_text(path):
    """Return a template's lines with the insides of tags dropped, but translated strings kept."""
    source = path.read_text()

    def keep_strings(match):
        return (
            " ".join(re.findall(r'"([^"]*)"', match.group(0))) if "trans" in match.group(0) else " "
        )

    return re.sub(r"\{%.*?%\}|\{\{.*?\}\}", keep_strings, source).splitlines()


def faults():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in DATA_FILES or not path.is_file():
                continue
            if path.suffix == ".py":
                lines = python_strings(path)
            elif path.suffix in {".html", ".txt"}:
                lines = enumerate(template_text(path), start=1)
            else:
                continue
            for number, text in lines:
                if ASCII_BESIDE_CHINESE.search(text):
                    yield f"{relative}:{number}: {text.strip()[:80]}"
    catalogue = ROOT / "locale/en/LC_MESSAGES/django.po"
    in_msgid = False
    for number, line in enumerate(catalogue.read_text().splitlines(), start=1):
        if line.startswith(("msgid", "msgstr", "msgctxt", "#")):
            in_msgid = line.startswith("msgid")
        if in_msgid and ASCII_BESIDE_CHINESE.search(line):
            yield f"{catalogue.relative_to(ROOT)}:{number}: {line[:80]}"


def test_chinese_text_uses_full_width_punctuation():
    assert list(faults()) == []


@pytest.mark.parametrize(
    "text",
    [
        "宣传发动,方案共定",
        "计划:2025",
        "资金额度(元)",
        "对照“七不入”",
        "好!",
        "「blank:」",
        "于%(a)s:%(b)s",
    ],
)
def test_ascii_punctuation_beside_chinese_is_found(text):
    assert ASCII_BESIDE_CHINESE.search(text)


@pytest.mark.parametrize(
    "text", ["宣传发动，方案共定", "%(count)d条", "a, b", "08:00", "王**", "put a “√”"]
)
def test_full_width_and_ascii_only_text_pass(text):
    assert not ASCII_BESIDE_CHINESE.search(text)
