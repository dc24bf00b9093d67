"""The 公示 in the admin: staff edit a draft and publish it there; a published one is read-only."""

import pytest
from django.urls import reverse

from notices.models import PublicityNotice
from tests.admin_support import error_messages, form_data
from tests.factories import RoundFactory, staff_user

from .support import CONTACTS, publish

pytestmark = pytest.mark.django_db


def change_url(notice):
    return reverse("admin:notices_publicitynotice_change", args=[notice.pk])


def publish_url(notice):
    return reverse("admin:notices_publicitynotice_publish", args=[notice.pk])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_staff_edit_the_draft_and_publish_it_from_its_page(staff_client, draft):
    page = staff_client.get(change_url(draft)).content.decode()
    assert publish_url(draft) in page
    assert "加装" in page  # the selected projects, shown read-only

    data = form_data(staff_client, change_url(draft), **CONTACTS)
    response = staff_client.post(change_url(draft), data)
    assert response.status_code == 302, error_messages(response)
    response = staff_client.post(publish_url(draft))

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == PublicityNotice.Status.PUBLISHED
    assert draft.objection_phone == CONTACTS["objection_phone"]


def test_publishing_without_a_way_to_object_is_refused_with_a_message(staff_client, draft):
    response = staff_client.post(publish_url(draft), follow=True)

    assert "意见反馈地址或电话" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == PublicityNotice.Status.DRAFT


def test_a_published_notice_is_read_only_in_the_admin(staff_client, draft, staff):
    # The whole form as staff saw it while it was a draft, sent again after publication.
    edited = form_data(staff_client, change_url(draft), title="改过的标题", **CONTACTS)
    publish(draft, staff)

    page = staff_client.get(change_url(draft)).content.decode()
    response = staff_client.post(change_url(draft), edited)

    assert 'name="title"' not in page
    assert publish_url(draft) not in page
    assert reverse("notices:notice_pdf", args=[draft.round_id]) in page
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.title != "改过的标题"


def test_staff_of_another_community_do_not_see_the_notice(client, draft):
    client.force_login(staff_user("community", RoundFactory().community))

    assert client.get(change_url(draft)).status_code == 302  # to the admin index: no such row
    assert client.post(publish_url(draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.status == PublicityNotice.Status.DRAFT
