import datetime
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from rounds import editing
from rounds.models import PlanComment, Round, Stage, mask_name

from .exceptions import ProposalError
from .models import (
    OPEN_STATUSES,
    BallotItem,
    CostEstimate,
    Exclusion,
    Photo,
    Proposal,
    ProposalEvent,
    Roundtable,
    RoundtableOutcome,
    ScreeningDecision,
    SiteSurvey,
    Source,
    Status,
    TrackingCounter,
)
from .photos import reencode

PER_PHONE_PER_DAY = 5
PER_ADDRESS_PER_HOUR = 20
FAILED_LOOKUPS_PER_HOUR = 10


def address_key(address):
    """Return a keyed hash of a client address, so the rate limit keeps no address in clear."""
    return salted_hmac("weishishi.address", address or "", algorithm="sha256").hexdigest()


def _failed_lookups(address):
    """Return the cache key of ``address``'s wrong guesses, their count and the first one's time."""
    key = f"failed-lookups:{address_key(address)}"
    count, since = cache.get(key, (0, time.time()))
    return key, count, since


def status_lookup_refused(address):
    """Return whether ``address`` has guessed wrong too often to look up proposals for an hour."""
    _key, count, _since = _failed_lookups(address)
    return count >= FAILED_LOOKUPS_PER_HOUR


def status_lookup_failed(address):
    """Count a lookup whose code and phone did not match, for an hour from the first one.

    The count and the time of the first wrong guess are stored together and set again with
    what is left of the hour: the database cache's ``incr`` would restart the default timeout.
    """
    key, count, since = _failed_lookups(address)
    cache.set(key, (count + 1, since), timeout=max(1, since + 60 * 60 - time.time()))


def _require_stage(round, stage, message):
    if round.stage != stage:
        raise ProposalError(message)


def _set_status(proposal, status, note=""):
    proposal.status = status
    proposal.save()
    ProposalEvent.objects.create(proposal=proposal, status=status, note=note)


def _lock_tracking_counter(year):
    TrackingCounter.objects.get_or_create(year=year)
    return TrackingCounter.objects.select_for_update().get(year=year)


def _take_tracking_code(counter):
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"WS-{counter.year}-{counter.last:04d}"


