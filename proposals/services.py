import datetime
import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from rounds import editing
from rounds.models import PlanComment, Round, Stage, mask_name
from rounds.wording import yuan
from rounds.workflow import require_stage

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
    StatusLookupThrottle,
    TrackingCounter,
)
from .pending import PENDING_DIR, TOKEN_MAX_AGE, pending_token
from .photos import reencode
from .workflow import check_status_move

PER_PHONE_PER_DAY = 5
PER_ADDRESS_PER_HOUR = 20
FAILED_LOOKUPS_PER_HOUR = 10
LOOKUP_WINDOW = datetime.timedelta(hours=1)


def address_key(address):
    """Return a keyed hash of a client address, so the rate limit keeps no address in clear."""
    return salted_hmac("weishishi.address", address or "", algorithm="sha256").hexdigest()


@transaction.atomic
def status_lookup_allowed(*, address):
    """Count one status-page lookup from ``address``; return False if it used up its hour.

    The count is taken before the lookup, in one conditional UPDATE, so parallel guesses
    cannot pass a check together: at most ``FAILED_LOOKUPS_PER_HOUR`` are ever answered.
    A lookup that matches gives its count back (``status_lookup_matched``).
    """
    key = address_key(address)
    now = timezone.now()
    throttles = StatusLookupThrottle.objects.filter(address_key=key)
    StatusLookupThrottle.objects.get_or_create(address_key=key)
    throttles.filter(since__lte=now - LOOKUP_WINDOW).update(guesses=0, since=now)
    return bool(
        throttles.filter(guesses__lt=FAILED_LOOKUPS_PER_HOUR).update(guesses=F("guesses") + 1)
    )


def status_lookup_matched(*, address):
    """Give back the count of a lookup whose code and phone matched: only wrong guesses count."""
    StatusLookupThrottle.objects.filter(address_key=address_key(address), guesses__gt=0).update(
        guesses=F("guesses") - 1
    )


def _moved(proposal, status, *, actor, note):
    """Set ``proposal``'s status to ``status`` as the transition table allows; return the event.

    Neither is saved yet.
    """
    check_status_move(proposal, status)
    event = ProposalEvent(
        proposal=proposal, from_status=proposal.status, status=status, actor=actor, note=note
    )
    proposal.status = status
    return event


def _set_status(proposal, status, *, actor, note=""):
    """Move ``proposal`` to ``status`` and save it with the rest of its changes and the event."""
    event = _moved(proposal, status, actor=actor, note=note)
    proposal.save()
    event.save()


def _lock_tracking_counter(year):
    TrackingCounter.objects.get_or_create(year=year)
    return TrackingCounter.objects.select_for_update().get(year=year)


def _take_tracking_codes(counter, count=1):
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"WS-{counter.year}-{number:04d}" for number in range(first, counter.last + 1)]


