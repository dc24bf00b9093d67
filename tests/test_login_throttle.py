"""The login throttle: wrong passwords lock one user name from one address, for a while."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-staff-123"
STATION_ADDRESS = "192.0.2.10"


@pytest.fixture(params=["/accounts/login/", "/admin/login/"])
def login_url(request):
    return request.param


@pytest.fixture
def officer():
    return UserFactory(username="zhanwu1")


def log_in(client, url, user, password, address=STATION_ADDRESS):
    return client.post(
        url, {"username": user.username, "password": password}, REMOTE_ADDR=address
    )


def guess_wrong(client, url, user, times=settings.AXES_FAILURE_LIMIT):
    for attempt in range(times):
        log_in(client, url, user, f"wrong-{attempt}")


def test_right_password_after_100_wrong_ones_is_refused(client, login_url, officer):
    guess_wrong(client, login_url, officer, times=100)

    response = log_in(client, login_url, officer, PASSWORD)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert "输错密码的次数过多" in response.content.decode()


def test_lockout_page_says_when_to_try_again(client, login_url, officer):
    guess_wrong(client, login_url, officer)

    before = timezone.localtime()
    page = log_in(client, login_url, officer, PASSWORD).content.decode()
    after = timezone.localtime()

    cool_off = settings.AXES_COOLOFF_TIME
    assert any(f"请于 {moment + cool_off:%H:%M} 之后再试" in page for moment in (before, after))


def test_another_officer_at_the_same_address_can_still_log_in(client, login_url, officer):
    colleague = UserFactory(username="zhanwu2")
    guess_wrong(client, login_url, officer, times=100)

    response = log_in(client, login_url, colleague, PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(colleague.pk)


def test_the_same_officer_from_another_address_can_still_log_in(client, login_url, officer):
    guess_wrong(client, login_url, officer)

    response = log_in(client, login_url, officer, PASSWORD, address="198.51.100.20")

    assert response.status_code == 302


def test_fewer_wrong_passwords_than_the_limit_then_the_right_one_logs_in(
    client, login_url, officer
):
    guess_wrong(client, login_url, officer, times=settings.AXES_FAILURE_LIMIT - 1)

    assert log_in(client, login_url, officer, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, login_url, officer):
    guess_wrong(client, login_url, officer)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )

    assert log_in(client, login_url, officer, PASSWORD).status_code == 302
