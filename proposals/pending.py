"""Photos a resident uploaded with a form that came back with errors, kept until resubmission.

They are stored re-encoded (no metadata) under ``private/pending/`` and named to the browser
only by a signed token, so the resident need not choose them again; a token works for a day.
"""

from django.core import signing
from django.core.files.storage import default_storage

PENDING_DIR = "private/pending/"
TOKEN_MAX_AGE = 60 * 60 * 24
_SALT = "weishishi.pending-photos"


def pending_token(names):
    """Return the signed token naming the kept photos ``names``."""
    return signing.dumps(names, salt=_SALT)


def pending_photos(token):
    """Return the kept photos a token names, opened, or [] if it is empty, old or tampered with."""
    try:
        names = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE) if token else []
    except signing.BadSignature:
        return []
    if not all(name.startswith(PENDING_DIR) and default_storage.exists(name) for name in names):
        return []
    return [default_storage.open(name) for name in names]
