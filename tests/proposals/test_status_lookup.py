import pytest
from django.urls import reverse

from proposals.services import FAILED_LOOKUPS_PER_HOUR
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_lookups_stop_after_too_many_wrong_guesses_even_with_the_right_phone(client):
    proposal = ProposalFactory(phone="13812345678")
    url = reverse("proposals:status")
    for guess in range(FAILED_LOOKUPS_PER_HOUR):
        client.post(url, {"tracking_code": proposal.tracking_code, "phone": f"1390000{guess:04d}"})

    page = client.post(
        url, {"tracking_code": proposal.tracking_code, "phone": "13812345678"}
    ).content.decode()

    assert "查询失败次数过多" in page
    assert proposal.title not in page
