"""Writes of the public notice (公示): draft it from the certified tally, edit the draft, publish it."""

import datetime

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rounds import editing
from rounds.models import Stage
from rounds.scopes import can_manage_round
from rounds.wording import listing
from rounds.workflow import require_stage
from voting.models import CertifiedTally, StationClosure
from voting.selectors import CANONICAL_LANGUAGE, RULE_EXPLANATIONS

from .exceptions import NoticeError
from .models import PublicityNotice

Status = PublicityNotice.Status
DEFAULT_PERIOD = datetime.timedelta(days=6)  # seven days, when the plan has no publicity dates


def default_title(round):
    return _("关于%(year)s年度%(community)s和谐微实事项目投票结果的公示") % {
        "year": round.year,
        "community": round.community.name,
    }


def default_body(round):
    return _(
        "根据《%(round)s》实施方案，经居民提议、民主协商筛选和居民投票，本轮投票已于计票结束后"
        "当众点票、确认结果。现将投票结果和拟实施项目公示如下，欢迎社区居民和辖区单位监督。"
        "对公示内容有异议或意见的，请在公示期内通过下列方式反映，我们将逐一答复。"
    ) % {"round": round.title}


def _tie_note(round, certified):
    how = {"cost": _("按预算低者优先"), "order": _("按项目库顺序"), "lot": _("按公开抽签结果")}
    notes = [
        _("项目 %(refs)s 票数相同，%(how)s。")
        % {"refs": listing(tie["refs"]), "how": how[tie["broken_by"]]}
        for tie in certified.result.get("ties", [])
    ]
    notes += [
        _("公开抽签：%(order)s，见证人：%(witnesses)s。")
        % {"order": " > ".join(lot.order), "witnesses": lot.witnesses}
        for lot in round.lots.all()
    ]
    return "\n".join(notes)


def tally_content(round, certified):
    """Return the notice's fields that are copied from ``certified``, frozen as they are."""
    turnout = StationClosure.objects.filter(station__round=round).aggregate(
        voters=Sum("voters_marked"), valid=Sum("valid")
    )
    projects = [
        {
            "rank": item["rank"],
            "ref": item["ref"],
            "title": item["title"],
            "votes": item["votes"],
            "cost": str(item["cost"]),
            "running_total": item["running_total"],
        }
        for item in certified.result["items"]
        if item["selected"]
    ]
    rule = _("%(rule)s：%(explanation)s%(tie_break)s。") % {
        "rule": round.get_tally_rule_display(),
        "explanation": RULE_EXPLANATIONS[certified.rule],
        "tie_break": round.get_tie_break_display(),
    }
    return {
        "projects": projects,
        "rule_text": rule,
        "tie_note": _tie_note(round, certified),
        "voters": turnout["voters"] or 0,
        "valid_ballots": turnout["valid"] or 0,
        "total_fund": round.total_fund,
        "total_cost": str(certified.result.get("total_cost", 0)),
        "tally_certified_at": certified.certified_at,
        "tally_digest": certified.inputs_digest,
    }


def _period(round):
    planned = round.planned_stages.filter(stage=Stage.PUBLICITY).first()
    if planned:
        return planned.starts_on, planned.ends_on
    today = timezone.localdate()
    return today, today + DEFAULT_PERIOD


def _is_from(notice, certified):
    return (
        notice.tally_certified_at == certified.certified_at
        and notice.tally_digest == certified.inputs_digest
    )


@transaction.atomic
def notice_draft(*, round):
    """Draft the round's notice from its certified tally, unless the latest one already shows it.

    On entering publicity: the first time, version 1 is drafted. When the round comes back
    into publicity with the same certified tally (a reopen from replies), the notice is left
    as it is, draft or published, with the staff's edits. When the tally was certified anew (a
    reopen back to voting voided the old one), a draft takes the new figures and keeps its
    text; a published notice is never touched: a new version is drafted, which supersedes it
    when published. Returns the draft, or None when nothing was drafted.
    """
    certified = CertifiedTally.objects.filter(round=round).first()
    if certified is None:
        return None
    latest = round.notices.order_by("-version").first()
    if latest is not None and _is_from(latest, certified):
        return None
    with translation.override(CANONICAL_LANGUAGE):
        content = tally_content(round, certified)
        if latest is not None and latest.is_draft:
            for name, value in content.items():
                setattr(latest, name, value)
            latest.save()
            return latest
        starts_on, ends_on = _period(round)
        version = (round.notices.aggregate(last=Max("version"))["last"] or 0) + 1
        return PublicityNotice.objects.create(
            round=round,
            version=version,
            title=default_title(round),
            body=default_body(round),
            starts_on=starts_on,
            ends_on=ends_on,
            issuer=_("%(community)s居民委员会") % {"community": round.community.name},
            issued_on=timezone.localdate(),
            **content,
        )


def _lock(notice, actor):
    """Lock the notice's round and return (round, notice as stored) for ``actor`` to change."""
    round = editing.lock_round(notice.round_id)
    if not can_manage_round(actor, round):
        raise NoticeError(_("您无权管理这个轮次。"))
    notice = PublicityNotice.objects.select_for_update().get(pk=notice.pk)
    if not notice.is_draft:
        raise NoticeError(
            _("「%(notice)s」已经发布，内容已冻结，不能再修改。") % {"notice": notice}
        )
    return round, notice


@transaction.atomic
def notice_update(*, notice, changes, actor):
    """Change a draft notice's text, period and contacts while its round is in publicity."""
    round, notice = _lock(notice, actor)
    editing.check_changes(PublicityNotice, round, changes, NoticeError)
    notice = editing.apply_changes(notice, changes, NoticeError)
    return notice


@transaction.atomic
def notice_publish(*, notice, actor):
    """Publish a draft notice: from now on it is public and frozen; return it.

    It must show the tally in force and say how to object. A notice published before it
    (of a tally since voided) is marked superseded and stays public as such.
    """
    round, notice = _lock(notice, actor)
    require_stage(round, Stage.PUBLICITY, error=NoticeError)
    certified = CertifiedTally.objects.filter(round=round).first()
    if certified is None or not _is_from(notice, certified):
        raise NoticeError(_("这份公示草稿不是依据现行有效的计票结果起草的，不能发布。"))
    missing = [
        label
        for label, value in [
            (_("标题"), notice.title),
            (_("正文"), notice.body),
            (_("发布单位"), notice.issuer),
        ]
        if not value.strip()
    ]
    if not (notice.objection_address.strip() or notice.objection_phone.strip()):
        missing.append(_("意见反馈地址或电话"))
    if missing:
        raise NoticeError(
            _("公示还缺少以下内容，不能发布：%(fields)s。") % {"fields": listing(missing)}
        )
    for earlier in round.notices.filter(status=Status.PUBLISHED).exclude(pk=notice.pk):
        earlier.status = Status.SUPERSEDED
        earlier.save(update_fields=["status"])
    notice.status = Status.PUBLISHED
    notice.published_at = timezone.now()
    notice.published_by = actor
    notice.save()
    return notice
