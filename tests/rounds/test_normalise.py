"""Typed numbers in one canonical ASCII form: the phone numbers residents type."""

import pytest
from django.core.exceptions import ValidationError

from rounds.normalise import normalise_mobile
from tests.digits import ZEROS, in_script, script_name

PHONE = "13812345678"


@pytest.mark.parametrize("zero", ZEROS, ids=script_name)
def test_mobile_typed_in_any_digit_script_is_the_ascii_number(zero):
    assert normalise_mobile(in_script("+86 138-1234-5678", zero)) == PHONE


@pytest.mark.parametrize(
    "typed",
    ["１３８１２３４５６７８", "１３８　１２３４　５６７８", "＋８６　１３８１２３４５６７８"],
)
def test_mobile_typed_in_full_width_is_the_ascii_number(typed):
    assert normalise_mobile(typed) == PHONE


@pytest.mark.parametrize(
    "typed", ["1381234567８x", "13812345678٪", "一三八一二三四五六七八", "1381234567"]
)
def test_mobile_with_other_characters_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        normalise_mobile(typed)

    assert "11位手机号码" in refused.value.messages[0]
