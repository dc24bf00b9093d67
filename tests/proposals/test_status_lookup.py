import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from proposals.services import FAILED_LOOKUPS_PER_HOUR
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def right_phone_after_too_many_wrong_guesses(client, proposal):
    """Guess the phone wrong as often as allowed, then give the right one; return that page."""
    url = reverse("proposals:status")
    for guess in range(FAILED_LOOKUPS_PER_HOUR):
        client.post(url, {"tracking_code": proposal.tracking_code, "phone": f"1390000{guess:04d}"})
    return client.post(
        url, {"tracking_code": proposal.tracking_code, "phone": "13812345678"}
    ).content.decode()


def test_lookups_stop_after_too_many_wrong_guesses_even_with_the_right_phone(client):
    proposal = ProposalFactory(phone="13812345678")

    page = right_phone_after_too_many_wrong_guesses(client, proposal)

    assert "查询失败次数过多" in page
    assert proposal.title not in page


def test_wrong_guesses_keep_counting_for_an_hour_in_the_shared_database_cache(client, settings):
    """Production keeps the count in the database cache, whose incr would restart its expiry."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "weishishi_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    proposal = ProposalFactory(phone="13812345678")

    page = right_phone_after_too_many_wrong_guesses(client, proposal)

    assert "查询失败次数过多" in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM weishishi_cache")
        (expires,) = cursor.fetchone()
    assert expires > timezone.now() + datetime.timedelta(minutes=55)
