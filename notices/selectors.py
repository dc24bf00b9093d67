"""Reads of the public notices: what the public may see of a round's 公示."""

from django.http import Http404

from voting.models import CertifiedTally

from .models import PublicityNotice

Status = PublicityNotice.Status


def public_notices(round):
    """Return the round's notices the public may see (published or superseded), newest first."""
    return round.notices.exclude(status=Status.DRAFT).order_by("-version")


def published_notice(round):
    """Return the round's notice in force, or None before one is published."""
    return round.notices.filter(status=Status.PUBLISHED).first()


def public_notice(round, version=None):
    """Return the notice of ``version`` (default: the one in force) the public may see, or 404."""
    notice = (
        public_notices(round).filter(version=version).first()
        if version is not None
        else published_notice(round)
    )
    if notice is None:
        raise Http404
    return notice


def tally_still_in_force(notice):
    """Return whether the tally the notice shows is still the round's certified tally."""
    return CertifiedTally.objects.filter(
        round=notice.round_id,
        certified_at=notice.tally_certified_at,
        inputs_digest=notice.tally_digest,
    ).exists()
