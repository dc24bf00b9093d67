import datetime
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from proposals.pending import PENDING_DIR
from proposals.services import photos_keep_pending
from rounds.models import PlanComment, RoundEvent, Stage
from tests.factories import ProposalFactory, RoundFactory, UserFactory, image_upload, put_at

pytestmark = pytest.mark.django_db


def closed_round(days_ago):
    round = put_at(RoundFactory(), Stage.CLOSED)
    event = RoundEvent.objects.create(
        round=round, from_stage=Stage.EVALUATION, to_stage=Stage.CLOSED, actor=UserFactory()
    )
    RoundEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    ProposalFactory(round=round, proposer_name="王小明", phone="13812345678")
    PlanComment.objects.create(round=round, name="李四", contact="13900001111", text="好")
    return round


def test_personal_data_is_erased_a_year_after_the_round_closed():
    old = closed_round(days_ago=400)

    call_command("forget_personal_data")

    proposal = old.proposals.get()
    assert (proposal.proposer_name, proposal.phone) == ("王**", "")
    comment = old.plan_comments.get()
    assert (comment.name, comment.contact) == ("李*", "")


def test_personal_data_of_a_recently_closed_round_is_kept():
    recent = closed_round(days_ago=30)

    call_command("forget_personal_data")

    assert recent.proposals.get().phone == "13812345678"
    assert recent.plan_comments.get().contact == "13900001111"


def test_photos_kept_for_a_form_never_sent_again_are_deleted_after_a_day(media_root):
    photos_keep_pending(uploads=[image_upload()])
    photos_keep_pending(uploads=[image_upload()])
    old, recent = sorted((media_root / PENDING_DIR).iterdir())
    a_day_and_more = (timezone.now() - datetime.timedelta(hours=25)).timestamp()
    os.utime(old, (a_day_and_more, a_day_and_more))

    call_command("forget_personal_data")

    assert list((media_root / PENDING_DIR).iterdir()) == [recent]
