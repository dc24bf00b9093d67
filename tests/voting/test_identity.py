"""Identity documents at the station: checking the number, and the keyed hash kept instead."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from rounds.models import Round
from tests.digits import ZEROS, in_script, script_name
from tests.factories import id_card_number
from voting.forms import VoterForm
from voting.identity import DocumentType, normalise_document, voter_key

KNOWN_VALID = "11010519491231002X"  # the sample number of GB 11643


def refusal(document_type, number):
    with pytest.raises(ValidationError) as refused:
        normalise_document(document_type, number)
    return " ".join(refused.value.messages)


def test_known_valid_id_card_is_accepted():
    assert normalise_document(DocumentType.ID_CARD, KNOWN_VALID) == KNOWN_VALID


@pytest.mark.parametrize(
    ("serial", "born", "region"),
    [
        (1, "19900101", "110105"),
        (27, "20000229", "440304"),
        (913, "19561108", "510107"),
        (2, "19000101", "320102"),
    ],
)
def test_id_card_with_computed_check_digit_is_accepted(serial, born, region):
    number = id_card_number(serial, born, region)

    assert normalise_document(DocumentType.ID_CARD, number) == number


@pytest.mark.parametrize("number", [id_card_number(serial) for serial in range(1, 12)])
def test_id_card_with_any_other_check_digit_is_refused(number):
    for wrong in set("0123456789X") - {number[-1]}:
        assert "身份证号码不正确" in refusal(DocumentType.ID_CARD, number[:-1] + wrong)


@pytest.mark.parametrize(
    "born", ["19490231", "19491301", "19490001", "20230229", "18991231", "20991231"]
)
def test_id_card_with_impossible_birth_date_is_refused(born):
    assert "身份证号码不正确" in refusal(DocumentType.ID_CARD, id_card_number(born=born))


@pytest.mark.parametrize(
    "number",
    [KNOWN_VALID[:-1], KNOWN_VALID + "1", "110105491231002", "", "1101051949123100XX"],
)
def test_id_card_of_wrong_length_or_shape_is_refused(number):
    assert "18位" in refusal(DocumentType.ID_CARD, number)


def test_id_card_with_spaces_and_lower_case_x_is_normalised():
    assert normalise_document(DocumentType.ID_CARD, " 110105 19491231 002x ") == KNOWN_VALID


@pytest.mark.parametrize(
    ("document_type", "number", "normalised"),
    [
        (DocumentType.HK_MACAO, "h1234 5678", "H12345678"),
        (DocumentType.HK_MACAO, "M1234567801", "M1234567801"),
        (DocumentType.TAIWAN, "1234 5678", "12345678"),
        (DocumentType.FOREIGN_PERMANENT, "usa123456789012", "USA123456789012"),
        (DocumentType.FOREIGN_PERMANENT, "93311519900101123x", "93311519900101123X"),
        (DocumentType.PASSPORT, "e1234 5678", "E12345678"),
    ],
)
def test_other_document_in_its_format_is_normalised(document_type, number, normalised):
    assert normalise_document(document_type, number) == normalised


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        (DocumentType.HK_MACAO, "C12345678"),
        (DocumentType.HK_MACAO, "H1234567"),
        (DocumentType.TAIWAN, "1234567"),
        (DocumentType.TAIWAN, "T1234567"),
        (DocumentType.FOREIGN_PERMANENT, "US1234567890123"),
        (DocumentType.PASSPORT, "E12"),
        (DocumentType.PASSPORT, "E1234567890123456789"),
    ],
)
def test_other_document_out_of_its_format_is_refused(document_type, number):
    assert "证件号码格式不正确" in refusal(document_type, number)


def test_unknown_document_type_is_refused():
    assert "请选择证件类型" in refusal("library_card", "12345678")


def test_voter_form_shows_the_id_card_refusal_in_chinese():
    form = VoterForm(
        {
            "relation": "lives",
            "document_type": DocumentType.ID_CARD,
            "document_number": KNOWN_VALID[:-1] + "1",
        }
    )

    assert not form.is_valid()
    assert "身份证号码不正确" in form.errors["document_number"][0]


def test_voter_form_normalises_the_number():
    form = VoterForm(
        {
            "relation": "works",
            "document_type": DocumentType.ID_CARD,
            "document_number": "110105-19491231-002x",
        }
    )

    assert form.is_valid()
    assert form.cleaned_data["document_number"] == KNOWN_VALID


def test_voter_key_is_the_same_for_the_same_person_written_differently():
    round = Round(pk=7)

    assert voter_key(round, DocumentType.ID_CARD, KNOWN_VALID) == voter_key(
        round, DocumentType.ID_CARD, "110105 19491231 002x"
    )


def test_voter_key_differs_per_round():
    assert voter_key(Round(pk=7), DocumentType.ID_CARD, KNOWN_VALID) != voter_key(
        Round(pk=8), DocumentType.ID_CARD, KNOWN_VALID
    )


def test_voter_key_differs_per_document():
    round = Round(pk=7)
    keys = {
        voter_key(round, DocumentType.ID_CARD, KNOWN_VALID),
        voter_key(round, DocumentType.ID_CARD, id_card_number(1)),
        voter_key(round, DocumentType.ID_CARD, id_card_number(2)),
        voter_key(round, DocumentType.TAIWAN, "12345678"),
        voter_key(round, DocumentType.PASSPORT, "12345678"),
    }

    assert len(keys) == 5


def test_voter_key_holds_no_part_of_the_number():
    key = voter_key(Round(pk=7), DocumentType.ID_CARD, KNOWN_VALID)
    pieces = {KNOWN_VALID[start : start + 4] for start in range(len(KNOWN_VALID) - 3)}

    assert len(key) == 64
    assert not any(piece.lower() in key for piece in pieces)


def test_voter_key_is_not_a_plain_hash_of_the_number():
    round = Round(pk=7)
    key = voter_key(round, DocumentType.ID_CARD, KNOWN_VALID)
    plain = [
        KNOWN_VALID,
        f"{round.pk}:{DocumentType.ID_CARD}:{KNOWN_VALID}",
        f"{round.pk}:{KNOWN_VALID}",
    ]

    assert key not in {hashlib.sha256(text.encode()).hexdigest() for text in plain}


def test_voter_key_depends_on_the_secret_key(settings):
    round = Round(pk=7)
    before = voter_key(round, DocumentType.ID_CARD, KNOWN_VALID)

    settings.VOTER_KEY = "another-secret-voter-key"

    assert voter_key(round, DocumentType.ID_CARD, KNOWN_VALID) != before


def test_voter_key_refuses_an_invalid_number():
    with pytest.raises(ValidationError):
        voter_key(Round(pk=7), DocumentType.ID_CARD, KNOWN_VALID[:-1] + "1")


@pytest.mark.parametrize("zero", ZEROS, ids=script_name)
def test_id_card_typed_in_any_digit_script_gets_the_ascii_voter_key(zero):
    round = Round(pk=7)
    number = id_card_number(5)

    assert voter_key(round, DocumentType.ID_CARD, in_script(number, zero)) == voter_key(
        round, DocumentType.ID_CARD, number
    )


@pytest.mark.parametrize("zero", ZEROS, ids=script_name)
def test_id_card_ending_in_x_typed_in_any_digit_script_is_normalised(zero):
    assert normalise_document(DocumentType.ID_CARD, in_script(KNOWN_VALID, zero)) == KNOWN_VALID


@pytest.mark.parametrize(
    "typed",
    [
        KNOWN_VALID,
        "１１０１０５１９４９１２３１００２Ｘ",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢ｘ",
    ],
    ids=["ascii", "full-width", "arabic-indic", "arabic-indic-full-width-x"],
)
def test_id_card_ending_in_x_gets_one_voter_key_however_typed(typed):
    round = Round(pk=7)

    assert voter_key(round, DocumentType.ID_CARD, typed) == voter_key(
        round, DocumentType.ID_CARD, KNOWN_VALID
    )


@pytest.mark.parametrize(
    ("document_type", "typed"),
    [
        (DocumentType.TAIWAN, "８７６５４３２１"),
        (DocumentType.TAIWAN, "8765432１"),
        (DocumentType.TAIWAN, "८७६५४३२१"),
        (DocumentType.HK_MACAO, "Ｈ１２３４５６７８"),
        (DocumentType.PASSPORT, "ｅ１２３４５６７８"),
    ],
)
def test_other_document_typed_in_other_digits_gets_the_ascii_voter_key(document_type, typed):
    plain = {DocumentType.TAIWAN: "87654321", DocumentType.HK_MACAO: "H12345678"}.get(
        document_type, "E12345678"
    )

    assert voter_key(Round(pk=7), document_type, typed) == voter_key(
        Round(pk=7), document_type, plain
    )


@pytest.mark.parametrize(
    ("document_type", "typed"),
    [
        (DocumentType.ID_CARD, KNOWN_VALID[:-1] + "Х"),  # Cyrillic Ha, not X
        (DocumentType.PASSPORT, "Е12345678"),  # Cyrillic Ie, not E
        (DocumentType.PASSPORT, "É12345678"),
        (DocumentType.TAIWAN, "一二三四五六七八"),
    ],
)
def test_document_with_letters_outside_ascii_is_refused(document_type, typed):
    with pytest.raises(ValidationError):
        normalise_document(document_type, typed)
