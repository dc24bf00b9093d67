"""What must be true before a round leaves publicity: its notice published, its period over."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rounds.models import Stage
from rounds.workflow import Refusal, guard

from .models import PublicityNotice


def _notice_link(notice, round):
    if notice is not None:
        return [(_("查看公示"), reverse("admin:notices_publicitynotice_change", args=[notice.pk]))]
    changelist = reverse("admin:notices_publicitynotice_changelist")
    return [(_("查看公示"), f"{changelist}?round__id__exact={round.pk}")]


@guard(Stage.REPLIES)
def notice_published_and_period_over(round, actor=None):
    notices = round.notices.order_by("-version")
    published = notices.filter(status=PublicityNotice.Status.PUBLISHED).first()
    if published is None:
        draft = notices.filter(status=PublicityNotice.Status.DRAFT).first()
        return Refusal(
            _("投票结果公示还没有发布，不能进入落选回复阶段。"), _notice_link(draft, round)
        )
    if draft := notices.filter(status=PublicityNotice.Status.DRAFT).first():
        return Refusal(
            _("公示有新版本（第%(version)s版）尚未发布，不能进入落选回复阶段。")
            % {"version": draft.version},
            _notice_link(draft, round),
        )
    if timezone.localdate() <= published.ends_on:
        return Refusal(
            _("公示期到%(ends)s才结束，公示期满后才能进入落选回复阶段。")
            % {"ends": date_format(published.ends_on)},
            _notice_link(published, round),
        )
    return None
