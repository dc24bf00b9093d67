"""Helpers of the 公示 tests: the contacts a notice needs, entering publicity, publishing."""

from notices.services import notice_publish, notice_update
from rounds.models import Stage
from rounds.services import round_transition

CONTACTS = {
    "objection_address": "龙西路88号 社区党群服务中心201室",
    "objection_phone": "0512-65551234",
}


def enter_publicity(round, staff):
    return round_transition(round=round, to=Stage.PUBLICITY, actor=staff)


def publish(notice, staff, **changes):
    """Give the draft ``notice`` its contacts and ``changes``, and publish it; return it."""
    notice_update(notice=notice, changes={**CONTACTS, **changes}, actor=staff)
    return notice_publish(notice=notice, actor=staff)