def _check_rate(proposal, address):
    now = timezone.now()
    recent_by_phone = Proposal.objects.filter(
        phone=proposal.phone, created_at__gte=now - datetime.timedelta(days=1)
    ).count()
    if recent_by_phone >= PER_PHONE_PER_DAY:
        raise ProposalError(
            _("同一手机号码每天最多提交%(max)d条提议，请明天再提交。") % {"max": PER_PHONE_PER_DAY}
        )
    recent_by_address = Proposal.objects.filter(
        submitted_from=address, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent_by_address >= PER_ADDRESS_PER_HOUR:
        raise ProposalError(_("提交过于频繁，请一小时后再试。"))


def _store_photos(uploads, **owner):
    for upload in uploads:
        content, (width, height) = reencode(upload)
        Photo.objects.create(image=content, width=width, height=height, **owner)


def photos_keep_pending(*, uploads):
    """Keep ``uploads`` of a form that came back with errors; return the token that names them.

    Files only, no database row: the photos are re-encoded, so no metadata is kept either.
    """
    names = [
        default_storage.save(f"{PENDING_DIR}{uuid.uuid4().hex}.jpg", reencode(upload)[0])
        for upload in uploads
    ]
    return pending_token(names)


def pending_photos_forget(*, now=None):
    """Delete kept photos whose token has expired; return how many were deleted."""
    if not default_storage.exists(PENDING_DIR):
        return 0
    expired = (now or timezone.now()) - datetime.timedelta(seconds=TOKEN_MAX_AGE)
    names = [
        f"{PENDING_DIR}{name}"
        for name in default_storage.listdir(PENDING_DIR)[1]
        if default_storage.get_modified_time(f"{PENDING_DIR}{name}") < expired
    ]
    for name in names:
        default_storage.delete(name)
    return len(names)


def proposal_check_open(round):
    """Raise ProposalError unless ``round`` is collecting proposals."""
    require_stage(round, Stage.COLLECTION, error=ProposalError)


RESUBMISSION_WINDOW = datetime.timedelta(hours=1)


def _same_online_proposal(proposal):
    """Return the round's online proposal with the same phone, title and text, sent lately."""
    return Proposal.objects.filter(
        round=proposal.round,
        source=Source.ONLINE,
        phone=proposal.phone,
        title=proposal.title,
        description=proposal.description,
        created_at__gte=timezone.now() - RESUBMISSION_WINDOW,
    ).first()


@transaction.atomic
def proposal_submit(*, proposal, photos=(), submission_token=None, address="", entered_by=None):
    """Save a new ``proposal`` with a tracking code and its photos; return it.

    Online submissions are rate-limited per phone and per address. A submission whose token
    was already used (a double click), or that repeats a proposal sent from the same phone
    within the hour (back, then submit again on a reloaded form), returns the one saved first.
    """
    round = proposal.round
    proposal_check_open(round)
    # The counter's row lock serialises submissions, so a double click finds the first one.
    counter = _lock_tracking_counter(round.year)
    if submission_token and (
        first := Proposal.objects.filter(submission_token=submission_token).first()
    ):
        return first
    if entered_by is None and (same := _same_online_proposal(proposal)):
        return same
    if entered_by is None:
        proposal.source = Source.ONLINE
        proposal.submitted_from = address_key(address)
        _check_rate(proposal, proposal.submitted_from)
    [proposal.tracking_code] = _take_tracking_codes(counter)
    proposal.submission_token = submission_token
    proposal.entered_by = entered_by
    proposal.status = Status.SUBMITTED
    proposal.save()
    ProposalEvent.objects.create(proposal=proposal, status=Status.SUBMITTED, actor=entered_by)
    _store_photos(photos, proposal=proposal)
    return proposal


@transaction.atomic
def proposals_enter(*, round, proposals, entered_by):
    """Save paper ``proposals`` that staff typed into a sheet, all at once; return them.

    Each gets a tracking code and its history, as from ``proposal_submit``, but in a few
    statements whatever their number.
    """
    proposal_check_open(round)
    counter = _lock_tracking_counter(round.year)
    codes = _take_tracking_codes(counter, len(proposals))
    for proposal, code in zip(proposals, codes, strict=True):
        proposal.round = round
        proposal.tracking_code = code
        proposal.entered_by = entered_by
        proposal.status = Status.SUBMITTED
    Proposal.objects.bulk_create(proposals)
    ProposalEvent.objects.bulk_create(
        ProposalEvent(proposal=proposal, status=Status.SUBMITTED) for proposal in proposals
    )
    return proposals


@transaction.atomic
def proposal_screen(*, proposal, actor, exclusions=()):
    """Record a 七不入 screening decision: passed when ``exclusions`` is empty, else excluded.

    ``exclusions`` is a list of (NegativeListReason, public note). A new decision replaces the
    previous one as the proposal's outcome; the earlier decisions are kept.
    """
    proposal = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
    require_stage(proposal.round, Stage.SCREENING, error=ProposalError)
    if proposal.status not in (Status.SUBMITTED, Status.SCREENED_IN, Status.EXCLUDED):
        raise ProposalError(
            _("提议 %(code)s 已是「%(status)s」，不能再筛选。")
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
        note = "；".join(f"{reason.title}：{note.strip()}" for reason, note in exclusions)
        proposal.public_note = note
        _set_status(proposal, Status.EXCLUDED, actor=actor, note=note)
    else:
        proposal.public_note = ""
        _set_status(proposal, Status.SCREENED_IN, actor=actor)
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
    require_stage(into.round, Stage.SCREENING, error=ProposalError)
    for proposal in [into, *sources]:
        if proposal.status not in OPEN_STATUSES:
            raise ProposalError(
                _("提议 %(code)s 已是「%(status)s」，不能合并。")
                % {"code": proposal.tracking_code, "status": proposal.get_status_display()}
            )
    for source in sources:
        source.merged_into = into
        source.public_note = _("与 %(code)s「%(title)s」合并") % {
            "code": into.tracking_code,
            "title": into.title,
        }
        _set_status(source, Status.MERGED, actor=actor, note=source.public_note)
    return into


@transaction.atomic
def roundtable_decide(
    *, roundtable, proposal, on_ballot, recommended_order=None, reason="", actor=None
):
    """Record the roundtable's outcome for a screened proposal: recommended for the ballot or not.

    ``actor`` is the staff member who records it, kept on the proposal's events.
    """
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    require_stage(roundtable.round, Stage.SCREENING, error=ProposalError)
    if proposal.round_id != roundtable.round_id:
        raise ProposalError(_("提议不属于这次圆桌会的轮次。"))
    if proposal.status not in (Status.SCREENED_IN, Status.NOT_ON_BALLOT):
        raise ProposalError(
            _("提议 %(code)s 须先通过七不入筛选，才能由圆桌会协商。")
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
        _set_status(proposal, Status.SCREENED_IN, actor=actor, note=_("邻里圆桌会推荐入库"))
    else:
        proposal.public_note = reason.strip()
        _set_status(proposal, Status.NOT_ON_BALLOT, actor=actor, note=proposal.public_note)
    return outcome


def _check_within_cap(round, amount):
    if amount is not None and amount > round.project_cap:
        raise ProposalError(
            _("金额 %(amount)s超过了本轮单个项目预算限额 %(cap)s。")
            % {"amount": yuan(amount), "cap": yuan(round.project_cap)}
        )


def cost_estimate_check(*, proposal, amount):
    """Raise ProposalError unless ``amount`` may be recorded as ``proposal``'s estimate."""
    require_stage(proposal.round, Stage.SCREENING, error=ProposalError)
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
    require_stage(round, Stage.SCREENING, error=ProposalError)
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
                _("提议 %(code)s 没有经邻里圆桌会推荐入库，不能放入项目库。")
                % {"code": proposal.tracking_code}
            )
    _check_within_cap(round, cost)


@transaction.atomic
def ballot_item_create(
    *,
    round,
    proposals,
    title,
    description,
    category,
    location,
    compound=None,
    cost=None,
    photos=(),
    actor=None,
):
    """Put ``proposals`` on the ballot as one item of the project library; return the item.

    The cost defaults to the newest department estimate of the proposals. ``actor`` is the
    staff member who compiles the library, kept on the proposals' events.
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
        _set_status(
            proposal,
            Status.ON_BALLOT,
            actor=actor,
            note=_("列入项目库第%(number)d号") % {"number": number},
        )
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
def ballot_item_delete(*, item, actor):
    """Take an item off the library until voting opens; its proposals wait for a new item."""
    round = editing.lock_round(item.round_id)
    item = BallotItem.objects.get(pk=item.pk)
    editing.check_removable(BallotItem, round, ProposalError)
    for proposal in item.proposals.select_for_update():
        proposal.ballot_item = None
        _set_status(
            proposal,
            Status.SCREENED_IN,
            actor=actor,
            note=_("项目库第%(number)d号已撤销") % {"number": item.number},
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
    require_stage(round, Stage.SCREENING, error=ProposalError)
    return editing.create(Roundtable, round, {**fields, "round": round}, ProposalError)


@transaction.atomic
def roundtable_update(*, roundtable, changes):
    """Correct a roundtable's record until voting opens; its round never changes."""
    round = editing.lock_round(roundtable.round_id)
    roundtable = Roundtable.objects.get(pk=roundtable.pk)
    return editing.edit(roundtable, round, changes, ProposalError)


@transaction.atomic
def roundtable_outcome_delete(*, outcome, actor):
    """Withdraw a roundtable's outcome in screening; the proposal waits for a new one.

    An outcome whose proposal is already in the library stays: take the item off first.
    """
    round = editing.lock_round(outcome.roundtable.round_id)
    require_stage(round, Stage.SCREENING, error=ProposalError)
    proposal = Proposal.objects.select_for_update().get(pk=outcome.proposal_id)
    if proposal.status not in (Status.SCREENED_IN, Status.NOT_ON_BALLOT):
        raise ProposalError(
            _("提议 %(code)s 已是「%(status)s」，不能撤销圆桌会结论。")
            % {"code": proposal.tracking_code, "status": proposal.get_status_display()}
        )
    RoundtableOutcome.objects.filter(pk=outcome.pk).delete()
    proposal.public_note = ""
    _set_status(proposal, Status.SCREENED_IN, actor=actor, note=_("圆桌会结论已撤销，待重新协商"))


RETENTION = datetime.timedelta(days=365)


@transaction.atomic
def round_forget_personal_data(*, round):
    """Erase proposers' phones and full names, and commenters' contacts, of a closed round."""
    require_stage(round, Stage.CLOSED, error=ProposalError)
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


def _move_all(proposals, status, *, actor, note):
    """Move every one of ``proposals`` to ``status`` as the table allows, in two statements.

    ``note`` gives each proposal's note.
    """
    events = [_moved(proposal, status, actor=actor, note=note(proposal)) for proposal in proposals]
    Proposal.objects.bulk_update(proposals, ["status"])
    ProposalEvent.objects.bulk_create(events)


def _item_note(proposal):
    return _("项目库第%(number)d号") % {"number": proposal.ballot_item.number}


@transaction.atomic
def proposals_record_vote(*, round, selected_refs, actor):
    """Give every proposal on the ballot its outcome from the certified vote."""
    on_ballot = list(round.proposals.filter(status=Status.ON_BALLOT).select_related("ballot_item"))
    selected = [p for p in on_ballot if p.ballot_item.ref in selected_refs]
    not_selected = [p for p in on_ballot if p.ballot_item.ref not in selected_refs]
    _move_all(selected, Status.SELECTED, actor=actor, note=_item_note)
    _move_all(not_selected, Status.NOT_SELECTED, actor=actor, note=_item_note)


@transaction.atomic
def proposals_unrecord_vote(*, round, actor):
    """Put the proposals that the vote decided back on the ballot, waiting for a new count."""
    decided = list(
        round.proposals.filter(status__in=[Status.SELECTED, Status.NOT_SELECTED]).select_related(
            "ballot_item"
        )
    )
    _move_all(
        decided,
        Status.ON_BALLOT,
        actor=actor,
        note=lambda _proposal: _("计票结果作废，等待重新计票"),
    )
