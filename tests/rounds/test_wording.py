"""Lists inside sentences read as each language writes them."""

from django.utils import translation

from rounds.wording import listing


def test_list_in_a_chinese_sentence_uses_the_enumeration_comma():
    with translation.override("zh-hans"):
        assert listing(["东区投票站", "西区投票站", 3]) == "东区投票站、西区投票站、3"


def test_list_in_an_english_sentence_uses_commas():
    with translation.override("en"):
        assert listing(["East station", "West station"]) == "East station, West station"