def _check_rate(proposal, address):
    now = timezone.now()
    recent_by_phone = Proposal.objects.filter(
        phone=proposal.phone, created_at__gte=now - datetime.timedelta(days=1)
    ).count()
    if recent_by_phone >= PER_PHONE_PER_DAY:
        raise ProposalError(
            _("同一手机号码每天最多提交%(max)d条提议,请明天再提交。") % {"max": PER_PHONE_PER_DAY}
        )
    recent_by_address = Proposal.objects.filter(
        submitted_from=address, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent_by_address >= PER_ADDRESS_PER_HOUR:
        raise ProposalError(_("提交过于频繁,请一小时后再试。"))


def _store_photos(uploads, **owner):
    for upload in uploads:
        content, (width, height) = reencode(upload)
        Photo.objects.create(image=content, width=width, height=height, **owner)


def proposal_check_open(round):
    """Raise ProposalError unless ``round`` is collecting proposals."""
    _require_stage(
        round,
        Stage.COLLECTION,
        _("「%(round)s」现在不在项目征集阶段,不能提交提议。") % {"round": round},
    )


@transaction.atomic
def proposal_submit(*, proposal, photos=(), submission_token=None, address="", entered_by=None):
    """Save a new ``proposal`` with a tracking code and its photos; return it.

    Online submissions are rate-limited per phone and per address; a submission whose token
    was already used (a double click) returns the proposal saved the first time.
    """
    round = proposal.round
    proposal_check_open(round)
    # The counter's row lock serialises submissions, so a double click finds the first one.
    counter = _lock_tracking_counter(round.year)
    if submission_token and (
        first := Proposal.objects.filter(submission_token=submission_token).first()
    ):
        return first
    if entered_by is None:
        proposal.source = Source.ONLINE
        proposal.submitted_from = address_key(address)
        _check_rate(proposal, proposal.submitted_from)
    proposal.tracking_code = _take_tracking_code(counter)
    proposal.submission_token = submission_token
    proposal.entered_by = entered_by
    proposal.status = Status.SUBMITTED
    proposal.save()
    ProposalEvent.objects.create(proposal=proposal, status=Status.SUBMITTED)
    _store_photos(photos, proposal=proposal)
    return proposal


@transaction.atomic
def proposal_screen(*, proposal, actor, exclusions=()):
    """Record a 七不入 screening decision: passed when ``exclusions`` is empty, else excluded.

    ``exclusions`` is a list of (NegativeListReason, public note). A new decision replaces the
    previous one as the proposal's outcome; the earlier decisions are kept.
    """
    proposal = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
    _require_stage(proposal.round, Stage.SCREENING, _("只有在筛选阶段才能进行七不入筛选。"))
    if proposal.status not in (Status.SUBMITTED, Status.SCREENED_IN, Status.EXCLUDED):
        raise ProposalError(
            _("提议 %(code)s 已是「%(status)s」,不能再筛选。")
            % {"code": proposal.tracking_code, "status": proposal.get_status_display()}
        )
    if any(not note.strip() for _reason, note in exclusions):
        raise ProposalError(_("每一条排除理由都要写明说明。"))
    decision = ScreeningDecision.objects.create(
        proposal=proposal, passed=not exclusions, decided_by=actor
    )
    Exclusion.objects.bulk_create(
        Exclusion(decision=decision, reason=reason, note=note.strip())
        for reason, note in exclusions
    )
    if exclusions:
        note = ";".join(f"{reason.title}:{note.strip()}" for reason, note in exclusions)
        proposal.public_note = note
        _set_status(proposal, Status.EXCLUDED, note)
    else:
        proposal.public_note = ""
        _set_status(proposal, Status.SCREENED_IN)
    return decision


@transaction.atomic
def proposals_merge(*, into, sources, actor):
    """Merge ``sources`` into the proposal ``into``; each source's outcome becomes "merged"."""
    ids = sorted({into.pk, *(s.pk for s in sources)})
    locked = {
        p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    into = locked[into.pk]
    sources = [locked[pk] for pk in ids if pk != into.pk]
    if not sources:
        raise ProposalError(_("请至少选择两条提议进行合并。"))
    if any(p.round_id != into.round_id for p in sources):
        raise ProposalError(_("只能合并同一轮次的提议。"))
    _require_stage(into.round, Stage.SCREENING, _("只有在筛选阶段才能合并提议。"))
    for proposal in [into, *sources]:
        if proposal.status not in OPEN_STATUSES:
            raise ProposalError(
                _("提议 %(code)s 已是「%(status)s」,不能合并。")
                % {"code": proposal.tracking_code, "status": proposal.get_status_display()}
            )
    for source in sources:
        source.merged_into = into
        source.public_note = _("与 %(code)s「%(title)s」合并") % {
            "code": into.tracking_code,
            "title": into.title,
        }
        _set_status(source, Status.MERGED, source.public_note)
    return into


@transaction.atomic
def roundtable_decide(*, roundtable, proposal, on_ballot, recommended_order=None, reason=""):
    """Record the roundtable's outcome for a screened proposal: recommended for the ballot or not."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require_stage(roundtable.round, Stage.SCREENING, _("只有在筛选阶段才能记录圆桌会结论。"))
    if proposal.round_id != roundtable.round_id:
        raise ProposalError(_("提议不属于这次圆桌会的轮次。"))
    if proposal.status not in (Status.SCREENED_IN, Status.NOT_ON_BALLOT):
        raise ProposalError(
            _("提议 %(code)s 须先通过七不入筛选,才能由圆桌会协商。")
            % {"code": proposal.tracking_code}
        )
    if on_ballot and recommended_order is None:
        raise ProposalError(_("推荐入库的提议要填写推荐顺序。"))
    if not on_ballot and not reason.strip():
        raise ProposalError(_("未入库的提议要写明理由。"))
    outcome, _created = RoundtableOutcome.objects.update_or_create(
        proposal=proposal,
        defaults={
            "roundtable": roundtable,
            "on_ballot": on_ballot,
            "recommended_order": recommended_order if on_ballot else None,
            "reason": "" if on_ballot else reason.strip(),
        },
    )
    if on_ballot:
        proposal.public_note = ""
        _set_status(proposal, Status.SCREENED_IN, _("邻里圆桌会推荐入库"))
    else:
        proposal.public_note = reason.strip()
        _set_status(proposal, Status.NOT_ON_BALLOT, proposal.public_note)
    return outcome


def _check_within_cap(round, amount):
    if amount is not None and amount > round.project_cap:
        raise ProposalError(
            _("金额 %(amount)s 元超过了本轮单个项目预算限额 %(cap)s 元。")
            % {"amount": f"{amount:,.2f}", "cap": f"{round.project_cap:,.2f}"}
        )


def cost_estimate_check(*, proposal, amount):
    """Raise ProposalError unless ``amount`` may be recorded as ``proposal``'s estimate."""
    _require_stage(proposal.round, Stage.SCREENING, _("只有在筛选阶段才能填写预算配额。"))
    _check_within_cap(proposal.round, amount)


@transaction.atomic
def cost_estimate_record(*, proposal, department, amount, actor, note=""):
    """Record a department's cost estimate; one above the round's per-project cap is refused."""
    cost_estimate_check(proposal=proposal, amount=amount)
    return CostEstimate.objects.create(
        proposal=proposal, department=department, amount=amount, note=note, estimated_by=actor
    )


def latest_estimate(proposals):
    """Return the newest cost estimate of any of ``proposals``, or None."""
    return (
        CostEstimate.objects.filter(proposal__in=proposals).order_by("-estimated_at", "-pk").first()
    )


def ballot_item_check(*, round, proposals, cost=None):
    """Raise ProposalError unless ``proposals`` may go on ``round``'s ballot at ``cost``."""
    _require_stage(round, Stage.SCREENING, _("只有在筛选阶段才能编制项目库。"))
    if not proposals:
        raise ProposalError(_("项目库条目至少要来自一条提议。"))
    recommended = set(
        RoundtableOutcome.objects.filter(proposal__in=proposals, on_ballot=True).values_list(
            "proposal_id", flat=True
        )
    )
    for proposal in proposals:
        if (
            proposal.round_id != round.pk
            or proposal.status != Status.SCREENED_IN
            or proposal.pk not in recommended
        ):
            raise ProposalError(
                _("提议 %(code)s 没有经邻里圆桌会推荐入库,不能放入项目库。")
                % {"code": proposal.tracking_code}
            )
    _check_within_cap(round, cost)


@transaction.atomic
def ballot_item_create(
    *, round, proposals, title, description, category, location, compound=None, cost=None, photos=()
):
    """Put ``proposals`` on the ballot as one item of the project library; return the item.

    The cost defaults to the newest department estimate of the proposals.
    """
    round = Round.objects.select_for_update().get(pk=round.pk)  # numbers items one at a time
    proposals = list(Proposal.objects.select_for_update().filter(pk__in=[p.pk for p in proposals]))
    if cost is None and (estimate := latest_estimate(proposals)):
        cost = estimate.amount
    ballot_item_check(round=round, proposals=proposals, cost=cost)
    number = (round.ballot_items.aggregate(last=Max("number"))["last"] or 0) + 1
    item = BallotItem.objects.create(
        round=round,
        number=number,
        ref=str(number),
        title=title,
        description=description,
        cost=cost,
        category=category,
        compound=compound,
        location=location,
    )
    _store_photos(photos, ballot_item=item)
    for proposal in proposals:
        proposal.ballot_item = item
        _set_status(proposal, Status.ON_BALLOT, _("列入项目库第%(number)d号") % {"number": number})
    return item


@transaction.atomic
def ballot_item_update(*, item, changes):
    """Change an item of the library until voting opens; the cost stays within the cap.

    An item never moves to another round.
    """
    round = editing.lock_round(item.round_id)
    item = BallotItem.objects.get(pk=item.pk)
    _check_within_cap(round, changes.get("cost"))
    return editing.edit(item, round, changes, ProposalError)


@transaction.atomic
def ballot_item_delete(*, item):
    """Take an item off the library until voting opens; its proposals wait for a new item."""
    round = editing.lock_round(item.round_id)
    item = BallotItem.objects.get(pk=item.pk)
    editing.check_removable(BallotItem, round, ProposalError)
    for proposal in item.proposals.select_for_update():
        proposal.ballot_item = None
        _set_status(
            proposal, Status.SCREENED_IN, _("项目库第%(number)d号已撤销") % {"number": item.number}
        )
    item.delete()


@transaction.atomic
def proposal_update(*, proposal, changes):
    """Correct what a proposal says until voting opens; its round never changes."""
    round = editing.lock_round(proposal.round_id)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    return editing.edit(proposal, round, changes, ProposalError)


@transaction.atomic
def site_survey_create(*, proposal, fields):
    """Record a site survey of ``proposal`` until voting opens; return it."""
    round = editing.lock_round(proposal.round_id)
    return editing.create(SiteSurvey, round, {**fields, "proposal": proposal}, ProposalError)


@transaction.atomic
def site_survey_update(*, survey, changes):
    """Correct a site survey until voting opens; return it."""
    survey = SiteSurvey.objects.select_related("proposal").get(pk=survey.pk)
    round = editing.lock_round(survey.proposal.round_id)
    return editing.edit(survey, round, changes, ProposalError)


@transaction.atomic
def site_survey_delete(*, survey):
    """Remove a site survey until voting opens."""
    round = editing.lock_round(survey.proposal.round_id)
    editing.delete(survey, round, ProposalError)


@transaction.atomic
def roundtable_create(*, fields):
    """Record a neighbourhood roundtable of a round in screening; return it."""
    round = editing.lock_round(fields["round"].pk)
    _require_stage(round, Stage.SCREENING, _("只有在筛选阶段才能记录圆桌会结论。"))
    return editing.create(Roundtable, round, {**fields, "round": round}, ProposalError)


@transaction.atomic
def roundtable_update(*, roundtable, changes):
    """Correct a roundtable's record until voting opens; its round never changes."""
    round = editing.lock_round(roundtable.round_id)
    roundtable = Roundtable.objects.get(pk=roundtable.pk)
    return editing.edit(roundtable, round, changes, ProposalError)


@transaction.atomic
def roundtable_outcome_delete(*, outcome):
    """Withdraw a roundtable's outcome in screening; the proposal waits for a new one.

    An outcome whose proposal is already in the library stays: take the item off first.
    """
    round = editing.lock_round(outcome.roundtable.round_id)
    _require_stage(round, Stage.SCREENING, _("只有在筛选阶段才能记录圆桌会结论。"))
    proposal = Proposal.objects.select_for_update().get(pk=outcome.proposal_id)
    if proposal.status not in (Status.SCREENED_IN, Status.NOT_ON_BALLOT):
        raise ProposalError(
            _("提议 %(code)s 已是「%(status)s」，不能撤销圆桌会结论。")
            % {"code": proposal.tracking_code, "status": proposal.get_status_display()}
        )
    RoundtableOutcome.objects.filter(pk=outcome.pk).delete()
    proposal.public_note = ""
    _set_status(proposal, Status.SCREENED_IN, _("圆桌会结论已撤销，待重新协商"))


RETENTION = datetime.timedelta(days=365)


@transaction.atomic
def round_forget_personal_data(*, round):
    """Erase proposers' phones and full names, and commenters' contacts, of a closed round."""
    if round.stage != Stage.CLOSED:
        raise ProposalError(_("只有已归档的轮次才能删除个人信息。"))
    proposals = list(round.proposals.exclude(phone=""))
    for proposal in proposals:
        proposal.proposer_name = mask_name(proposal.proposer_name)
        proposal.phone = ""
    Proposal.objects.bulk_update(proposals, ["proposer_name", "phone"])
    comments = list(round.plan_comments.exclude(contact=""))
    for comment in comments:
        comment.name = mask_name(comment.name)
        comment.contact = ""
    PlanComment.objects.bulk_update(comments, ["name", "contact"])
    return len(proposals) + len(comments)


def rounds_past_retention(now=None):
    """Return the closed rounds whose personal data is older than the retention period allows."""
    cutoff = (now or timezone.now()) - RETENTION
    return Round.objects.filter(
        stage=Stage.CLOSED, events__to_stage=Stage.CLOSED, events__created_at__lte=cutoff
    ).distinct()


@transaction.atomic
def proposals_record_vote(*, round, selected_refs):
    """Give every proposal on the ballot its outcome from the certified vote."""
    for proposal in round.proposals.filter(status=Status.ON_BALLOT).select_related("ballot_item"):
        selected = proposal.ballot_item.ref in selected_refs
        _set_status(
            proposal,
            Status.SELECTED if selected else Status.NOT_SELECTED,
            _("项目库第%(number)d号") % {"number": proposal.ballot_item.number},
        )
