"""A request the server cannot read is answered 400 with a page in Chinese, never a 500."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FORM_PAGES = ["/proposals/status/", "/accounts/login/", "/admin/login/"]


@pytest.mark.parametrize("charset", ["gb18030", "gbk"])
@pytest.mark.parametrize("url", FORM_PAGES)
def test_form_post_in_a_chinese_legacy_charset_is_a_400_in_chinese(url, charset):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(url)  # the CSRF cookie, so that the CSRF check reads the body

    response = client.post(
        url,
        data="phone=手机",  # the test client encodes it in the charset named below
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "无法识别" in page
    assert "UTF-8" in page
