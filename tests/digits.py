"""Every decimal digit script Python knows, to type the same number in each of them."""

import sys
import unicodedata

# The zero of each script: Unicode puts every script's digits 0–9 at consecutive code points.
ZEROS = [
    character
    for character in map(chr, range(sys.maxunicode + 1))
    if unicodedata.category(character) == "Nd" and unicodedata.decimal(character) == 0
]


def in_script(text, zero):
    """Return ``text`` with its ASCII digits written in the script whose zero is ``zero``."""
    return "".join(
        chr(ord(zero) + int(character)) if character in "0123456789" else character
        for character in text
    )


def script_name(zero):
    return unicodedata.name(zero)
